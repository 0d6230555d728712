"""Shows an RGB numpy image scaled to fit (keeping its aspect ratio); accepts dropped files.

Shared by the photo tabs (classifier, dog breed, face cam).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PyQt5.QtCore import QRect, QRectF, QSize, Qt, pyqtSignal
from PyQt5.QtGui import QDragEnterEvent, QDropEvent, QImage, QPainter, QPaintEvent
from PyQt5.QtWidgets import QSizePolicy, QWidget

from vision_agent.ui.qimage import rgb_to_paint_qimage, rgba_to_paint_qimage

if TYPE_CHECKING:
    from vision_agent.core.annotate import LabelPanel

IMAGE_FILE_FILTER = "Images (*.jpg *.jpeg *.png *.bmp *.webp *.tif *.tiff *.gif)"


class ImageView(QWidget):
    """Paints one image centred and scaled to fit, or a hint text when empty; over it, an
    optional overlay stretched to it (a heat map) and a labels panel in its top-left corner.

    Signals:
        sig_files_dropped(list): local paths (as `Path`) dropped onto the view.
    """

    sig_files_dropped = pyqtSignal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self._image: QImage | None = None
        self._overlay: QImage | None = None
        self._overlay_opacity = 0.5
        self._labels: QImage | None = None
        self._labels_scale = 1.0
        self._placeholder = ""

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def placeholder(self) -> str:
        return self._placeholder

    def set_image(self, rgb: np.ndarray | None) -> None:
        # Kept in the format the window paints in: scaling it on paint then costs a third.
        self._image = None if rgb is None else rgb_to_paint_qimage(rgb)
        self.update()

    def set_overlay(self, rgba: np.ndarray | None) -> None:
        """An RGBA picture painted over the image, stretched to it (e.g. a heat map)."""
        self._overlay = None if rgba is None else rgba_to_paint_qimage(rgba)
        self.update()

    def set_labels(self, panel: LabelPanel | None) -> None:
        """A labels panel laid over the image's top-left corner, scaled with the image."""
        empty = panel is None or panel.pixels.size == 0
        self._labels = None if empty else rgba_to_paint_qimage(panel.pixels, premultiplied=True)
        self._labels_scale = 1.0 if empty else panel.scale
        self.update()

    def labels(self) -> QImage | None:
        return self._labels

    def set_overlay_opacity(self, opacity: float) -> None:
        self._overlay_opacity = min(max(float(opacity), 0.0), 1.0)
        self.update()

    def overlay(self) -> QImage | None:
        return self._overlay

    def image(self) -> QImage | None:
        return self._image

    def sizeHint(self) -> QSize:
        return QSize(640, 480)

    def image_rect(self) -> QRect:
        """Where the image is drawn inside the widget (empty when there is none)."""
        if self._image is None or self._image.isNull():
            return QRect()
        size = self._image.size().scaled(self.size(), Qt.KeepAspectRatio)
        x = (self.width() - size.width()) // 2
        y = (self.height() - size.height()) // 2
        return QRect(x, y, size.width(), size.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        if self._image is None:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect(), Qt.AlignCenter | Qt.TextWordWrap, self._placeholder)
        else:
            painter.setRenderHint(QPainter.SmoothPixmapTransform)
            target = self.image_rect()
            painter.drawImage(target, self._image)
            if self._overlay is not None:
                painter.setOpacity(self._overlay_opacity)
                painter.drawImage(target, self._overlay)
                painter.setOpacity(1.0)
            if self._labels is not None:
                painter.drawImage(self._labels_rect(target), self._labels)
        painter.end()

    def _labels_rect(self, target: QRect) -> QRectF:
        """Where the labels panel lands: its pixels are 1/scale photo pixels each."""
        factor = target.width() / self._image.width() / self._labels_scale
        size = self._labels.size()
        return QRectF(target.x(), target.y(), size.width() * factor, size.height() * factor)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.sig_files_dropped.emit(paths)
