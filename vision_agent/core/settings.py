"""The user's settings: one table of keys, one JSON file, read through the gate, written by the
one writer.

Every setting the app keeps is a row of `KEYS` (name, type, default, description); reading or
writing a name that is not there is a programming error (KeyError). The file
(`settings.json` in the user's config folder, e.g. `~/.config/vision-agent/`) is read once,
through `read_user_bytes` (a regular file of at most 1 MB) and `parse_json` (nesting bounded);
each value is checked against its row (type, length, range) and a value that does not fit reads
as the default — a damaged, huge, deeply nested or hostile settings file never stops the window.

A change is a read-modify-write under the file's lock (`user_file_lock`): the file is read
again, the one key changed, and written with `write_user_file` (never over or through a link, a
device or a FIFO) — so two windows keep each other's settings. When the file cannot be read or
written the app runs on with what it has; `problem()` says why, for the window's note.

The methods are named as Qt's QSettings names them (`value`, `setValue`, `remove`), which this
replaces: QSettings follows a link when it saves and reads any file whole.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vision_agent.core.errors import UserError
from vision_agent.core.user_files import parse_json, read_user_bytes
from vision_agent.core.user_writes import require_writable_target, user_file_lock, write_user_file

SETTINGS_FILE = "settings.json"
MAX_FILE_BYTES = 1 << 20
MAX_DEPTH = 8
MAX_TEXT = 4096  # characters of one text setting (a path, a model name)
MAX_ITEMS = 100  # entries of one list setting

log = logging.getLogger(__name__)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and len(value) <= MAX_TEXT else None


def _tab(value: Any) -> int | None:
    return value if type(value) is int and 0 <= value < 100 else None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _geometry(value: Any) -> bytes | None:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _path_pairs(value: Any) -> list[list[str]] | None:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        return None
    pairs = [p for p in value if isinstance(p, list) and len(p) == 2 and all(map(_text, p))]
    return pairs if len(pairs) == len(value) else None


@dataclass(frozen=True)
class Key:
    """One setting: its name (a `/`-ended name is a family: `folders/` holds `folders/drawings`),
    what a stored value must be (`check` returns it, or None when it does not fit), its default
    and what it is for."""

    name: str
    check: Callable[[Any], Any]
    default: Any
    description: str
    store: Callable[[Any], Any] = lambda value: value  # the value as JSON holds it


KEYS: tuple[Key, ...] = (
    Key("language", _text, "", "UI language code ('en', 'ko'); empty: the system's"),
    Key(
        "window/geometry",
        _geometry,
        b"",
        "the main window's size and place (Qt's saveGeometry, base64)",
        lambda value: base64.b64encode(bytes(value)).decode("ascii"),
    ),
    Key("window/tab", _tab, 0, "the tab shown when the window last closed"),
    Key("classifier/model", _text, "", "the ImageNet classifier chosen (a name or a Keras file)"),
    Key("classifier/labels_shown", _flag, True, "the top-5 labels over the ImageNet tab's photo"),
    Key("dogs/breed_models", _path_pairs, [], "the user's breed models: [model, class list]"),
    Key("dogs/labels_shown", _flag, True, "the top-5 breeds over the dog tab's photo"),
    Key("dogs/train_data", _text, "", "the dataset folder of the last breed training"),
    Key("dogs/train_out", _text, "", "the output folder of the last breed training"),
    Key("postal/profile", _text, "default", "the handwriting profile in use"),
    Key("folders/", _text, "", "the folder last used by each open or save dialog"),
)


def key(name: str) -> Key:
    """The row of `name` (a family row for `folders/drawings`); KeyError for an unknown name."""
    for row in KEYS:
        if name == row.name or (row.name.endswith("/") and name.startswith(row.name)):
            return row
    raise KeyError(f"{name!r} is not in the settings table (vision_agent/core/settings.py)")


class SettingsError(UserError):
    """The settings file cannot be read or written (the app runs on without it)."""


def default_settings_path() -> Path:
    import platformdirs

    from vision_agent.paths import APP_AUTHOR, APP_NAME

    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)) / SETTINGS_FILE


class Settings:
    """The settings file, read once; each change merged into what is on disk at that moment."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_settings_path()
        self._problem: str | None = None
        self._values = self._read()

    def fileName(self) -> str:
        return str(self.path)

    def problem(self) -> str | None:
        """Why the settings file could not be read or written, or None."""
        return self._problem

    def value(self, name: str) -> Any:
        """The stored value of `name` if it fits its row, else the row's default."""
        row = key(name)
        if name not in self._values:
            return row.default
        checked = row.check(self._values[name])
        return row.default if checked is None else checked

    def setValue(self, name: str, value: Any) -> None:
        row = key(name)
        stored = row.store(value)
        if row.check(stored) is None:
            raise ValueError(f"{value!r} does not fit the setting {name!r}")
        self._change(lambda values: values.__setitem__(name, stored))

    def remove(self, name: str) -> None:
        key(name)
        self._change(lambda values: values.pop(name, None))

    def isWritable(self) -> bool:
        try:
            require_writable_target(self.path, SettingsError)
        except SettingsError:
            return False
        folder = self.path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        return folder.is_dir() and os.access(folder, os.W_OK)

    def _read(self) -> dict[str, Any]:
        """The file's values (unknown names dropped); {} and a problem when it is unusable."""
        if not os.path.lexists(self.path):
            return {}
        try:
            data = read_user_bytes(self.path, "a settings file", MAX_FILE_BYTES, SettingsError)
            values = parse_json(data, self.path, "a settings file", SettingsError, MAX_DEPTH)
        except SettingsError as exc:
            self._note(f"{exc} The default settings are used.")
            return {}
        if not isinstance(values, dict):
            self._note(f"{self.path} is not a settings file; the default settings are used.")
            return {}
        return {name: v for name, v in values.items() if _known(name)}

    def _change(self, change: Callable[[dict[str, Any]], Any]) -> None:
        change(self._values)
        try:
            with user_file_lock(self.path, SettingsError):
                on_disk = self._read() if os.path.lexists(self.path) else {}
                change(on_disk)
                self._values = {**self._values, **on_disk}
                change(self._values)
                write_user_file(self.path, _json_bytes(on_disk), SettingsError)
        except SettingsError as exc:
            self._note(str(exc))

    def _note(self, message: str) -> None:
        if self._problem is None:
            log.warning("Settings: %s", message)
        self._problem = message


def _known(name: Any) -> bool:
    try:
        key(name)
    except (KeyError, TypeError, AttributeError):
        return False
    return True


def _json_bytes(values: dict[str, Any]) -> bytes:
    import json

    return json.dumps(values, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
