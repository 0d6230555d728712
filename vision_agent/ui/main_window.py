"""The main window: one tab per vision program, menus, status bar, language switch."""

from __future__ import annotations

from PyQt5.QtCore import QByteArray, pyqtSlot
from PyQt5.QtGui import QCloseEvent, QKeySequence
from PyQt5.QtWidgets import (
    QAction,
    QActionGroup,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from vision_agent import __version__
from vision_agent.controllers.choices import SharedChoices
from vision_agent.i18n import LANGUAGES, language, set_language, tr
from vision_agent.ui.settings import app_settings
from vision_agent.ui.tabs.base import VisionTab
from vision_agent.ui.tabs.classifier_tab import ClassifierTab
from vision_agent.ui.tabs.dog_tab import DogTab
from vision_agent.ui.tabs.face_tab import FaceCamTab
from vision_agent.ui.tabs.postal_tab import PostalTab

TAB_CLASSES: tuple[type[VisionTab], ...] = (PostalTab, DogTab, ClassifierTab, FaceCamTab)


class MainWindow(QMainWindow):
    """Hosts the tabs; starts their models after it is shown and stops them when it closes."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.tabs = QTabWidget(self)
        self.setCentralWidget(self.tabs)
        self.tab_pages: list[VisionTab] = []
        self._status_by_tab: dict[QWidget, str] = {}
        # What several tabs share (the ImageNet model, which models are here); the Models
        # dialog calls `choices.models_changed()` after a download or an import.
        self.choices = SharedChoices(app_settings(), parent=self)
        for tab_class in TAB_CLASSES:
            shares = tab_class in (ClassifierTab, DogTab)
            tab = tab_class(self, choices=self.choices) if shares else tab_class(self)
            tab.sig_status_message.connect(self._on_tab_status)
            tab.sig_quit_requested.connect(self.close)
            self.tabs.addTab(tab, tab.title())
            self.tab_pages.append(tab)
        self._build_menus()
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._restore_state()
        self.retranslate_ui()
        self._started = False
        self.closed = False

    def _build_menus(self) -> None:
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
        self.help_menu = bar.addMenu("")
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self.show_about)
        self.help_menu.addAction(self.about_action)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.Quit)
        self.quit_action.triggered.connect(self.close)

    def _rebuild_file_menu(self) -> None:
        self.file_menu.clear()
        page = self.tabs.currentWidget()
        if isinstance(page, VisionTab):
            page.fill_file_menu(self.file_menu)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(tr("Vision Agent"))
        self.file_menu.setTitle(tr("&File"))
        self.view_menu.setTitle(tr("&View"))
        self.language_menu.setTitle(tr("Language / 언어"))
        self.help_menu.setTitle(tr("&Help"))
        self.about_action.setText(tr("About Vision Agent"))
        self.models_action.setText(tr("Models…"))
        self.quit_action.setText(tr("Quit"))
        for index, page in enumerate(self.tab_pages):
            page.retranslate_ui()
            self.tabs.setTabText(index, page.title())
        self._rebuild_file_menu()

    @pyqtSlot(QAction)
    def _on_language_action(self, action: QAction) -> None:
        self.switch_language(action.data())

    def switch_language(self, code: str) -> None:
        set_language(code)
        app_settings().setValue("language", code)
        self.language_actions[code].setChecked(True)
        self.retranslate_ui()

    @pyqtSlot(int)
    def _on_tab_changed(self, _index: int) -> None:
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

        ModelsDialog(parent=self).exec_()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            tr("About Vision Agent"),
            tr(
                "Vision Agent {version}\nPostal codes, dog breeds, ImageNet top-5 and SSD faces "
                "for people learning computer vision."
            ).format(version=__version__),
        )

    def postal_tab(self) -> PostalTab:
        return next(page for page in self.tab_pages if isinstance(page, PostalTab))

    def start_tabs(self) -> None:
        """Load every tab's model (after the window is on screen, unless it was closed)."""
        if self._started or self.closed:
            return
        self._started = True
        for page in self.tab_pages:
            page.start()

    def _restore_state(self) -> None:
        settings = app_settings()
        geometry = settings.value("window/geometry", QByteArray(), type=QByteArray)
        if geometry.isEmpty() or not self.restoreGeometry(geometry):
            self.resize(1100, 640)
        self.tabs.setCurrentIndex(settings.value("window/tab", 0, type=int))

    def closeEvent(self, event: QCloseEvent) -> None:
        settings = app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/tab", self.tabs.currentIndex())
        settings.sync()
        for page in self.tab_pages:
            page.shutdown()
        from vision_agent.services.download_worker import DownloadWorker

        DownloadWorker.cancel_all()
        self.closed = True
        event.accept()
