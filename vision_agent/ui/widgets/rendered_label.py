"""A label whose text is made by a function, so that a language switch can make it again."""

from __future__ import annotations

from collections.abc import Callable

from PyQt5.QtWidgets import QLabel, QWidget


class RenderedLabel(QLabel):
    """Word-wrapped (a long message must not widen the window); `render` is kept, not the text.

    Give it functions of plain values, never of the widget that owns it (that would be a
    reference cycle keeping the window alive).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self._render: Callable[[], str] = str

    def show_rendered(self, render: Callable[[], str]) -> str:
        """Show `render()`; returns the text."""
        self._render = render
        return self.retranslate_ui()

    def retranslate_ui(self) -> str:
        text = self._render()
        self.setText(text)
        return text
