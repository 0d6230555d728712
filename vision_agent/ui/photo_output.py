"""Saving a tab's annotated photo where the user says, with a message instead of a crash."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt5.QtWidgets import QMessageBox, QWidget

from vision_agent.core.errors import UserError
from vision_agent.core.imageio import write_image
from vision_agent.i18n import tr
from vision_agent.ui.settings import ask_save_path, remember_folder

IMAGE_SAVE_FILTER = "PNG (*.png);;JPEG (*.jpg)"


def ask_image_path(parent: QWidget, file_name: str) -> Path | None:
    """Where to save an annotated image, proposed as `file_name` in the last folder used."""
    return ask_save_path(
        parent, tr("Save annotated image"), "annotated", file_name, IMAGE_SAVE_FILTER
    )


def save_image_to(parent: QWidget, image: np.ndarray, path: Path) -> Path | None:
    """Write `image` (RGB) to `path` (PNG unless it names JPEG); the path written, or None
    after telling the user why not."""
    if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        path = path.with_suffix(".png")
    try:
        write_image(path, image)
    except UserError as exc:
        QMessageBox.warning(parent, tr("Cannot save image"), str(exc))
        return None
    remember_folder("annotated", str(path))
    return path
