"""The window's settings (`core/settings.Settings`, one per process) and the file dialogs: every
open, save and folder dialog of the app goes through `ask_*` here, so each starts in the folder last
used for its kind of file and names its file types in the UI's language."""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtWidgets import QFileDialog, QWidget

from vision_agent.core.settings import Settings
from vision_agent.i18n import tr

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
    """The folder of `file_path` is where `key`'s next dialog starts."""
    _remember(key, str(Path(file_path).parent))


def _remember(key: str, folder: str) -> None:
    app_settings().setValue(f"folders/{key}", folder)


def in_ui_language(file_filter: str) -> str:
    """`file_filter` ("Images (*.png *.jpg);;All files (*)") with each type's description said in
    the UI's language; the patterns stay as they are."""
    entries = []
    for entry in file_filter.split(";;"):
        description, bracket, patterns = entry.partition(" (")
        entries.append(tr(description) + bracket + patterns)
    return ";;".join(entries)


def ask_open_path(parent: QWidget, title: str, folder_key: str, file_filter: str) -> Path | None:
    """A file chosen in an open dialog that starts in (and remembers) the folder of `folder_key`."""
    path, _ = QFileDialog.getOpenFileName(
        parent, title, last_folder(folder_key), in_ui_language(file_filter)
    )
    if not path:
        return None
    remember_folder(folder_key, path)
    return Path(path)


def ask_open_paths(parent: QWidget, title: str, folder_key: str, file_filter: str) -> list[Path]:
    """The files chosen in an open dialog that starts in (and remembers) `folder_key`'s folder."""
    paths, _ = QFileDialog.getOpenFileNames(
        parent, title, last_folder(folder_key), in_ui_language(file_filter)
    )
    if paths:
        remember_folder(folder_key, paths[0])
    return [Path(path) for path in paths]


def ask_folder(
    parent: QWidget, title: str, folder_key: str, start: str | None = None
) -> Path | None:
    """A folder chosen in a dialog that starts in `start`, else in the one last chosen for
    `folder_key`."""
    folder = QFileDialog.getExistingDirectory(parent, title, start or last_folder(folder_key))
    if not folder:
        return None
    _remember(folder_key, folder)
    return Path(folder)


def ask_save_path(
    parent: QWidget, title: str, folder_key: str, file_name: str, file_filter: str
) -> Path | None:
    """Where to save, proposed as `file_name` in the folder last used for `folder_key`."""
    proposal = str(Path(last_folder(folder_key)) / file_name)
    path, _ = QFileDialog.getSaveFileName(parent, title, proposal, in_ui_language(file_filter))
    return Path(path) if path else None
