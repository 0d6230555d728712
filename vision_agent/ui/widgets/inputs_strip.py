"""The postal tab's strip of model inputs: each box's ink as the 28×28 picture the model gets."""

from __future__ import annotations

import numpy as np
from PyQt5.QtGui import QPixmap
from PyQt5.QtWidgets import QHBoxLayout, QLabel, QWidget

from vision_agent.core.postal import BOX_COUNT, canvas_inputs
from vision_agent.i18n import tr
from vision_agent.ui.qimage import gray_to_qimage

SCALE = 3  # each 28×28 input shown 84×84


class InputsStrip(QWidget):
    """A caption and five views, black until `show_drawing` is given a drawing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel(self)
        layout.addWidget(self.caption)
        self.views: list[QLabel] = []
        for _ in range(BOX_COUNT):
            view = QLabel(self)
            view.setFixedSize(28 * SCALE, 28 * SCALE)
            view.setStyleSheet("background: black; border: 1px solid #888;")
            layout.addWidget(view)
            self.views.append(view)
        layout.addStretch(1)

    def retranslate_ui(self) -> None:
        self.caption.setText(tr("28×28 inputs:"))

    def show_drawing(self, canvas_gray: np.ndarray) -> None:
        """Show the inputs of this 200×520 drawing (a few milliseconds of preprocessing)."""
        inputs, _ = canvas_inputs(canvas_gray)
        size = 28 * SCALE
        for view, digit in zip(self.views, inputs, strict=True):
            gray = (digit * 255).astype(np.uint8)
            view.setPixmap(QPixmap.fromImage(gray_to_qimage(gray)).scaled(size, size))
