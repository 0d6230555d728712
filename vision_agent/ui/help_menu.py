"""The Help menu: every keyboard shortcut, how to use the current tab, and About with the credits
and licences of every model.

The shortcuts sheet is read from the tabs themselves (their QShortcuts and their File menu's
actions), so it cannot drift from what the keys do. Credits come from the model registry.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PyQt5.QtCore import Qt, QTimer, pyqtSlot
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import (
    QAction,
    QDialog,
    QDialogButtonBox,
    QMenu,
    QShortcut,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vision_agent import __version__
from vision_agent.i18n import tr
from vision_agent.ui.shortcuts import DESCRIPTION_PROPERTY
from vision_agent.ui.tabs.base import VisionTab

if TYPE_CHECKING:
    from vision_agent.ui.main_window import MainWindow

Shortcuts = list[tuple[str, str]]  # (keys as the user types them, what they do)


def how_to_text(tab: VisionTab) -> str:
    """A few lines on using a tab, in the UI's language."""
    texts = {
        "PostalTab": tr(
            "Write the five digits of a postal code in the five boxes with the mouse, or open a "
            'drawing: the code is read as you draw (with "Recognize as I draw" off, R reads it). '
            'Under each box are its digit and how sure the model is; an orange "3 or 8?" means the '
            "model is unsure between two digits: check it. In the code line, ? marks an unsure "
            "digit, _ an empty box and ✗ ink that is no digit; ✎ under a box means your handwriting"
            " profile read it. Click a digit (or Tab to it and press Enter) to say what it really "
            "was: the model learns your handwriting. E erases, Ctrl+Z undoes the last change "
            "(Ctrl+Y redoes it), S shows the 28×28 inputs the model sees and N what happens inside "
            "the network."
        ),
        "DogTab": tr(
            "Open a dog photo (Ctrl+O) or drop one on the view: the five likeliest breeds are "
            "drawn on it (L hides or shows them), beside a bar chart and a verdict. When the top "
            'breed is weak the verdict says "Not sure: A or B?". A photo without a dog says '
            "what it looks like instead. The recognizer is the ImageNet classifier chosen in the "
            "ImageNet tab, or a breed model you trained or opened."
        ),
        "ClassifierTab": tr(
            "Open a photo (Ctrl+O) or a folder, drop photos on the view, or paste an image "
            "(Ctrl+V): the five likeliest of the 1000 ImageNet classes appear beside it. Choose "
            "the network in the Model list; a model that is not on this computer can be "
            "downloaded or imported from a folder. With a Keras model, Grad-CAM shows where the "
            "network looked; L hides or shows the labels on the photo. Save image… and Copy "
            "results keep the answer."
        ),
        "FaceCamTab": tr(
            "Choose a camera, a video or a photo and press Start (or drop a file on the view): "
            "the SSD detector draws a box around each face with its confidence. Space pauses, "
            "Esc stops, Save snapshot… (Ctrl+S) saves the view with its boxes. The confidence "
            "slider hides weak detections; Blur faces hides who is there."
        ),
    }
    return texts.get(type(tab).__name__, "")


def keys_text(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.NativeText)


def tab_shortcuts(tab: VisionTab) -> Shortcuts:
    """The tab's keys: its File menu's actions and every QShortcut inside it."""
    found: Shortcuts = []
    menu = QMenu()
    tab.fill_file_menu(menu)
    for action in menu.actions():
        if not action.shortcut().isEmpty():
            found.append((keys_text(action.shortcut()), action.text().replace("&", "")))
    menu.deleteLater()
    for shortcut in tab.findChildren(QShortcut):
        description = shortcut.property(DESCRIPTION_PROPERTY)
        found.append((keys_text(shortcut.key()), tr(description) if description else ""))
    return found


def window_shortcuts(actions: list[QAction]) -> Shortcuts:
    return [
        (keys_text(a.shortcut()), a.text().replace("&", ""))
        for a in actions
        if not a.shortcut().isEmpty()
    ]


def shortcuts_html(sections: list[tuple[str, Shortcuts]]) -> str:
    parts = []
    for title, rows in sections:
        parts.append(f"<h3>{escape(title)}</h3><table cellspacing='4'>")
        for keys, description in rows:
            parts.append(f"<tr><td><b>{escape(keys)}</b></td><td>{escape(description)}</td></tr>")
        parts.append("</table>")
    return "".join(parts)


def model_credits_html() -> str:
    """Every registry model: its name, where it comes from and its licence."""
    # Imported here: the menu is built before the window appears, the registry read on demand.
    from vision_agent.core.errors import UserError
    from vision_agent.models.registry import default_registry, format_size
    from vision_agent.ui.model_problem_text import model_name

    try:
        entries = default_registry().all_entries()
    except UserError as exc:
        return f"<p>{escape(str(exc))}</p>"
    rows = "".join(
        "<li><b>{name}</b><br>{source}<br>{license}<br>{where}</li>".format(
            name=escape(model_name(e)),
            source=escape(tr("Source: {source}").format(source=e.source)),
            license=escape(tr("Licence: {license}").format(license=e.license)),
            where=escape(
                tr("Ships with the app")
                if e.shipped
                else tr("Downloaded when chosen: {size}").format(size=format_size(*e.known_size))
            ),
        )
        for e in entries
    )
    return f"<h3>{escape(tr('Models and their licences'))}</h3><ul>{rows}</ul>"


def about_html() -> str:
    intro = tr(
        "Vision Agent {version}\nPostal codes, dog breeds, ImageNet top-5 and SSD faces "
        "for people learning computer vision."
    ).format(version=__version__)
    return "<p>" + escape(intro).replace("\n", "<br>") + "</p>" + model_credits_html()


class HelpSheet(QDialog):
    """A read-only page of rich text with a Close button."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WA_DeleteOnClose)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(self.buttons)
        self.resize(640, 520)

    def set_content(self, title: str, html: str) -> None:
        self.setWindowTitle(title)
        self.browser.setHtml(html)
        self.buttons.button(QDialogButtonBox.Close).setText(tr("Close"))


class HelpMenu(QMenu):
    """Help ▸ Keyboard shortcuts, How to use this tab (F1), About Vision Agent.

    An open sheet is written again in the new language when the language changes."""

    SHORTCUTS, HOW_TO, ABOUT = "shortcuts", "how to", "about"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.shortcuts_action = self.addAction("", self.show_shortcuts)
        self.how_to_action = self.addAction("", self.show_how_to)
        self.how_to_action.setShortcut(QKeySequence.HelpContents)
        self.addSeparator()
        self.about_action = self.addAction("", self.show_about)
        self.sheet: HelpSheet | None = None
        self._sheet_kind = ""

    def window_(self) -> MainWindow:
        return self.parentWidget()

    def retranslate_ui(self) -> None:
        self.setTitle(tr("&Help"))
        self.shortcuts_action.setText(tr("Keyboard shortcuts"))
        self.how_to_action.setText(tr("How to use this tab"))
        self.about_action.setText(tr("About Vision Agent"))
        if self.sheet is not None:
            self.sheet.set_content(*self._content(self._sheet_kind))

    def shortcut_sections(self) -> list[tuple[str, Shortcuts]]:
        """Everywhere, then every tab built so far (the sheet builds the others)."""
        window = self.window_()
        general = window_shortcuts([window.quit_action, *self.actions()])
        sections = [(tr("Everywhere"), general)]
        for index, page in window.built_tabs():
            sections.append((window.tabs.tabText(index), tab_shortcuts(page)))
        return sections

    def _content(self, kind: str) -> tuple[str, str]:
        if kind == self.SHORTCUTS:
            return tr("Keyboard shortcuts"), shortcuts_html(self.shortcut_sections())
        if kind == self.HOW_TO:
            window = self.window_()
            title = window.tabs.tabText(window.tabs.currentIndex())
            text = how_to_text(window.current_page())
            return tr("How to use this tab"), f"<h3>{escape(title)}</h3><p>{escape(text)}</p>"
        return tr("About Vision Agent"), about_html()

    def show_shortcuts(self) -> HelpSheet:
        """The sheet now; each tab not built yet is built (its model not loaded) in a later turn
        of the event loop, a build holding the GUI thread 10-30 ms, and the sheet written again."""
        sheet = self._show(self.SHORTCUTS)
        QTimer.singleShot(1, self._build_next_tab)
        return sheet

    @pyqtSlot()
    def _build_next_tab(self) -> None:
        window = self.window_()
        missing = window.unbuilt_indexes()
        if self.sheet is None or self._sheet_kind != self.SHORTCUTS or not missing:
            return
        window.page(missing[0], start=False)
        self.sheet.set_content(*self._content(self.SHORTCUTS))
        QTimer.singleShot(1, self._build_next_tab)

    def show_how_to(self) -> HelpSheet:
        return self._show(self.HOW_TO)

    def show_about(self) -> HelpSheet:
        return self._show(self.ABOUT)

    def _show(self, kind: str) -> HelpSheet:
        if self.sheet is None:
            self.sheet = HelpSheet(self.window_())
            self.sheet.finished.connect(self._forget_sheet)
        self._sheet_kind = kind
        self.sheet.set_content(*self._content(kind))
        self.sheet.show()
        self.sheet.raise_()
        return self.sheet

    def _forget_sheet(self) -> None:
        self.sheet = None
