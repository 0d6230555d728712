"""The model registry: one entry per model, read from `resources/models/registry.json`.

Tabs and commands name models only by id. An entry says what the model does, which loader reads
it, how to prepare its input, and for each file where it comes from and how to check it.

Input convention for `mean`, `scale` and `std` (per channel, in the entry's `color_order`):
``x = (pixel * scale - mean) / std`` with ``std = 1`` when it is None. So Caffe-style models have
``scale = 1`` and means in pixel units; torch-style models have ``scale = 1/255`` and means in 0..1.

The registry can be replaced for tests or site installs with the environment variable
`VISION_AGENT_REGISTRY` (path to another JSON file of the same shape).
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from vision_agent.core.errors import UserError
from vision_agent.core.user_files import read_user_json
from vision_agent.paths import resource

REGISTRY_ENV = "VISION_AGENT_REGISTRY"
REGISTRY_MAX_BYTES = 4 << 20
TASKS = ("classify", "detect_faces", "backbone", "digits")
LOADERS = (
    "keras",
    "keras_application",
    "opencv_caffe",
    "opencv_tensorflow",
    "opencv_onnx",
    "onnxruntime",
)
COLOR_ORDERS = ("RGB", "BGR", "GRAY")
LAYOUTS = ("NHWC", "NCHW")
HASH_ALGORITHMS = {"sha256": 64, "sha1": 40, "md5": 32}
# Model ids and file names become cache paths: no separators, no "..", no leading dot.
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class RegistryError(UserError):
    """The registry file is missing or malformed."""


class UnknownModelError(UserError):
    """No registry entry has the requested id."""


@dataclass(frozen=True)
class FileEntry:
    """One file of a model.

    `hash` is what the store checks ("sha256:…", "sha1:…" or "md5:…") against the
    file at `url`. `alt_hashes` are other known-good revisions of the same file that are accepted
    when found locally (never used to check a download). `published_hash` is the publisher's own
    checksum when `hash` was computed by us. Shipped files have `resource` (a path under
    `resources/`) and may have no url or hash.
    """

    name: str
    url: str | None
    hash: str | None
    size: int | None = None
    alt_hashes: tuple[str, ...] = ()
    published_hash: str | None = None
    aliases: tuple[str, ...] = ()
    resource: str | None = None
    optional: bool = False
    notes: str = ""

    @property
    def accepted_hashes(self) -> tuple[str, ...]:
        return ((self.hash,) if self.hash else ()) + self.alt_hashes

    @property
    def names(self) -> tuple[str, ...]:
        """The file name and the other names the same file is known by."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class ModelEntry:
    id: str
    name_en: str
    name_ko: str
    task: str
    loader: str
    files: dict[str, FileEntry]
    input_size: tuple[int, int]
    color_order: str
    layout: str
    mean: tuple[float, ...]
    scale: float
    std: tuple[float, ...] | None
    labels: str | None
    source: str
    license: str
    shipped: bool = False
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def display_name(self, language: str) -> str:
        """The model's name in `language` ("ko" or "en")."""
        return self.name_ko if language == "ko" else self.name_en

    @property
    def known_size(self) -> tuple[int, bool]:
        """(bytes of the required files whose size is known, whether all are known).

        A shipped file's size is that of the file in `resources/`.
        """
        sizes = [_file_size(f) for f in self.files.values() if not f.optional]
        return sum(s for s in sizes if s is not None), None not in sizes


class Registry:
    """All model entries of one registry file, in file order."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_registry_path()
        if not os.path.lexists(self.path):
            raise RegistryError(f"The model registry {self.path} does not exist.")
        try:
            data = read_user_json(self.path, "a model registry", REGISTRY_MAX_BYTES)
        except UserError as exc:
            raise RegistryError(f"The model registry cannot be read: {exc}") from None
        models = data.get("models", []) if isinstance(data, dict) else None
        if not isinstance(models, list):
            raise RegistryError(f"The model registry {self.path} must hold a list of models.")
        entries = [_parse_model(raw, self.path) for raw in models]
        self._entries = {entry.id: entry for entry in entries}
        if len(self._entries) != len(entries):
            raise RegistryError(f"The model registry {self.path} lists a model id twice.")

    def get(self, model_id: str) -> ModelEntry:
        try:
            return self._entries[model_id]
        except KeyError:
            known = ", ".join(self._entries) or "(none)"
            raise UnknownModelError(f"Unknown model '{model_id}'. Known models: {known}.") from None

    def all_entries(self) -> list[ModelEntry]:
        return list(self._entries.values())

    def ids(self) -> list[str]:
        return list(self._entries)


def default_registry_path() -> Path:
    override = os.environ.get(REGISTRY_ENV)
    return Path(override) if override else resource("models", "registry.json")


_cache: dict[Path, Registry] = {}
_cache_lock = threading.Lock()


def default_registry() -> Registry:
    """The registry at `default_registry_path()`, loaded once per path."""
    path = default_registry_path()
    with _cache_lock:
        if path not in _cache:
            _cache[path] = Registry(path)
        return _cache[path]


def get(model_id: str) -> ModelEntry:
    return default_registry().get(model_id)


def all_entries() -> list[ModelEntry]:
    return default_registry().all_entries()


def format_size(size: int | None, complete: bool = True) -> str:
    """'10.7 MB', '35 kB', '≥ 10.7 MB' when part of the size is unknown, '?' when all is."""
    if size is None or (size == 0 and not complete):
        return "?"
    text = f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"
    return text if complete else f"≥ {text}"


def _file_size(f: FileEntry) -> int | None:
    if f.size is None and f.resource:
        path = resource(f.resource)
        return path.stat().st_size if path.is_file() else None
    return f.size


def _parse_model(raw: dict[str, Any], path: Path) -> ModelEntry:
    if not isinstance(raw, dict):
        raise RegistryError(f"The model registry {path} lists {raw!r}, which is not a model.")
    model_id = raw.get("id", "?")

    def fail(message: str) -> RegistryError:
        return RegistryError(f"Model '{model_id}' in {path}: {message}")

    if not isinstance(model_id, str) or not _SAFE_NAME.fullmatch(model_id):
        raise fail("the id must be letters, digits, '.', '_' or '-' (it names a cache folder)")
    try:
        entry = ModelEntry(
            id=raw["id"],
            name_en=raw["name_en"],
            name_ko=raw["name_ko"],
            task=raw["task"],
            loader=raw["loader"],
            files={role: _parse_file(f, fail) for role, f in raw["files"].items()},
            input_size=(int(raw["input_size"][0]), int(raw["input_size"][1])),
            color_order=raw["color_order"],
            layout=raw["layout"],
            mean=tuple(float(m) for m in raw["mean"]),
            scale=float(raw["scale"]),
            std=tuple(float(s) for s in raw["std"]) if raw.get("std") is not None else None,
            labels=raw.get("labels"),
            source=raw["source"],
            license=raw["license"],
            shipped=bool(raw.get("shipped", False)),
            notes=raw.get("notes", ""),
            extra=dict(raw.get("extra", {})),
        )
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise fail(f"bad or missing field {exc}") from exc
    for value, allowed, what in (
        (entry.task, TASKS, "task"),
        (entry.loader, LOADERS, "loader"),
        (entry.color_order, COLOR_ORDERS, "color_order"),
        (entry.layout, LAYOUTS, "layout"),
    ):
        if value not in allowed:
            raise fail(f"{what} '{value}' is not one of {', '.join(allowed)}")
    if not entry.files:
        raise fail("no files")
    for role, f in entry.files.items():
        if not entry.shipped and (not f.url or not f.hash):
            raise fail(f"file '{role}' needs a url and a hash")
        if entry.shipped and not f.resource:
            raise fail(f"shipped file '{role}' needs a resource path")
    for value, what in [(f.resource, "resource") for f in entry.files.values()] + [
        (entry.labels, "labels")
    ]:
        if value is not None and not _inside_folder(value):
            raise fail(f"{what} '{value}' must be a relative path inside resources/")
    return entry


def _parse_file(raw: dict[str, Any], fail: Any) -> FileEntry:
    entry = FileEntry(
        name=raw["name"],
        url=raw.get("url"),
        hash=raw.get("hash"),
        size=int(raw["size"]) if raw.get("size") is not None else None,
        alt_hashes=tuple(raw.get("alt_hashes", ())),
        published_hash=raw.get("published_hash"),
        aliases=tuple(raw.get("aliases", ())),
        resource=raw.get("resource"),
        optional=bool(raw.get("optional", False)),
        notes=raw.get("notes", ""),
    )
    for value in (*entry.accepted_hashes, entry.published_hash):
        if value is not None and not _valid_hash(value):
            raise fail(f"file '{entry.name}': '{value}' is not 'sha256:…', 'sha1:…' or 'md5:…'")
    for name in entry.names:
        if not isinstance(name, str) or not _SAFE_NAME.fullmatch(name):
            raise fail(f"file name '{name}' must be a plain file name (no folder)")
    return entry


def _inside_folder(value: object) -> bool:
    """A relative path that stays inside the folder it is relative to."""
    if not isinstance(value, str) or not value or "\\" in value:
        return False
    path = PurePosixPath(value)
    return not path.is_absolute() and ".." not in path.parts and ":" not in value


def _valid_hash(value: str) -> bool:
    algorithm, _, digest = value.partition(":")
    length = HASH_ALGORITHMS.get(algorithm)
    return (
        length is not None
        and len(digest) == length
        and all(c in "0123456789abcdef" for c in digest)
    )
