"""The ImageNet tab's right side: Grad-CAM controls, the top-5 chart, Save and Copy."""

from __future__ import annotations

from PyQt5.QtCore import QSignalBlocker, Qt, pyqtSignal
from PyQt5.QtGui import QColor, QLinearGradient, QPainter, QPixmap
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from vision_agent.core.classify import Classification
from vision_agent.i18n import tr
from vision_agent.ui.widgets.labels_check import LabelsCheck
from vision_agent.ui.widgets.probability_bars import ProbabilityBars


class Top5Panel(QWidget):
    """Grad-CAM on/off and its class, the overlay's opacity, the chart, Save image and Copy.

    Signals:
        sig_gradcam_changed(bool, object): Grad-CAM wanted, for this class index (or None).
        sig_opacity_changed(float): the overlay's opacity, 0..1.
        sig_labels_shown(bool): the top-5 labels over the photo on or off.
    """

    sig_gradcam_changed = pyqtSignal(bool, object)
    sig_opacity_changed = pyqtSignal(float)
    sig_labels_shown = pyqtSignal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cam_check = QCheckBox(self)
        self.cam_check.toggled.connect(self._on_gradcam_changed)
        self.cam_class_combo = QComboBox(self)
        self.cam_class_combo.setMinimumContentsLength(12)
        self.cam_class_combo.activated.connect(self._on_gradcam_changed)
        self.opacity_caption = QLabel(self)
        self.opacity_slider = QSlider(Qt.Horizontal, self)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(50)
        self.opacity_slider.valueChanged.connect(self._on_opacity_changed)
        self.legend_low, self.legend_high = QLabel(self), QLabel(self)
        self.legend_bar = QLabel(self)
        self.legend_bar.setPixmap(_heat_legend(120, 10))
        self.labels_check = LabelsCheck("classifier/labels_shown", self)
        self.labels_check.toggled.connect(self.sig_labels_shown)
        self.chart = ProbabilityBars(horizontal=True, parent=self)
        self.chart.setMinimumWidth(300)
        self.save_button = QPushButton(self)
        self.copy_button = QPushButton(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        rows = (
            (self.cam_check, self.cam_class_combo),
            (self.opacity_caption, self.opacity_slider),
        )
        for left, right in rows:
            line = QHBoxLayout()
            line.addWidget(left)
            line.addWidget(right, 1)
            layout.addLayout(line)
        legend = QHBoxLayout()
        for widget in (self.legend_low, self.legend_bar, self.legend_high):
            legend.addWidget(widget)
        legend.addStretch(1)
        layout.addLayout(legend)
        layout.addWidget(self.labels_check)
        layout.addWidget(self.chart, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.copy_button)
        layout.addLayout(buttons)
        self._result: Classification | None = None

    def retranslate_ui(self) -> None:
        self.cam_check.setText(tr("Grad-CAM"))
        self.opacity_caption.setText(tr("Opacity"))
        self.legend_low.setText(tr("looked least"))
        self.legend_high.setText(tr("looked most"))
        legend = tr(
            "Grad-CAM's colours: blue where the network looked least for the chosen class, "
            "red where it looked most."
        )
        self.legend_bar.setToolTip(legend)
        self.labels_check.retranslate_ui()
        self.save_button.setText(tr("Save image…"))
        self.copy_button.setText(tr("Copy results"))
        self.show_result(
            self._result, self.cam_check.isChecked(), self.cam_class_combo.currentData()
        )

    def opacity(self) -> float:
        return self.opacity_slider.value() / 100

    def show_result(
        self, result: Classification | None, gradcam: bool, gradcam_class: int | None
    ) -> None:
        """The chart and Grad-CAM's class list for `result`; Grad-CAM on or off."""
        self._result = result
        top = result.top if result is not None else ()
        self.chart.set_bars(
            [s.label for s in top], [s.probability for s in top], tr("Top-5 probabilities")
        )
        self.cam_class_combo.clear()
        for score in top:
            self.cam_class_combo.addItem(score.label, score.index)
        self.cam_class_combo.setCurrentIndex(max(0, self.cam_class_combo.findData(gradcam_class)))
        with QSignalBlocker(self.cam_check):
            self.cam_check.setChecked(gradcam)

    def enable(self, keras: bool, has_result: bool) -> None:
        """Grad-CAM needs a Keras model; Save and Copy need a result."""
        self.cam_check.setEnabled(keras)
        self.cam_check.setToolTip(
            tr("Show where the network looked for the chosen class.")
            if keras
            else tr("Grad-CAM needs a Keras model (ResNet50 or your own).")
        )
        self.cam_class_combo.setEnabled(keras and has_result)
        shown = keras and has_result and self.cam_check.isChecked()  # a heat map on the photo
        self.opacity_caption.setEnabled(shown)
        self.opacity_slider.setEnabled(shown)
        for widget in (self.legend_low, self.legend_bar, self.legend_high):
            widget.setVisible(shown)
        self.save_button.setEnabled(has_result)
        self.copy_button.setEnabled(has_result)

    def _on_opacity_changed(self, _value: int) -> None:
        self.sig_opacity_changed.emit(self.opacity())

    def _on_gradcam_changed(self) -> None:
        self.sig_gradcam_changed.emit(
            self.cam_check.isChecked(), self.cam_class_combo.currentData()
        )


def _heat_legend(width: int, height: int) -> QPixmap:
    """Grad-CAM's colour scale (OpenCV's JET: blue, cyan, yellow, red), low to high."""
    pixmap = QPixmap(width, height)
    gradient = QLinearGradient(0, 0, width, 0)
    for stop, color in ((0.0, "#00007f"), (0.35, "#00ffff"), (0.65, "#ffff00"), (1.0, "#7f0000")):
        gradient.setColorAt(stop, QColor(color))
    painter = QPainter(pixmap)
    painter.fillRect(pixmap.rect(), gradient)
    painter.end()
    return pixmap
