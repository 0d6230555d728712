"""The model store: turns a model id into verified local files.

Each file of a model is looked for, in order:

1. in every folder of the environment variable `VISION_AGENT_MODEL_PATH` (os.pathsep-separated,
   searched recursively by file name; e.g. a USB stick or `../shared/assets`),
2. in the per-user cache (`<user cache dir>/models/<model id>/<file name>`; the environment
   variable `VISION_AGENT_CACHE_DIR` replaces `<user cache dir>/models`),
3. at its official address: `download.fetch` streams it into a temporary file in the cache
   folder while hashing it, and only a file with the right hash is renamed into place, so a cut,
   cancelled, stalled or tampered download never leaves a file that could be loaded.

Every file is checked against its registry hash before it is used. A cached file that fails the
check is reported as "corrupt" and replaced on the next `resolve`. Files found in the search path
are never modified.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

import platformdirs

from vision_agent.core.errors import UserError
from vision_agent.core.user_writes import require_writable_target
from vision_agent.models.download import (
    DownloadCancelled,
    Limits,
    ProgressCallback,
    TransferError,
    fetch,
    remove_stale_temp_files,
)
from vision_agent.models.registry import FileEntry, ModelEntry, Registry, default_registry
from vision_agent.paths import APP_AUTHOR, APP_NAME, resources_dir

MODEL_PATH_ENV = "VISION_AGENT_MODEL_PATH"
CACHE_DIR_ENV = "VISION_AGENT_CACHE_DIR"

READY = "ready"
MISSING = "missing"
CORRUPT = "corrupt"

DEFAULT_SIZE_CAP = 2 * 1000**3  # bytes, for a file whose size the registry does not give


class ModelMissingError(UserError):
    """A model file is not on this machine and could not be downloaded."""


class ChecksumError(UserError):
    """A downloaded file does not match its published checksum (it was deleted)."""


class CacheError(UserError):
    """The model cache cannot be written (a file in its place, read-only, full disk)."""


@dataclass(frozen=True)
class FileReport:
    role: str
    name: str
    state: str
    path: Path | None = None
    detail: str = ""


@dataclass(frozen=True)
class ModelReport:
    model_id: str
    state: str
    files: list[FileReport] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    model_id: str
    role: str
    source: Path
    dest: Path | None
    imported: bool
    detail: str


class ModelStore:
    """Finds, checks, imports and downloads the files of registry models.

    `search_path` and `cache_dir` default to the environment variables above (read when the
    store is made). A download gives up after `stall_timeout` seconds without progress and
    stops once it exceeds the registry's size (or `size_cap` when the size is unknown).
    `retries` applies to dropped connections only, never to 404, a stall or a cancel.
    """

    def __init__(
        self,
        registry: Registry | None = None,
        search_path: Iterable[Path | str] | None = None,
        cache_dir: Path | str | None = None,
        *,
        stall_timeout: float = 20.0,
        size_cap: int = DEFAULT_SIZE_CAP,
        retries: int = 2,
    ) -> None:
        self.registry = registry if registry is not None else default_registry()
        self.search_path = (
            [Path(p) for p in search_path] if search_path is not None else _env_search_path()
        )
        self.cache_dir = Path(cache_dir) if cache_dir is not None else _default_cache_dir()
        self.stall_timeout = stall_timeout
        self.size_cap = size_cap
        self.retries = retries
        with _swept_lock:  # once per process and cache (a store is made for every presence check)
            first = self.cache_dir not in _swept
            _swept.add(self.cache_dir)
        if first:
            remove_stale_temp_files([self.cache_dir / e.id for e in self.registry.all_entries()])

    # ----------------------------------------------------------------- queries (no network)

    def status(self, model_id: str) -> str:
        """ "ready", "missing" or "corrupt" (a cached or search-path file fails its check)."""
        return self.report(model_id).state

    def report(self, model_id: str) -> ModelReport:
        """The state of each file of a model, without downloading."""
        entry = self.registry.get(model_id)
        index = self._search_index()
        files = [self._file_report(entry, role, f, index) for role, f in entry.files.items()]
        required = [r for r, f in zip(files, entry.files.values(), strict=True) if not f.optional]
        if all(r.state == READY for r in required):
            state = READY
        elif any(r.state == CORRUPT for r in files):
            state = CORRUPT
        else:
            state = MISSING
        return ModelReport(model_id, state, files)

    def is_present(self, model_id: str) -> bool:
        """Whether each required file of the model is on this computer with the registry's size
        (any size for a file with other known revisions).

        No hashing: cheap enough for the window's thread. Loading the model checks the hash
        (`local_files`, in a model service's thread)."""
        entry = self.registry.get(model_id)
        index: dict[str, list[str]] | None = None
        for f in (f for f in entry.files.values() if not f.optional):
            if entry.shipped:
                candidates = [resources_dir() / (f.resource or "")]
            else:
                index = self._search_index() if index is None else index
                found = [Path(p) for n in f.names for p in index.get(n, [])]
                candidates = [*found, self.cache_path(entry.id, f)]
            size = None if f.alt_hashes else f.size  # other revisions may differ in size
            if not any(_has_size(p, size) for p in candidates):
                return False
        return True

    def index_search_path(self) -> None:
        """Walk the search path now (it is kept, see `_index_folders`), so that a presence check
        on the window's thread later finds it walked."""
        self._search_index()

    def verify(self) -> list[ModelReport]:
        """Check every registry model's local files (search path and cache)."""
        return [self.report(entry.id) for entry in self.registry.all_entries()]

    def local_files(self, model_id: str) -> dict[str, Path]:
        """Role -> verified local path, without downloading; ModelMissingError if incomplete."""
        entry = self.registry.get(model_id)
        report = self.report(model_id)
        paths = {r.role: r.path for r in report.files if r.state == READY and r.path}
        for role, f in entry.files.items():
            if role not in paths and not f.optional:
                if entry.shipped:
                    raise ModelMissingError(self._missing_message(entry, f, "not found"))
                raise ModelMissingError(
                    f"Model '{model_id}' is not on this computer ({f.name} is missing). Download "
                    f"it with `vision-agent models fetch {model_id}`, or import it with "
                    f"`vision-agent models import DIR` (or list DIR in {MODEL_PATH_ENV})."
                )
        return paths

    def path(self, model_id: str, role: str = "weights") -> Path:
        """The verified local path of one file of a model (no download)."""
        paths = self.local_files(model_id)
        if role not in paths:
            roles = ", ".join(self.registry.get(model_id).files)
            raise UserError(f"Model '{model_id}' has no file '{role}' (it has: {roles}).")
        return paths[role]

    def cache_path(self, model_id: str, file: FileEntry) -> Path:
        return self.cache_dir / model_id / file.name

    # ----------------------------------------------------------------- resolve (may download)

    def resolve(
        self,
        model_id: str,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> dict[str, Path]:
        """Role -> verified local path, downloading what is missing.

        `progress(done_bytes, total_bytes_or_None, file_name)` is called from this thread while a
        file downloads. Setting `cancel` stops the download and raises DownloadCancelled.
        """
        entry = self.registry.get(model_id)
        index = self._search_index()
        paths: dict[str, Path] = {}
        for role, f in entry.files.items():
            if cancel is not None and cancel.is_set():
                raise DownloadCancelled(f"Download of '{model_id}' cancelled.")
            report = self._file_report(entry, role, f, index)
            if report.state == READY and report.path is not None:
                paths[role] = report.path
            elif entry.shipped:
                if not f.optional:
                    raise ModelMissingError(self._missing_message(entry, f, report.detail))
            else:
                paths[role] = self._download(entry, f, progress, cancel)
        return paths

    # ----------------------------------------------------------------- import

    def import_dir(self, folder: Path | str) -> list[ImportResult]:
        """Copy every registry file found (by name, recursively) in `folder` into the cache.

        Only files that pass their check are copied; the others are reported, not copied.
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise UserError(f"{folder} is not a folder.")
        index = _index_folders([folder])
        results: list[ImportResult] = []
        for entry in self.registry.all_entries():
            if entry.shipped:
                continue
            for role, f in entry.files.items():
                for candidate in (Path(p) for n in f.names for p in index.get(n, [])):
                    result = self._import_one(entry, role, f, candidate)
                    if result is not None:
                        results.append(result)
                        if result.dest is not None:
                            break
        return results

    def _import_one(
        self, entry: ModelEntry, role: str, f: FileEntry, src: Path
    ) -> ImportResult | None:
        """Copy one candidate; None when it is another model's file of the same name."""
        if not _matches_any(src, f.accepted_hashes):
            if self._hash_known_for_name(src, f.name):
                return None
            detail = "checksum does not match the registry; not copied"
            return ImportResult(entry.id, role, src, None, False, detail)
        dest = self.cache_path(entry.id, f)
        if dest.exists() and _matches_any(dest, f.accepted_hashes):
            return ImportResult(entry.id, role, src, dest, False, "already in the cache")
        tmp = None
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".import-")
            os.close(fd)
            shutil.copyfile(src, tmp)
            if not _matches_any(Path(tmp), f.accepted_hashes):
                return ImportResult(entry.id, role, src, None, False, "changed while copying")
            require_writable_target(dest, CacheError)
            os.replace(tmp, dest)
        except OSError as exc:
            raise self._cache_error(dest.parent, exc) from exc
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.remove(tmp)
        return ImportResult(entry.id, role, src, dest, True, "imported")

    # ----------------------------------------------------------------- internals

    def _search_index(self) -> dict[str, list[str]]:
        return _index_folders(self.search_path)

    def _file_report(
        self, entry: ModelEntry, role: str, f: FileEntry, index: dict[str, list[str]]
    ) -> FileReport:
        if entry.shipped:
            path = resources_dir() / (f.resource or "")
            if not path.is_file():
                return FileReport(role, f.name, MISSING, None, f"not shipped in {path.parent}")
            if f.hash and not _matches_any(path, f.accepted_hashes):
                return FileReport(role, f.name, CORRUPT, path, "checksum mismatch")
            return FileReport(role, f.name, READY, path, "shipped")
        corrupt: list[Path] = []
        for candidate in (Path(p) for n in f.names for p in index.get(n, [])):
            if _matches_any(candidate, f.accepted_hashes):
                return FileReport(role, f.name, READY, candidate, "search path")
            if not self._hash_known_for_name(candidate, f.name):
                corrupt.append(candidate)
        cached = self.cache_path(entry.id, f)
        if cached.is_file():
            if _matches_any(cached, f.accepted_hashes):
                return FileReport(role, f.name, READY, cached, "cache")
            corrupt.append(cached)
        if corrupt:
            return FileReport(role, f.name, CORRUPT, corrupt[0], "checksum mismatch")
        return FileReport(role, f.name, MISSING, None, "not found")

    def _hash_known_for_name(self, path: Path, name: str) -> bool:
        """True if `path` is a valid file of some registry model that uses this name.

        Different models share file names (two `deploy.prototxt`), so a same-named file that
        fails one model's check is only corrupt if it fits none of them.
        """
        for entry in self.registry.all_entries():
            for f in entry.files.values():
                if name in f.names and f.accepted_hashes and _matches_any(path, f.accepted_hashes):
                    return True
        return False

    def _download(
        self,
        entry: ModelEntry,
        f: FileEntry,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
    ) -> Path:
        dest = self.cache_path(entry.id, f)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._cache_error(dest.parent, exc) from exc
        remove_stale_temp_files([self.cache_dir / e.id for e in self.registry.all_entries()])
        algorithm, _, expected = (f.hash or "").partition(":")
        limits = Limits(f.size or self.size_cap, self.stall_timeout)
        for attempt in range(self.retries + 1):
            try:
                temp, digest = fetch(
                    f.url or "", dest.parent, f.name, algorithm, limits, progress, cancel
                )
                break
            except TransferError as exc:
                if not exc.retry or attempt == self.retries:
                    raise ModelMissingError(self._missing_message(entry, f, exc.reason)) from exc
                if _wait_or_cancel(cancel, min(2.0**attempt, 10.0)):
                    raise DownloadCancelled(f"Download of {f.name} cancelled.") from exc
            except OSError as exc:  # the temporary file could not be made
                raise self._cache_error(dest.parent, exc) from exc
        if digest != expected.lower():
            temp.unlink(missing_ok=True)
            raise ChecksumError(
                f"The file {f.name} downloaded from {f.url} does not match its published "
                f"checksum ({f.hash}), so it was deleted. The download may have been "
                "corrupted or the file changed upstream. Try again, or import a verified "
                "copy with `vision-agent models import DIR`."
            )
        try:
            require_writable_target(dest, CacheError)
        except CacheError:
            temp.unlink(missing_ok=True)
            raise
        try:
            os.replace(temp, dest)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise self._cache_error(dest.parent, exc) from exc
        return dest

    def _cache_error(self, folder: Path, exc: OSError) -> CacheError:
        return CacheError(
            f"The model cache {folder} cannot be written ({exc.strerror or exc}). Set "
            f"{CACHE_DIR_ENV} to a folder you can write, or put the model files in a folder "
            f"listed in {MODEL_PATH_ENV}."
        )

    def _missing_message(self, entry: ModelEntry, f: FileEntry, reason: str) -> str:
        if entry.shipped:
            return (
                f"The model file {f.name} of '{entry.id}' is missing from this installation "
                f"(resources/{f.resource}): {reason}. Reinstall Vision Agent"
                + (" or train the model again." if entry.task == "digits" else ".")
            )
        return (
            f"Could not get {f.name} (model '{entry.id}') from {f.url}: {reason}.\n"
            f"On a computer without internet, download that file elsewhere and run "
            f"`vision-agent models import DIR` with the folder holding it, or put the folder in "
            f"the environment variable {MODEL_PATH_ENV}."
        )


def default_store() -> ModelStore:
    """A store configured from the environment (cheap: make one where you need it)."""
    return ModelStore()


def _env_search_path() -> list[Path]:
    value = os.environ.get(MODEL_PATH_ENV, "")
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]


def _default_cache_dir() -> Path:
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)) / "models"


_swept: set[Path] = set()  # cache folders whose stale temporary files this process removed
_swept_lock = threading.Lock()

RECHECK_AFTER_S = 5.0  # how long an index is used before its folders are looked at again


@dataclass
class _FolderIndex:
    """File name -> paths under some folders, with each folder's modification time (a file
    added, removed or renamed changes its folder's) and when that was last compared."""

    files: dict[str, list[str]]
    folder_times: dict[str, int]
    checked: float

    def unchanged(self) -> bool:
        for folder, mtime in self.folder_times.items():
            try:
                if os.stat(folder).st_mtime_ns != mtime:
                    return False
            except OSError:
                return False
        return True


_indexes: dict[tuple[str, ...], _FolderIndex] = {}
_indexes_lock = threading.Lock()


def _index_folders(folders: Iterable[Path]) -> dict[str, list[str]]:
    """File name -> paths (text: 100,000s of Path objects cost seconds), for every file under
    the given folders.

    Walked once per process and kept: a search path like /usr or a home folder holds 100,000s
    of files, and every model lookup asks. The folders' modification times are compared at most
    every RECHECK_AFTER_S (a stat per folder, no listing); a change walks them again.
    """
    key = tuple(str(folder) for folder in folders)
    now = time.monotonic()
    with _indexes_lock:
        cached = _indexes.get(key)
        if cached is not None and (now - cached.checked < RECHECK_AFTER_S or cached.unchanged()):
            cached.checked = now
            return cached.files
    files: dict[str, list[str]] = {}
    folder_times: dict[str, int] = {}
    for folder in map(Path, key):
        if not folder.is_dir():
            continue
        for root, dirs, names in os.walk(folder):
            dirs.sort()
            try:
                folder_times[root] = os.stat(root).st_mtime_ns
            except OSError:
                continue
            for name in sorted(names):
                files.setdefault(name, []).append(os.path.join(root, name))
    with _indexes_lock:
        _indexes[key] = _FolderIndex(files, folder_times, time.monotonic())
    return files


_digests: dict[tuple[str, int, int, int, str], str] = {}
_digests_lock = threading.Lock()


def file_digest(path: Path, algorithm: str) -> str:
    """Hex digest of a file, remembered while it is the same file (inode) with the same size and
    modification time (a copy renamed over it keeping the old time is another inode).

    OSError for anything but a regular file: a FIFO would block the read forever, a device
    (a link to /dev/zero) never end."""
    stat = path.stat()
    if not S_ISREG(stat.st_mode):
        raise OSError(f"{path} is not a regular file")
    key = (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns, algorithm)
    with _digests_lock:
        if key in _digests:
            return _digests[key]
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            hasher.update(block)
    digest = hasher.hexdigest()
    with _digests_lock:
        _digests[key] = digest
    return digest


def _has_size(path: Path, size: int | None) -> bool:
    """A regular file of `size` bytes (of any size when the registry does not say)."""
    try:
        stat = path.stat()
    except OSError:
        return False
    return S_ISREG(stat.st_mode) and (size is None or stat.st_size == size)


def _matches_any(path: Path, hashes: Iterable[str]) -> bool:
    try:
        for value in hashes:
            algorithm, _, expected = value.partition(":")
            if file_digest(path, algorithm) == expected.lower():
                return True
    except OSError:
        return False
    return False


def _wait_or_cancel(cancel: threading.Event | None, seconds: float) -> bool:
    """Sleep before a retry; True if the user cancelled meanwhile."""
    if cancel is None:
        time.sleep(seconds)
        return False
    return cancel.wait(seconds)
