"""The window's settings (`core/settings.Settings`, one per process) and the open/save dialogs
that start in the folder last used."""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtWidgets import QFileDialog, QWidget

from vision_agent.core.settings import Settings

_settings: list[Settings] = []


def app_settings() -> Settings:
    """This process's settings: the file is read once, each change merged into it on disk."""
    if not _settings:
        _settings.append(Settings())
    return _settings[0]


def last_folder(key: str) -> str:
    """The folder last used for `key` (e.g. "drawings"), or the home folder."""
    folder = app_settings().value(f"folders/{key}")
    return folder if folder and Path(folder).is_dir() else str(Path.home())


def remember_folder(key: str, file_path: str) -> None:
    app_settings().setValue(f"folders/{key}", str(Path(file_path).parent))


def ask_open_path(parent: QWidget, title: str, folder_key: str, file_filter: str) -> Path | None:
    """A file chosen in an open dialog that starts in (and remembers) the folder of `folder_key`."""
    path, _ = QFileDialog.getOpenFileName(parent, title, last_folder(folder_key), file_filter)
    if not path:
        return None
    remember_folder(folder_key, path)
    return Path(path)


def ask_save_path(
    parent: QWidget, title: str, folder_key: str, file_name: str, file_filter: str
) -> Path | None:
    """Where to save, proposed as `file_name` in the folder last used for `folder_key`."""
    proposal = str(Path(last_folder(folder_key)) / file_name)
    path, _ = QFileDialog.getSaveFileName(parent, title, proposal, file_filter)
    return Path(path) if path else None
