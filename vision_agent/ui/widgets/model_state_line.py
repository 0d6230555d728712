"""A tab's model line: the model's state in the UI's language, re-rendered on a language switch."""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QLabel, QWidget

from vision_agent.services.model_service import ModelState
from vision_agent.ui.model_state_text import model_state_text

PROBLEM_STYLE = "color: #a04000;"


class ModelStateLine(QLabel):
    """Shows `model_state_text` for the last state given; a problem in orange."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)  # a long message must not widen the window
        self.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self._state: tuple[str, str, str] = (ModelState.IDLE, "", "")

    def set_state(self, state: str, name: str, problem: str = "") -> str:
        """Show the state; returns its text."""
        self._state = (state, name, problem)
        return self.retranslate_ui()

    def retranslate_ui(self) -> str:
        text, is_problem = model_state_text(*self._state)
        self.setText(text)
        self.setStyleSheet(PROBLEM_STYLE if is_problem else "")
        return text
