""" "Inside the network" for the postal tab: one box's preprocessing steps and every layer.

The panel only shows what it is given: the tab asks its controller for `explain(canvas, box)`
(computed where the model runs, never on the GUI thread) only while the panel is switched on.
It shows the 28×28 input after each preprocessing step, the first convolution's filters, then
each layer in model order with its name, type and output shape.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt, pyqtSlot
from PyQt5.QtGui import QPixmap
from PyQt5.QtWidgets import QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from vision_agent.core.digit_explain import BoxExplanation, step_images
from vision_agent.i18n import tr
from vision_agent.ui.qimage import gray_to_qimage
from vision_agent.ui.widgets.feature_maps import LayerView, role_texts, scaled_pixmap

STEP_SIZE = 84
PANEL_WIDTH = 360
FILTERS_WIDTH = 160


def tiles_hint() -> str:
    return tr(
        "Each tile is one channel of the layer's output, scaled to its own range "
        "(dark: low, yellow: high). Hover over a tile for its values."
    )


def step_captions() -> list[str]:
    return [tr("Ink crop"), tr("20×20 fit"), tr("Centre of mass")]


class InsideNetworkPanel(QWidget):
    """What each layer of the digit model makes of the selected box.

    `labels` name the model's outputs (the digits) for the final probability chart.
    """

    def __init__(self, labels: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels = labels
        self.explanation: BoxExplanation | None = None
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #555;")
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555;")

        self.steps_box = QWidget(self)
        steps = QGridLayout(self.steps_box)
        steps.setContentsMargins(0, 0, 0, 0)
        self.step_views: list[QLabel] = []
        self.step_labels: list[QLabel] = []
        for column in range(3):
            view = QLabel(self.steps_box)
            view.setFixedSize(STEP_SIZE, STEP_SIZE)
            view.setAlignment(Qt.AlignCenter)
            view.setStyleSheet("background: black;")
            caption = QLabel(self.steps_box)
            caption.setAlignment(Qt.AlignCenter)
            steps.addWidget(view, 0, column)
            steps.addWidget(caption, 1, column)
            self.step_views.append(view)
            self.step_labels.append(caption)

        self.filters_caption = QLabel(self)
        self.filters_view = QLabel(self)
        self.layers_box = QWidget(self)
        self._layers_layout = QVBoxLayout(self.layers_box)
        self._layers_layout.setContentsMargins(0, 0, 0, 0)
        self.layer_views: list[LayerView] = []

        content = QWidget()
        column = QVBoxLayout(content)
        for widget in (
            self.title,
            self.message,
            self.steps_box,
            self.hint,
            self.filters_caption,
            self.filters_view,
            self.layers_box,
        ):
            column.addWidget(widget)
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.setFixedWidth(PANEL_WIDTH + 30)
        self._show_contents(False)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        for caption, text in zip(self.step_labels, step_captions(), strict=True):
            caption.setText(text)
        self.filters_caption.setText(tr("Filters of the first convolution:"))
        self.hint.setText(tiles_hint())
        self._show_title()
        if self.explanation is None and not self.message.text():
            self.message.setText(tr("Draw a digit and click it under its box to look inside."))

    # --- showing -----------------------------------------------------------------------
    def clear(self) -> None:
        """Nothing to look inside: say how to get something."""
        self.explanation = None
        self._show_contents(False)
        self._show_title()
        self.message.setText(tr("Draw a digit and click it under its box to look inside."))

    @pyqtSlot(str)
    def show_problem(self, message: str) -> None:
        """The model could not explain the box."""
        self.explanation = None
        self._show_contents(False)
        self.message.setText(tr("Cannot look inside: {message}").format(message=message))

    @pyqtSlot(object)
    def set_explanation(self, explanation: BoxExplanation | None) -> None:
        self.explanation = explanation
        self._show_title()
        if explanation is None:
            self._show_contents(False)
            self.message.setText(tr("This box is blank."))
            return
        self.message.setText("")
        for view, image in zip(self.step_views, step_images(explanation.steps), strict=True):
            pixmap = QPixmap.fromImage(gray_to_qimage(image))
            view.setPixmap(pixmap.scaled(STEP_SIZE, STEP_SIZE, Qt.KeepAspectRatio))
        if explanation.kernels is not None:
            self.filters_view.setPixmap(scaled_pixmap(explanation.kernels, FILTERS_WIDTH)[0])
        self._ensure_layer_views(len(explanation.layers))
        last = len(explanation.layers) - 1
        roles = role_texts([layer.type for layer in explanation.layers])
        for index, (view, layer, picture) in enumerate(
            zip(self.layer_views, explanation.layers, explanation.pictures, strict=False)
        ):
            view.set_output(
                layer, picture, is_output=index == last, labels=self.labels, role=roles[index]
            )
        if self.layer_views and last >= 0:  # the chart by the canvas shows the answer after these
            note = self.layer_views[last].note
            note.setText(
                tr(
                    "The network's own probabilities. The chart beside the canvas shows the "
                    "answer after calibration and your handwriting profile, so it can differ."
                )
            )
            note.setVisible(True)
        self._show_contents(True)
        self.filters_caption.setVisible(explanation.kernels is not None)
        self.filters_view.setVisible(explanation.kernels is not None)

    def _ensure_layer_views(self, count: int) -> None:
        while len(self.layer_views) < count:
            view = LayerView(PANEL_WIDTH, self.layers_box)
            self._layers_layout.addWidget(view)
            self.layer_views.append(view)
        for index, view in enumerate(self.layer_views):
            view.setVisible(index < count)

    def _show_contents(self, shown: bool) -> None:
        for widget in (
            self.steps_box,
            self.hint,
            self.filters_caption,
            self.filters_view,
            self.layers_box,
        ):
            widget.setVisible(shown)

    def _show_title(self) -> None:
        explanation = self.explanation
        if explanation is None:
            self.title.setText("<b>" + tr("Inside the network") + "</b>")
            return
        self.title.setText(
            "<b>"
            + tr("Inside the network: box {n}").format(n=explanation.box + 1)
            + "</b><br>"
            + tr("{model}: {count} layers, first to last").format(
                model=explanation.model, count=len(explanation.layers)
            )
        )

    def shown_layers(self) -> list[LayerView]:
        """The layer views showing the current explanation, in model order."""
        count = 0 if self.explanation is None else len(self.explanation.layers)
        return self.layer_views[:count]
