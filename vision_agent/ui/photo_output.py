"""What a photo tab hands out: its annotated photo saved where the user says, its results copied.

Both say what happened in the tab's status line; a file that cannot be written is a message,
never a crash.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt5.QtWidgets import QApplication, QMessageBox

from vision_agent.core.errors import UserError
from vision_agent.core.imageio import write_image
from vision_agent.i18n import tr
from vision_agent.ui.settings import ask_save_path, remember_folder
from vision_agent.ui.tabs.base import VisionTab

IMAGE_SAVE_FILTER = "PNG (*.png);;JPEG (*.jpg)"


def ask_image_path(tab: VisionTab, file_name: str) -> Path | None:
    """Where to save an annotated image, proposed as `file_name` in the last folder used."""
    return ask_save_path(tab, tr("Save annotated image"), "annotated", file_name, IMAGE_SAVE_FILTER)


def save_image_to(
    tab: VisionTab, image: np.ndarray | None, path: Path, folder_key: str = "annotated"
) -> bool:
    """Write `image` (RGB) to `path` (PNG unless it names JPEG), remembering its folder as
    `folder_key`'s; False when there is no image or it could not be written (the user is told
    why)."""
    if image is None:
        return False
    if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        path = path.with_suffix(".png")
    try:
        write_image(path, image)
    except UserError as exc:
        QMessageBox.warning(tab, tr("Cannot save image"), str(exc))
        return False
    remember_folder(folder_key, str(path))
    tab.sig_status_message.emit(tr("Saved {name}").format(name=path.name))
    return True


def copy_results(tab: VisionTab, text: str) -> None:
    """Put the results' text on the clipboard (nothing when there are none)."""
    if text:
        QApplication.clipboard().setText(text)
        tab.sig_status_message.emit(tr("Results copied."))
