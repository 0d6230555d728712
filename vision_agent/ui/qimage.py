"""Conversions between numpy arrays and QImage / QPixmap (copies: safe to keep)."""

from __future__ import annotations

import numpy as np
from PyQt5.QtGui import QImage, QPixmap


def gray_to_qimage(gray: np.ndarray) -> QImage:
    gray = np.ascontiguousarray(gray, dtype=np.uint8)
    h, w = gray.shape
    return QImage(gray.data, w, h, w, QImage.Format_Grayscale8).copy()


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    if rgb.ndim == 2:
        return gray_to_qimage(rgb)
    rgb = np.ascontiguousarray(rgb[:, :, :3], dtype=np.uint8)
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()


def rgb_to_pixmap(rgb: np.ndarray) -> QPixmap:
    return QPixmap.fromImage(rgb_to_qimage(rgb))


def qimage_to_gray(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format_Grayscale8)
    pointer = image.constBits()
    pointer.setsize(image.bytesPerLine() * image.height())
    rows = np.frombuffer(pointer, np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width()].copy()
