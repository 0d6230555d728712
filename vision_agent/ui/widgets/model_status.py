"""The one rendering of a model slot's status: a model line and, only while the user's pick
cannot be used, the missing-model panel (said once: the line then names the model in use)."""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QLabel, QVBoxLayout, QWidget

from vision_agent.controllers.model_slot import ModelState, SlotStatus
from vision_agent.i18n import tr
from vision_agent.models.store import ModelStore
from vision_agent.ui.model_problem_text import model_file_problem
from vision_agent.ui.widgets.model_download_panel import ModelDownloadPanel


def model_line_text(state: str, name: str) -> str:
    """The line for the model in use: 'Model: X', 'Loading X…', or nothing."""
    if state == ModelState.READY:
        return tr("Model: {name}").format(name=name)
    if state == ModelState.LOADING:
        return tr("Loading {name}…").format(name=name)
    return ""


class ModelStatusView(QWidget):
    """Renders a `SlotStatus` (plus a note the tab adds to the line, e.g. the last answer's time).

    `panel` is the missing-model panel: connect its `sig_downloaded`, `sig_use_another_model`
    and `sig_dismissed` to what the tab does.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        align: Qt.Alignment = Qt.AlignLeft,
        store: ModelStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.panel = ModelDownloadPanel(self, store)
        self.line = QLabel(self)
        self.line.setWordWrap(True)  # a long name must not widen the window
        self.line.setAlignment(align | Qt.AlignVCenter)
        self.line.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.line.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.panel)
        layout.addWidget(self.line)
        self._status = SlotStatus()
        self._note = ""

    def show_status(self, status: SlotStatus, note: str = "") -> None:
        self._status, self._note = status, note
        self.retranslate_ui()

    def show_note(self, note: str) -> None:
        """Only the line's note changed."""
        self._note = note
        self._show_line()

    def retranslate_ui(self) -> None:
        self.panel.retranslate_ui()
        self._show_line()
        refusal = self._status.refusal
        if refusal is None:
            self.panel.clear()
            return
        message = ""  # a missing model: the panel says what and how to get it
        if not refusal.missing_id:
            problem = model_file_problem(refusal.message)
            message = tr("{name} could not be loaded: {problem}")
            message = message.format(name=refusal.caption(), problem=problem)
        kept = self._status.kept  # the note: the previous model stays in use
        note = tr("Still using {name}.").format(name=kept.caption()) if kept is not None else ""
        self.panel.show_missing(refusal.missing_id, message, note, refusal.corrupt)

    def _show_line(self) -> None:
        choice = self._status.choice
        name = choice.caption() if choice is not None else ""
        text = model_line_text(self._status.state, name)
        self.line.setText(text + self._note if text else "")

    def shutdown(self) -> None:
        self.panel.shutdown()
