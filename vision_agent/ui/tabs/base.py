"""What the main window expects of every tab."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import QAction, QMenu, QWidget

from vision_agent.ui.photo_messages import photo_message

MenuEntry = tuple[str, QKeySequence.StandardKey | None, Callable[[], object]]


def add_menu_actions(menu: QMenu, entries: Iterable[MenuEntry]) -> None:
    """One action per (text, shortcut or None, slot), in order."""
    for text, shortcut, slot in entries:
        action = QAction(text, menu)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)


class VisionTab(QWidget):
    """A tab of the main window.

    Signals:
        sig_status_message(str): a line for the window's status bar.
        sig_quit_requested(): the user asked to quit from inside the tab (the Q key).
    """

    sig_status_message = pyqtSignal(str)
    sig_quit_requested = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._status: Callable[[], str] = str  # what the status bar says for this tab

    def say_status(self, text: Callable[[], str] | str) -> None:
        """A line for the window's status bar; one given as a function is said again in the new
        language by `repeat_status`."""
        self._status = text if callable(text) else lambda: text
        self.repeat_status()

    def repeat_status(self) -> None:
        """Say the status line again (after a language switch)."""
        self.sig_status_message.emit(self._status())

    def status_text(self) -> str:
        return self._status()

    def title(self) -> str:
        """The tab's caption in the current language."""
        raise NotImplementedError

    def start(self) -> None:
        """Begin loading models (called once the window is visible)."""

    def retranslate_ui(self) -> None:
        """Re-read every visible string after a language change."""

    def fill_file_menu(self, menu: QMenu) -> None:
        """Add this tab's actions to the File menu (called whenever the tab becomes current)."""

    def unsaved_work(self) -> str | None:
        """What quitting now would lose, in the UI's language; None when nothing would be."""
        return None

    def shutdown(self) -> None:
        """Stop every thread the tab owns and wait for it."""

    def on_photo_status(self, text: str) -> None:
        """A photo controller's status line, a reader's reason said in the UI's language (a
        method, not a lambda: a lambda held by the controller would keep the tab alive)."""
        self.sig_status_message.emit(photo_message(text))
