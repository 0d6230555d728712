"""The two rows of controls above the postal canvas: what to do with the drawing, how to draw
and what else to show."""

from __future__ import annotations

from PyQt5.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from vision_agent.i18n import tr


class PostalControls(QWidget):
    """Recognize, Erase, Undo, Redo; then "Recognize as I draw", the model inputs and "Inside the
    network" toggles, and the pen width. The tab connects the buttons to its actions."""

    def __init__(self, pen_width: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recognize_button, self.erase_button, self.undo_button, self.redo_button = (
            QPushButton(self) for _ in range(4)
        )
        self.inputs_button, self.network_button = (QPushButton(self) for _ in range(2))
        for toggle in (self.inputs_button, self.network_button):
            toggle.setCheckable(True)
        self.live_check = QCheckBox(self)
        self.live_check.setChecked(True)
        self.pen_label = QLabel(self)
        self.pen_spin = QSpinBox(self)
        self.pen_spin.setRange(2, 30)
        self.pen_spin.setValue(pen_width)
        actions, options = QHBoxLayout(), QHBoxLayout()
        for button in (
            self.recognize_button,
            self.erase_button,
            self.undo_button,
            self.redo_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        for widget in (self.live_check, self.inputs_button, self.network_button):
            options.addWidget(widget)
        options.addStretch(1)
        options.addWidget(self.pen_label)
        options.addWidget(self.pen_spin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(actions)
        layout.addLayout(options)

    def retranslate_ui(self) -> None:
        self.recognize_button.setText(tr("Recognize") + " (R)")
        self.erase_button.setText(tr("Erase") + " (E)")
        self.undo_button.setText(tr("Undo") + " (Ctrl+Z)")
        self.redo_button.setText(tr("Redo") + " (Ctrl+Y)")
        self.inputs_button.setText(tr("Model inputs") + " (S)")
        self.live_check.setText(tr("Recognize as I draw"))
        self.network_button.setText(tr("Inside the network") + " (N)")
        self.pen_label.setText(tr("Pen width"))

    def enable(self, has_ink: bool, can_undo: bool, can_redo: bool) -> None:
        self.erase_button.setEnabled(has_ink)
        self.undo_button.setEnabled(can_undo)
        self.redo_button.setEnabled(can_redo)
