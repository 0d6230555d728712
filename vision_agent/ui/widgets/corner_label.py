"""A text box kept at the bottom-left corner of an ImageView's picture, also when it is resized."""

from __future__ import annotations

from PyQt5.QtCore import QEvent, QObject
from PyQt5.QtWidgets import QLabel

from vision_agent.ui.widgets.image_view import ImageView

STYLE = "background: rgba(0, 0, 0, 150); color: white; padding: 4px; font-family: monospace;"
MARGIN = 6


class CornerLabel(QLabel):
    """Lies over `view`'s picture (bottom-left: labels sit at the top of face boxes)."""

    def __init__(self, view: ImageView) -> None:
        super().__init__(view)
        self._view = view
        self.setStyleSheet(STYLE)
        self.setVisible(False)
        view.installEventFilter(self)

    def show_text(self, text: str) -> None:
        self.setText(text)
        self.adjustSize()
        self.place()
        self.setVisible(True)

    def place(self) -> None:
        corner = self._view.image_rect().bottomLeft()
        x = max(0, corner.x()) + MARGIN
        self.move(x, max(0, corner.y() - self.height() - MARGIN + 1))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._view and event.type() == QEvent.Resize:
            self.place()
        return False
