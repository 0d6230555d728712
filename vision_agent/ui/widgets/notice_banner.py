"""A line above the picture saying what happened, with only the buttons that make sense for it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PyQt5.QtWidgets import QFrame, QHBoxLayout, QPushButton, QWidget

from vision_agent.ui.widgets.rendered_label import RenderedLabel

# Only the banner itself is framed (its label is a QFrame too).
PROBLEM_STYLE = "QFrame#notice { background: #fff3cd; border: 1px solid #d39e00; }"
NOTICE_STYLE = "QFrame#notice { background: #e7f1fb; border: 1px solid #6b9bd1; }"


class NoticeBanner(QFrame):
    """Hidden until `show_notice`; `retranslate_ui` renders its text again (language switch).

    Buttons are added once with `add_button` and shown per notice.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.label = RenderedLabel(self)
        self._layout = QHBoxLayout(self)
        self._layout.addWidget(self.label, 1)
        self._buttons: list[QPushButton] = []
        self.problem = False  # what the shown notice is: a problem, or a plain notice
        self.setVisible(False)

    def add_button(self, on_click: Callable[[], object]) -> QPushButton:
        button = QPushButton(self)
        button.clicked.connect(on_click)
        self._layout.addWidget(button)
        self._buttons.append(button)
        return button

    def show_notice(
        self, render: Callable[[], str], buttons: Iterable[QPushButton], problem: bool = True
    ) -> str:
        """Show `render()` with `buttons`: a problem in yellow, a plain notice (e.g. a video
        that ended) in blue. Returns the text."""
        shown = set(buttons)
        for button in self._buttons:
            button.setVisible(button in shown)
        self.problem = problem
        self.setStyleSheet(PROBLEM_STYLE if problem else NOTICE_STYLE)
        self.setVisible(True)
        return self.label.show_rendered(render)

    def message(self) -> str:
        return self.label.text()

    def retranslate_ui(self) -> None:
        self.label.retranslate_ui()
