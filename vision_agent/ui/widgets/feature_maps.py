"""Widgets that show one layer's output: a grid of feature maps, or a strip of bars.

The pictures come ready-made from the model's host (`core.feature_mosaic`); these widgets only
wrap them in pixmaps and say, on hover, which channel the pointer is over and its value range.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PyQt5.QtCore import QPoint, QRectF, QSize, Qt
from PyQt5.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPixmap
from PyQt5.QtWidgets import QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from vision_agent.core.feature_mosaic import tile_index
from vision_agent.core.layer_activations import LayerOutput
from vision_agent.i18n import tr
from vision_agent.ui.qimage import rgb_to_qimage
from vision_agent.ui.widgets.probability_bars import ProbabilityBars

POSITIVE_COLOR = QColor(60, 110, 200)
NEGATIVE_COLOR = QColor(210, 90, 40)


def shape_text(shape: tuple[int | None, ...]) -> str:
    return "×".join("?" if d is None else str(d) for d in shape)


def scaled_pixmap(rgb: np.ndarray, max_width: int) -> tuple[QPixmap, float]:
    """The picture enlarged by a whole factor (crisp pixels) up to `max_width`, or shrunk to it."""
    width = rgb.shape[1]
    zoom = max(1, min(4, max_width // max(1, width))) if width <= max_width else max_width / width
    pixmap = QPixmap.fromImage(rgb_to_qimage(rgb))
    size = QSize(round(width * zoom), round(rgb.shape[0] * zoom))
    mode = Qt.FastTransformation if zoom >= 1 else Qt.SmoothTransformation
    return pixmap.scaled(size, Qt.IgnoreAspectRatio, mode), zoom


class FeatureMapGrid(QLabel):
    """All channels of a layer's feature maps, one tile each; hovering names the channel."""

    def __init__(self, max_width: int = 320, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.max_width = max_width
        self.setMouseTracking(True)
        self.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self._shape: tuple[int, ...] = ()
        self._ranges: tuple[np.ndarray, np.ndarray] | None = None
        self._zoom = 1.0
        self.hover_text = ""

    def set_layer(self, output: LayerOutput, picture: np.ndarray) -> None:
        pixmap, self._zoom = scaled_pixmap(picture, self.max_width)
        self.setPixmap(pixmap)
        self.setFixedSize(pixmap.size())
        self._shape = output.shape
        self._ranges = output.channel_ranges()

    def channel_text(self, point: QPoint) -> str:
        """What hovering at `point` shows: the channel and its value range ("" off the tiles)."""
        if self._ranges is None:
            return ""
        channel = tile_index(self._shape, point.x() / self._zoom, point.y() / self._zoom)
        if channel is None:
            return ""
        low, high = self._ranges
        return tr("Channel {index}: {low:.3g} … {high:.3g}").format(
            index=channel, low=float(low[channel]), high=float(high[channel])
        )

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.hover_text = self.channel_text(event.pos())
        if self.hover_text:
            QToolTip.showText(event.globalPos(), self.hover_text, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)


class VectorStrip(QWidget):
    """A dense layer's values as thin bars (blue up, orange down); hovering names the unit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFixedHeight(44)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.values = np.zeros(0, np.float32)
        self.hover_text = ""

    def set_values(self, values: np.ndarray) -> None:
        self.values = np.asarray(values, np.float32).reshape(-1)
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.white)
        count = len(self.values)
        peak = float(np.abs(self.values).max()) if count else 0.0
        if peak > 0:
            width, middle = self.width() / count, self.height() / 2
            for i, value in enumerate(self.values / peak):
                color = POSITIVE_COLOR if value >= 0 else NEGATIVE_COLOR
                height = float(value) * (middle - 1)
                top = middle - max(height, 0.0)
                rect = QRectF(i * width, top, max(width, 1.0), abs(height))
                painter.fillRect(rect, color)
        painter.setPen(QColor(180, 180, 180))
        painter.drawLine(0, self.height() // 2, self.width(), self.height() // 2)
        painter.end()

    def unit_text(self, point: QPoint) -> str:
        count = len(self.values)
        if not count or not 0 <= point.x() < self.width():
            return ""
        index = min(count - 1, int(point.x() * count / self.width()))
        return tr("Unit {index}: {value:.3g}").format(index=index, value=float(self.values[index]))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.hover_text = self.unit_text(event.pos())
        if self.hover_text:
            QToolTip.showText(event.globalPos(), self.hover_text, self)
        super().mouseMoveEvent(event)


def looks_like_probabilities(values: np.ndarray) -> bool:
    return bool(np.all(values >= -1e-6) and abs(float(values.sum()) - 1.0) < 1e-3)


# What each kind of layer is called by its role; the layers that finish one (normalisation,
# activation, dropout) are named after the block they finish.
_ROLES = (
    ("Conv", "conv block {n}"),
    ("Pool", "pooling {n}"),
    ("Dense", "dense layer {n}"),
    ("Gemm", "dense layer {n}"),
    ("MatMul", "dense layer {n}"),
    ("Flatten", "flatten"),
)


def role_texts(types: Sequence[str]) -> list[str]:
    """Each layer named by its role, in order ("conv block 1", "conv block 1", "pooling 1", …,
    "output"), in the UI's language: what a student can follow, not "re_lu_1"."""
    roles: list[str] = []
    counts: dict[str, int] = {}
    current = ""
    for index, kind in enumerate(types):
        if index == len(types) - 1:
            roles.append(tr("output"))
            continue
        role = next((text for key, text in _ROLES if key in kind), None)
        if role is None and current:
            roles.append(current)
            continue
        role = role or "step {n}"
        counts[role] = counts.get(role, 0) + 1
        current = tr(role).format(n=counts[role])
        roles.append(current)
    return roles


class LayerView(QWidget):
    """One layer: a caption (name · type · shape) over its feature maps, bars or output chart.

    `is_output` shows a final layer of probabilities as the probability chart, with `labels`.
    """

    def __init__(self, max_width: int = 320, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel(self)
        self.caption.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.grid = FeatureMapGrid(max_width, self)
        self.strip = VectorStrip(self)
        self.chart = ProbabilityBars(parent=self)
        self.chart.setFixedHeight(140)
        self.note = QLabel(self)
        self.note.setStyleSheet("color: #777;")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(2)
        for widget in (self.caption, self.grid, self.strip, self.chart, self.note):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.output: LayerOutput | None = None

    def set_output(
        self,
        output: LayerOutput,
        picture: np.ndarray | None,
        is_output: bool = False,
        labels: list[str] | None = None,
        role: str | None = None,
    ) -> None:
        self.output = output
        kind = f"{output.type} · {shape_text(output.shape)}"
        if role is None:
            self.caption.setText(f"<b>{output.name}</b> · {kind}")
        else:  # the role first; the model's own name, small, for who looks it up
            name = f'<span style="color:#888">{output.name}</span>'
            self.caption.setText(f"<b>{role}</b> · {kind} · {name}")
        as_chart = is_output and output.values.ndim == 1 and looks_like_probabilities(output.values)
        self.grid.setVisible(output.is_maps and picture is not None)
        self.strip.setVisible(output.values.ndim == 1 and not as_chart)
        self.chart.setVisible(as_chart)
        if self.grid.isVisibleTo(self):
            self.grid.set_layer(output, picture)
        if as_chart:
            count = len(output.values)
            names = labels[:count] if labels and len(labels) >= count else None
            names = names or [str(i) for i in range(len(output.values))]
            self.chart.set_bars(names, output.values.tolist(), "")
        elif output.values.ndim == 1:
            self.strip.set_values(output.values)
        note = ""
        if "Dropout" in output.type:
            note = tr("Dropout passes its input on unchanged here: it only acts in training.")
        elif output.values.ndim not in (1, 3):
            note = tr("This output has a shape the panel cannot draw.")
        self.note.setText(note)
        self.note.setVisible(bool(note))
