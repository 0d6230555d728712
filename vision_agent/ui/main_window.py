"""The main window: one tab per vision program, menus, status bar, language switch.

Tabs are built when first shown: until then each is an empty placeholder page, and its module is
not even imported, so the window is on screen before numpy, OpenCV and pyqtgraph are loaded.
When the window starts, the visible tab's heavy modules and its own module are imported in a
background thread (`TabKind.preload`), and the tab is built on the GUI thread once they are in:
the window keeps painting meanwhile, instead of waiting about half a second inside one import.
The tab is built in one turn of the event loop and started (its model, its saved choices) in the
next, and then the other tabs' modules are imported in the background thread too, so that no
later tab imports on the GUI thread when it is first shown, and the model search path is walked
there, so that no tab's presence check walks it on the GUI thread.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PyQt5.QtCore import QByteArray, QObject, QSize, QTimer, pyqtSignal, pyqtSlot
from PyQt5.QtGui import QCloseEvent, QKeySequence
from PyQt5.QtWidgets import (
    QAction,
    QActionGroup,
    QApplication,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from vision_agent.i18n import LANGUAGES, language, set_language, tr
from vision_agent.ui.focus_style import show_focus_frames
from vision_agent.ui.qt_translations import use_qt_translations
from vision_agent.ui.settings import app_settings
from vision_agent.ui.tabs.base import VisionTab

if TYPE_CHECKING:
    from vision_agent.controllers.choices import SharedChoices
    from vision_agent.ui.tabs.postal_tab import PostalTab


@dataclass(frozen=True)
class TabKind:
    """A tab the window offers: where its class lives, and its caption before it is built."""

    module: str
    class_name: str
    caption: str  # English, shown through tr() (the built tab's own title() then takes over)
    shares_choices: bool = False  # built with the window's SharedChoices
    # Qt-free modules (and pyqtgraph) the tab needs, imported off the GUI thread at start
    preload: tuple[str, ...] = ()

    def load(self) -> type[VisionTab]:
        return getattr(importlib.import_module(self.module), self.class_name)


# The window's size at a first start: every tab fits it at a 9-point desktop font in either
# language (tests/ui/test_window_size.py), so showing a tab never makes the window grow.
FIRST_SIZE = QSize(1100, 640)
POSTAL_PRELOAD = (
    "numpy",
    "cv2",
    "onnxruntime",
    "pyqtgraph",
    "vision_agent.core.postal",
    "vision_agent.controllers.postal",
)
TAB_KINDS = (
    TabKind("vision_agent.ui.tabs.postal_tab", "PostalTab", "Postal code", preload=POSTAL_PRELOAD),
    TabKind("vision_agent.ui.tabs.dog_tab", "DogTab", "Dog breed", shares_choices=True),
    TabKind(
        "vision_agent.ui.tabs.classifier_tab",
        "ClassifierTab",
        "ImageNet top-5",
        shares_choices=True,
    ),
    TabKind("vision_agent.ui.tabs.face_tab", "FaceCamTab", "Face cam"),
    TabKind("vision_agent.ui.tabs.own_classes_tab", "OwnClassesTab", "My classes"),
)


def walk_model_search_path() -> None:
    """The model search path (VISION_AGENT_MODEL_PATH, maybe a big folder) walked off the GUI
    thread, so that the tabs' presence checks find it walked."""
    from vision_agent.models.store import default_store

    default_store().index_search_path()


class _Preloader(QObject):
    """Imports modules in a background thread, until `stop` is set, then runs `after` there;
    `sig_done` arrives on the GUI thread. A module that fails here is left for the GUI thread's
    own import to report."""

    sig_done = pyqtSignal()

    def __init__(
        self,
        modules: list[str],
        stop: threading.Event,
        parent: QObject,
        after: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._modules = modules
        self._stop = stop
        self._after = after

    def start(self) -> None:
        # Not a daemon: the interpreter's exit waits for it. A daemon thread cut off inside a C
        # extension's import (OpenCV, onnxruntime) at shutdown aborts the process.
        threading.Thread(target=self._run, name="tab-imports").start()

    def _run(self) -> None:
        for name in self._modules:
            if self._stop.is_set():
                break
            try:
                importlib.import_module(name)
            except Exception as exc:
                logging.getLogger(__name__).warning("preloading %s failed: %s", name, exc)
        if self._after is not None and not self._stop.is_set():
            try:
                self._after()
            except Exception as exc:  # the GUI thread's own call will meet it and say so
                logging.getLogger(__name__).warning("start-up work failed: %s", exc)
        with contextlib.suppress(RuntimeError):  # the window was deleted meanwhile
            self.sig_done.emit()


class MainWindow(QMainWindow):
    """Hosts the tabs; builds each when first shown, starts its model once the window is up,
    and stops every built tab when it closes.

    Signals:
        sig_started(): the start-up is over: the visible tab built and started, every tab's
            module imported, the model search path walked (`start_tabs_after_imports`).
    """

    sig_started = pyqtSignal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        show_focus_frames(QApplication.instance())
        self.tabs = QTabWidget(self)
        self.setCentralWidget(self.tabs)
        self._pages: dict[int, VisionTab] = {}
        self._started_pages: set[int] = set()
        self._status_by_tab: dict[QWidget, str] = {}
        self._choices: SharedChoices | None = None
        self._started = False
        self._closed = threading.Event()  # set when the window closes; stops the background imports
        for kind in TAB_KINDS:
            self.tabs.addTab(QWidget(self.tabs), tr(kind.caption))
        self._build_menus()
        self._restore_state()
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.retranslate_ui()

    # ----------------------------------------------------------------- tabs, built lazily

    def page(self, index: int, start: bool = True) -> VisionTab:
        """The tab at `index`, built now if it was not yet, and (with `start`, once the window
        has started) its model loading. The shortcuts sheet reads tabs without starting them."""
        if index not in self._pages:
            kind = TAB_KINDS[index]
            tab = (
                kind.load()(self, choices=self.choices)
                if kind.shares_choices
                else kind.load()(self)
            )
            tab.sig_status_message.connect(self._on_tab_status)
            tab.sig_quit_requested.connect(self.quit_asking)
            placeholder = self.tabs.widget(index)
            current = self.tabs.currentIndex()
            self.tabs.blockSignals(True)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, tab, tab.title())
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(False)
            placeholder.deleteLater()
            self._pages[index] = tab
            if index == current:
                self._rebuild_file_menu()
        if start and self._started and index not in self._started_pages:
            self._started_pages.add(index)
            self._pages[index].start()
        return self._pages[index]

    @property
    def choices(self) -> SharedChoices:
        """What several tabs share (the ImageNet model, which models are here), made when a tab
        first needs it: it imports numpy and the model store, which the window's start need not."""
        if self._choices is None:
            from vision_agent.controllers.choices import SharedChoices

            self._choices = SharedChoices(app_settings(), parent=self)
        return self._choices

    @property
    def tab_pages(self) -> list[VisionTab]:
        """Every tab, building (and starting) those not shown yet."""
        return [self.page(index) for index in range(len(TAB_KINDS))]

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def built_pages(self) -> list[VisionTab]:
        return [page for _, page in self.built_tabs()]

    def built_tabs(self) -> list[tuple[int, VisionTab]]:
        """(index, tab) of every tab built so far."""
        return sorted(self._pages.items())

    def unbuilt_indexes(self) -> list[int]:
        return [index for index in range(len(TAB_KINDS)) if index not in self._pages]

    def current_page(self) -> VisionTab:
        return self.page(self.tabs.currentIndex())

    def postal_tab(self) -> PostalTab:
        return self.page(0)

    def start_tabs(self) -> None:
        """Build the visible tab and load the models of the built tabs (after the window is on
        screen, unless it was closed); a tab built later starts as it is built."""
        if self._started or self.closed:
            return
        self._started = True
        self.current_page()
        for index in sorted(self._pages):
            self.page(index)

    def start_tabs_after_imports(self, then: Callable[[], None]) -> None:
        """`start_tabs` once the visible tab's modules (`TabKind.preload`, then its own) are
        imported in a background thread, then `then()` (not called if the window closed
        meanwhile); then import the other tabs' modules and walk the model search path in the
        background too."""
        kind = TAB_KINDS[self.tabs.currentIndex()]
        self._import_then([*kind.preload, kind.module], lambda: self._build_then(then))

    def _import_then(
        self,
        modules: list[str],
        then: Callable[[], None],
        after: Callable[[], None] | None = None,
    ) -> None:
        """Import `modules` and run `after` in a background thread, then `then()` here."""
        missing = [name for name in modules if name not in sys.modules]
        if not missing and after is None:
            then()
            return
        preloader = _Preloader(missing, self._closed, self, after)
        preloader.sig_done.connect(then)
        preloader.start()

    def _build_then(self, then: Callable[[], None]) -> None:
        """Build the visible tab now, start it a turn of the event loop later: timers that fell
        due meanwhile fire between the two (a 0 ms timer would run before them). The tab's first
        paint waits for the start's turn (updates off), so the build's turn does not hold it."""
        if not self.closed:
            self.tabs.setUpdatesEnabled(False)
            try:
                self.page(self.tabs.currentIndex(), start=False)
            finally:
                QTimer.singleShot(1, lambda: self._start_then(then))

    def _start_then(self, then: Callable[[], None]) -> None:
        self.tabs.setUpdatesEnabled(True)
        if self.closed:
            return
        self.start_tabs()
        then()
        later = [TAB_KINDS[index].module for index in self.unbuilt_indexes()]
        self._import_then(later, self.sig_started.emit, walk_model_search_path)

    # ----------------------------------------------------------------- menus

    def _build_menus(self) -> None:
        from vision_agent.ui.help_menu import HelpMenu

        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.view_menu = bar.addMenu("")
        self.language_menu = self.view_menu.addMenu("")
        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code, name in LANGUAGES.items():
            action = QAction(name, self, checkable=True)
            action.setData(code)
            action.setChecked(code == language())
            self.language_group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action
        self.language_group.triggered.connect(self._on_language_action)
        self.models_action = QAction(self)
        self.models_action.triggered.connect(self.show_models_dialog)
        self.view_menu.addAction(self.models_action)
        self.help_menu = HelpMenu(self)
        bar.addMenu(self.help_menu)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.Quit)
        self.quit_action.triggered.connect(self.quit_asking)

    def _rebuild_file_menu(self) -> None:
        self.file_menu.clear()
        page = self._pages.get(self.tabs.currentIndex())
        if page is not None:
            page.fill_file_menu(self.file_menu)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(tr("Vision Agent"))
        self.file_menu.setTitle(tr("&File"))
        self.view_menu.setTitle(tr("&View"))
        self.language_menu.setTitle(tr("Language / 언어"))
        self.models_action.setText(tr("Models…"))
        self.quit_action.setText(tr("Quit"))
        self.help_menu.retranslate_ui()
        for index, kind in enumerate(TAB_KINDS):
            page = self._pages.get(index)
            if page is None:
                self.tabs.setTabText(index, tr(kind.caption))
            else:
                page.retranslate_ui()
                self.tabs.setTabText(index, page.title())
        self._rebuild_file_menu()

    @pyqtSlot(QAction)
    def _on_language_action(self, action: QAction) -> None:
        self.switch_language(action.data())

    def switch_language(self, code: str) -> None:
        set_language(code)
        use_qt_translations(code)
        app_settings().setValue("language", code)
        self.language_actions[code].setChecked(True)
        self.retranslate_ui()

    @pyqtSlot(int)
    def _on_tab_changed(self, index: int) -> None:
        if self.closed:
            return
        self.page(index)
        self._rebuild_file_menu()
        self.statusBar().showMessage(self._status_by_tab.get(self.tabs.currentWidget(), ""))

    @pyqtSlot(str)
    def _on_tab_status(self, message: str) -> None:
        page = self.sender()
        if isinstance(page, VisionTab):
            self.show_status(page, message)

    def show_status(self, page: VisionTab, message: str) -> None:
        """Remember each tab's last status line; show it when that tab is the current one."""
        self._status_by_tab[page] = message
        if page is self.tabs.currentWidget():
            self.statusBar().showMessage(message)

    def show_models_dialog(self) -> None:
        from vision_agent.ui.models_dialog import ModelsDialog

        dialog = ModelsDialog(parent=self)
        dialog.sig_models_changed.connect(self.models_changed)
        dialog.exec_()
        dialog.deleteLater()

    @pyqtSlot()
    def models_changed(self) -> None:
        """A model was downloaded or imported: the shared choices tell every tab."""
        if self._choices is not None:
            self._choices.models_changed()

    def quit_asking(self) -> None:
        """Q and File → Quit: close, after asking when a tab holds work that would be lost."""
        lost = [text for page in self.built_pages() if (text := page.unsaved_work())]
        if lost:
            box = QMessageBox(QMessageBox.Question, tr("Quit?"), "\n".join(lost), parent=self)
            box.setInformativeText(tr("Quit anyway and lose it?"))
            box.setStandardButtons(QMessageBox.Discard | QMessageBox.Cancel)
            box.button(QMessageBox.Discard).setText(tr("Quit without saving"))
            box.button(QMessageBox.Cancel).setText(tr("Cancel"))
            box.setDefaultButton(QMessageBox.Cancel)
            answer = box.exec_()
            box.deleteLater()
            if answer != QMessageBox.Discard:
                return
        self.close()

    # ----------------------------------------------------------------- state

    def _restore_state(self) -> None:
        settings = app_settings()
        geometry = QByteArray(settings.value("window/geometry"))
        if geometry.isEmpty() or not self.restoreGeometry(geometry):
            self.resize(FIRST_SIZE)
        self.tabs.setCurrentIndex(settings.value("window/tab"))

    def closeEvent(self, event: QCloseEvent) -> None:
        settings = app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/tab", self.tabs.currentIndex())
        for page in self.built_pages():
            page.shutdown()
        from vision_agent.services.download_worker import DownloadWorker

        DownloadWorker.cancel_all()
        self._closed.set()
        event.accept()
