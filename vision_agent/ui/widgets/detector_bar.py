"""The face cam's detector row: "Model:" (res10 models, own file), confidence slider, blur.

A res10 model that is not on this computer is listed with its download size (only the TensorFlow
uint8 one ships with the app).
"""

from __future__ import annotations

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QWidget

from vision_agent.controllers.faces import model_name
from vision_agent.controllers.model_slot import store_presence
from vision_agent.core.faces import (
    DEFAULT_THRESHOLD,
    FACE_MODEL_FILE_FILTER,
    MODEL_CHOICES,
    SHIPPED_MODEL,
)
from vision_agent.i18n import tr
from vision_agent.ui.settings import ask_open_path
from vision_agent.ui.widgets.model_combo import NarrowableCombo, needs_download_caption

OWN_MODEL = "own-file"


class DetectorBar(QWidget):
    """The model list shows the current choice (an own file is listed by its name).

    Signals:
        sig_model_chosen(str): load this choice (a MODEL_CHOICES name or a detector file's path).
        sig_threshold(float): the confidence a face needs, 0.05–0.95.
        sig_blur(bool): blur the faces found.
    """

    sig_model_chosen = pyqtSignal(str)
    sig_threshold = pyqtSignal(float)
    sig_blur = pyqtSignal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label, self.threshold_label = QLabel(self), QLabel(self)
        self.combo = NarrowableCombo(self)
        self.combo.activated.connect(self._on_activated)
        self.threshold_slider = QSlider(Qt.Horizontal, self)
        self.threshold_slider.setRange(5, 95)
        self.threshold_slider.setValue(round(DEFAULT_THRESHOLD * 100))
        self.threshold_slider.setFixedWidth(160)
        self.threshold_slider.valueChanged.connect(self._on_threshold)
        self.threshold_value = QLabel(f"{DEFAULT_THRESHOLD:.2f}", self)
        self.blur_check = QCheckBox(self)
        self.blur_check.toggled.connect(self.sig_blur)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.combo, self.threshold_label, self.threshold_slider):
            layout.addWidget(widget)
        layout.addWidget(self.threshold_value)
        layout.addWidget(self.blur_check)
        self._choice = SHIPPED_MODEL

    def retranslate_ui(self) -> None:
        self.label.setText(tr("Model:"))
        self.threshold_label.setText(tr("Confidence ≥"))
        self.blur_check.setText(tr("Blur faces (privacy)"))
        self.set_choice(self._choice)

    def set_choice(self, choice: str) -> None:
        self._choice = choice
        self.combo.clear()
        for item, model_id in MODEL_CHOICES.items():
            label = model_name(item)
            here = store_presence(model_id)
            self.combo.addItem(label if here else needs_download_caption(label, model_id), item)
        if self.combo.findData(choice) < 0:
            self.combo.addItem(model_name(choice), choice)
        self.combo.addItem(tr("Own detector file…"), OWN_MODEL)
        self.combo.setCurrentIndex(self.combo.findData(choice))

    def _on_activated(self, index: int) -> None:
        choice = self.combo.itemData(index)
        if choice == OWN_MODEL:
            self.choose_file()
        elif choice != self._choice:
            self.sig_model_chosen.emit(choice)

    def choose_file(self) -> None:
        path = ask_open_path(self, tr("Open face detector"), "models", FACE_MODEL_FILE_FILTER)
        if path:
            self.sig_model_chosen.emit(str(path))
        else:
            self.set_choice(self._choice)

    def _on_threshold(self, value: int) -> None:
        self.threshold_value.setText(f"{value / 100:.2f}")
        self.sig_threshold.emit(value / 100)
