"""Shows an RGB numpy image scaled to fit (keeping its aspect ratio); accepts dropped files.

Shared by the photo tabs (classifier, dog breed, face cam).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt5.QtCore import QRect, QSize, Qt, pyqtSignal
from PyQt5.QtGui import QDragEnterEvent, QDropEvent, QImage, QPainter, QPaintEvent
from PyQt5.QtWidgets import QSizePolicy, QWidget

from vision_agent.ui.qimage import rgb_to_paint_qimage, rgba_to_qimage

IMAGE_FILE_FILTER = "Images (*.jpg *.jpeg *.png *.bmp *.webp *.tif *.tiff *.gif)"
OVERLAY_FORMAT = QImage.Format_ARGB32_Premultiplied


class ImageView(QWidget):
    """Paints one image centred and scaled to fit, or a hint text when empty.

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
        self._overlay = (
            None if rgba is None else rgba_to_qimage(rgba).convertToFormat(OVERLAY_FORMAT)
        )
        self.update()

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
            painter.drawImage(self.image_rect(), self._image)
            if self._overlay is not None:
                painter.setOpacity(self._overlay_opacity)
                painter.drawImage(self.image_rect(), self._overlay)
        painter.end()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.sig_files_dropped.emit(paths)
