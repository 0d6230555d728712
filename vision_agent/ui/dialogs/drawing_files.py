"""Postal-code drawings in and out of the window: the file dialogs, a message when a file fails,
and the folder remembered for next time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt5.QtWidgets import QMessageBox, QWidget

from vision_agent.core.errors import UserError
from vision_agent.core.imageio import write_image
from vision_agent.core.postal import read_canvas
from vision_agent.i18n import tr
from vision_agent.ui.settings import ask_open_path, ask_save_path, remember_folder


def ask_drawing_path(parent: QWidget) -> Path | None:
    file_filter = "Images (*.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff)"
    return ask_open_path(parent, tr("Open drawing"), "drawings", file_filter)


def read_drawing(parent: QWidget, path: Path) -> np.ndarray | None:
    """The drawing as a 200×520 grayscale canvas; None (the user was told why) if unreadable."""
    try:
        gray = read_canvas(path)
    except UserError as exc:
        QMessageBox.warning(parent, tr("Cannot open drawing"), str(exc))
        return None
    remember_folder("drawings", str(path))
    return gray


def save_drawing(parent: QWidget, gray: np.ndarray) -> Path | None:
    """Ask where, then write the drawing as PNG; the path, or None (cancelled, or it failed and
    the user was told why)."""
    path = ask_save_path(parent, tr("Save drawing"), "drawings", "postal_code.png", "PNG (*.png)")
    if path is None:
        return None
    if path.suffix.lower() != ".png":
        path = path.with_name(path.name + ".png")
    try:
        write_image(path, gray)
    except UserError as exc:
        QMessageBox.warning(parent, tr("Cannot save drawing"), str(exc))
        return None
    remember_folder("drawings", path)
    return path
