""" "Inside the network" for the ImageNet tab: pick a layer, see its feature maps for the photo.

A ResNet50 has too many layers to show at once, so the panel lists them (the last layer of each
spatial size, where a stage ends, marked ▶) and shows the chosen one. Everything is computed
in the classifier's service, where the model runs; for a model whose layers cannot be read
(one that OpenCV DNN runs) the panel says why.
"""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import QSignalBlocker, Qt, pyqtSlot
from PyQt5.QtGui import QFont
from PyQt5.QtWidgets import QLabel, QListWidget, QListWidgetItem, QScrollArea, QVBoxLayout, QWidget

from vision_agent.controllers.model_slot import ModelSlot, Pending
from vision_agent.core.classify import ImageClassifier
from vision_agent.core.layer_activations import LayerInfo, stage_outputs
from vision_agent.i18n import tr
from vision_agent.ui.widgets.feature_maps import LayerView, shape_text
from vision_agent.ui.widgets.inside_network_panel import tiles_hint

MAPS_WIDTH = 480
STAGE_MARK = "▶ "


class LayerPickerPanel(QWidget):
    """The model's layers in a list and the chosen layer's output for the current photo."""

    def __init__(self, slot: ModelSlot, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slot = slot
        self.layers: list[LayerInfo] | None = None
        self.stages: set[str] = set()
        self.photo: np.ndarray | None = None
        self._pending_layers, self._pending_output = Pending(), Pending()
        self.title = QLabel(self)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555;")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a04000;")
        self.layer_list = QListWidget(self)
        self.layer_list.setMaximumHeight(180)
        self.layer_list.currentItemChanged.connect(self.on_layer_chosen)
        self.view = LayerView(MAPS_WIDTH)
        self.view.setVisible(False)
        scroll = QScrollArea(self)
        scroll.setWidget(self.view)
        scroll.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.title, self.hint, self.message, self.layer_list):
            layout.addWidget(widget)
        layout.addWidget(scroll, 1)
        self.setMinimumWidth(MAPS_WIDTH + 30)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title.setText(
            "<b>" + tr("Inside the network") + "</b><br>" + tr("▶ marks where a stage ends.")
        )
        self.hint.setText(tiles_hint())
        self.layer_list.setToolTip(tr("Choose a layer to see its feature maps for this photo."))

    # --- requests ----------------------------------------------------------------------
    def model_changed(self) -> None:
        """A new model: its layers are asked for again (when the panel is on)."""
        self.layers, self.stages = None, set()
        self._pending_layers.discard()
        self._pending_output.discard()
        with QSignalBlocker(self.layer_list):
            self.layer_list.clear()
        self.view.setVisible(False)
        self.message.setText("")
        self.follow(self.photo)

    def follow(self, photo: np.ndarray | None) -> None:
        """Show the chosen layer for `photo` (only while the panel is on; newest wins)."""
        self.photo = photo
        if self.isHidden():
            return
        if self.layers is None:
            if not self._pending_layers:
                reply = self.slot.call(ImageClassifier.network_layers, latest=True)
                self._pending_layers.ask(reply, self._fill_layers, self.on_error)
            return
        item = self.layer_list.currentItem()
        if photo is None or item is None:
            return
        name = item.data(Qt.UserRole)
        reply = self.slot.call(ImageClassifier.layer_output, photo, name, latest=True)
        self._pending_output.ask(reply, self.on_output, self.on_error)

    @pyqtSlot(QListWidgetItem, QListWidgetItem)
    def on_layer_chosen(self, _current, _previous) -> None:
        self.follow(self.photo)

    @pyqtSlot(object)
    def on_output(self, result: object) -> None:
        output, picture = result
        self.view.set_output(output, picture)
        self.view.setVisible(True)

    @pyqtSlot(str)
    def on_error(self, message: str) -> None:
        self._pending_layers.discard()
        self._pending_output.discard()
        self.view.setVisible(False)
        self.message.setText(tr("Cannot look inside: {message}").format(message=message))

    def _fill_layers(self, layers: list[LayerInfo]) -> None:
        self.layers = layers
        self.stages = stage_outputs(layers)
        bold = QFont()
        bold.setBold(True)
        with QSignalBlocker(self.layer_list):
            self.layer_list.clear()
            first_stage = None
            for layer in layers:
                stage = layer.name in self.stages
                text = f"{layer.name} · {layer.type} · {shape_text(layer.shape)}"
                item = QListWidgetItem((STAGE_MARK if stage else "   ") + text)
                item.setData(Qt.UserRole, layer.name)
                if stage:
                    item.setFont(bold)
                    first_stage = first_stage or item
                self.layer_list.addItem(item)
        self.message.setText("")
        start = first_stage or self.layer_list.item(0)
        if start is not None:
            self.layer_list.setCurrentItem(start)  # shows it for the photo

    def choose_layer(self, name: str) -> bool:
        for row in range(self.layer_list.count()):
            if self.layer_list.item(row).data(Qt.UserRole) == name:
                self.layer_list.setCurrentRow(row)
                return True
        return False
