"""Conversions between numpy arrays and QImage / QPixmap (copies: safe to keep)."""

from __future__ import annotations

import numpy as np
from PyQt5.QtGui import QImage, QPainter, QPixmap


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


def rgb_to_paint_qimage(rgb: np.ndarray) -> QImage:
    """An RGB32 copy of an RGB or gray image: the format the window paints fastest, made in one
    conversion (the numpy buffer is only read while converting)."""
    pixels = np.ascontiguousarray(rgb if rgb.ndim == 2 else rgb[:, :, :3], dtype=np.uint8)
    h, w = pixels.shape[:2]
    if pixels.ndim == 2:
        view = QImage(pixels.data, w, h, w, QImage.Format_Grayscale8)
    else:
        view = QImage(pixels.data, w, h, 3 * w, QImage.Format_RGB888)
    return view.convertToFormat(QImage.Format_RGB32)


def rgba_to_paint_qimage(rgba: np.ndarray, premultiplied: bool = False) -> QImage:
    """A copy of an RGBA image (straight or premultiplied alpha) in the format the window
    paints fastest, made in one conversion."""
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    h, w, _ = rgba.shape
    kind = QImage.Format_RGBA8888_Premultiplied if premultiplied else QImage.Format_RGBA8888
    return QImage(rgba.data, w, h, 4 * w, kind).convertToFormat(QImage.Format_ARGB32_Premultiplied)


def qimage_to_rgb(image: QImage) -> np.ndarray:
    """An RGB uint8 copy of any QImage (alpha composited on white, as `read_image` does)."""
    if image.hasAlphaChannel():
        flat = QImage(image.size(), QImage.Format_RGB888)
        flat.fill(0xFFFFFFFF)
        painter = QPainter(flat)
        painter.drawImage(0, 0, image)
        painter.end()
        image = flat
    image = image.convertToFormat(QImage.Format_RGB888)
    pointer = image.constBits()
    pointer.setsize(image.bytesPerLine() * image.height())
    rows = np.frombuffer(pointer, np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : 3 * image.width()].reshape(image.height(), image.width(), 3).copy()


def rgb_to_pixmap(rgb: np.ndarray) -> QPixmap:
    return QPixmap.fromImage(rgb_to_qimage(rgb))


def qimage_to_gray(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format_Grayscale8)
    pointer = image.constBits()
    pointer.setsize(image.bytesPerLine() * image.height())
    rows = np.frombuffer(pointer, np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width()].copy()
