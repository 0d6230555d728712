"""Persistent user settings (language, window geometry, last folders) through QSettings."""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import QSettings

CLASSIFIER_MODEL_KEY = "classifier/model"  # the ImageNet classifier the user chose (dog tab too)


def app_settings() -> QSettings:
    return QSettings(QSettings.IniFormat, QSettings.UserScope, "VisionAgent", "vision-agent")


def last_folder(key: str) -> str:
    """The folder last used for `key` (e.g. "drawings"), or the home folder."""
    folder = app_settings().value(f"folders/{key}", "", type=str)
    return folder if folder and Path(folder).is_dir() else str(Path.home())


def remember_folder(key: str, file_path: str) -> None:
    app_settings().setValue(f"folders/{key}", str(Path(file_path).parent))
