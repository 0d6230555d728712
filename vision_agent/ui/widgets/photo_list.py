"""The photos opened together (several files, or a folder), browsed with the arrow keys.

One component for every tab that classifies photos: it expands folders, lists the photos when
there are several, and moves through them with Up/Down/Left/Right wherever the focus is in the
tab (the list, the photo, a button, a drop-down list: the model list never switches models on an
arrow key). Only controls whose job is arrow keys keep them: a slider, another list.
"""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import QEvent, QObject, QSignalBlocker, Qt, pyqtSignal, pyqtSlot
from PyQt5.QtGui import QKeyEvent
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from vision_agent.core.imageio import is_image_path
from vision_agent.i18n import tr
from vision_agent.ui.settings import ask_folder, ask_open_paths
from vision_agent.ui.shortcuts import add_shortcuts
from vision_agent.ui.widgets.image_view import IMAGE_FILE_FILTER

BACK_KEYS = (Qt.Key_Up, Qt.Key_Left)
FORWARD_KEYS = (Qt.Key_Down, Qt.Key_Right)
# Controls that need the arrow keys for themselves keep them.
KEEPS_ARROWS = (QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QLineEdit)


class _KeepArrows(QObject):
    """Claims the arrow keys for the control it watches, before the tab's shortcuts see them."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        arrow = isinstance(event, QKeyEvent) and event.key() in BACK_KEYS + FORWARD_KEYS
        if event.type() == QEvent.ShortcutOverride and arrow:
            event.accept()
            return True
        return False


class PhotoList(QListWidget):
    """A list of photo files, hidden while it holds fewer than two.

    Signals:
        sig_photo_chosen(object): the Path of the photo to show now.
        sig_status_message(str): a line for the status bar.
    """

    sig_photo_chosen = pyqtSignal(object)
    sig_status_message = pyqtSignal(str)

    def __init__(self, folder_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder_key = folder_key  # where the open dialogs start (remembered per tab)
        self.setMinimumWidth(150)
        self.setVisible(False)
        self.currentItemChanged.connect(self._on_current_changed)

    def browse_with_keys(self, host: QWidget) -> None:
        """The arrow keys move through the photos wherever the focus is inside `host`, except
        in the controls that need them (see KEEPS_ARROWS; those made before this call)."""
        add_shortcuts(
            host,
            [(key, "Previous photo", self.show_previous) for key in BACK_KEYS]
            + [(key, "Next photo", self.show_next) for key in FORWARD_KEYS],
            Qt.WidgetWithChildrenShortcut,  # on the tab bar, the arrows switch tabs
        )
        keeper = _KeepArrows(self)
        for widget in host.findChildren(QWidget):
            if isinstance(widget, KEEPS_ARROWS) and widget is not self:
                widget.installEventFilter(keeper)

    def show_next(self) -> None:
        self.step(1)

    def show_previous(self) -> None:
        self.step(-1)

    def step(self, delta: int) -> None:
        """Show the next (1) or previous (-1) photo of the list; nothing past either end."""
        row = self.currentRow() + delta
        if self.count() > 1 and 0 <= row < self.count():
            self.setCurrentRow(row)

    def choose_photos(self) -> None:
        paths = ask_open_paths(self, tr("Open photos"), self.folder_key, IMAGE_FILE_FILTER)
        if paths:
            self.open_paths(paths)

    def choose_folder(self) -> None:
        folder = ask_folder(self, tr("Open folder"), self.folder_key)
        if folder:
            self.open_paths([folder])

    @pyqtSlot(list)
    def open_paths(self, paths: list[Path]) -> None:
        """Files and folders: the photos fill the list and the first one is shown."""
        files: list[Path] = []
        for path in map(Path, paths):
            if path.is_dir():
                files += sorted(p for p in path.iterdir() if p.is_file() and is_image_path(p))
            else:
                files.append(path)
        if not files:
            self.sig_status_message.emit(tr("No photos there."))
            return
        with QSignalBlocker(self):
            self.clear()
            for path in files:
                item = QListWidgetItem(path.name)
                item.setData(Qt.UserRole, str(path))
                item.setToolTip(str(path))
                self.addItem(item)
            self.setCurrentRow(0)
        self.setVisible(len(files) > 1)
        self.sig_photo_chosen.emit(files[0])

    def paths(self) -> list[Path]:
        return [Path(self.item(i).data(Qt.UserRole)) for i in range(self.count())]

    @pyqtSlot(QListWidgetItem, QListWidgetItem)
    def _on_current_changed(self, current: QListWidgetItem | None, _previous) -> None:
        if current is not None:
            self.sig_photo_chosen.emit(Path(current.data(Qt.UserRole)))
