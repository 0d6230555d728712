"""The one writer of the app's own files: profiles, settings, exports, the model cache.

Every write goes the same way: the target must be a regular file (or not exist yet) — never a
link, a device, a FIFO or a folder, so the app never writes over or through anything it did not
make; the bytes go to a temporary file in the same folder, flushed, then renamed over the target
(a crash never leaves half a file). A read-modify-write of shared state (a profile taught from
two places, the settings of two windows) holds `user_file_lock(target)`, a lock file beside the
target that other processes wait for, so no one's change is lost.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import filelock

from vision_agent.core.errors import UserError
from vision_agent.core.user_files import FILE_KINDS

LOCK_TIMEOUT_S = 30.0
STALE_TEMP_AFTER_S = 3600.0  # a write takes seconds; an older temporary file is a crash's leftover
TEMP_SUFFIX = ".tmp"

_KINDS = ((stat.S_ISLNK, "a link"), *FILE_KINDS)


def require_writable_target(path: Path, error: type[UserError] = UserError) -> None:
    """`error` unless `path` is absent or a regular file (a link is refused, never followed)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise error(f"Cannot save {path}: {_os_reason(exc)}.") from None
    if stat.S_ISREG(mode):
        return
    kind = next((kind for is_kind, kind in _KINDS if is_kind(mode)), "not a regular file")
    raise error(
        f"{path} is {kind}: the app only replaces its own regular files, so it was left "
        "untouched and nothing was saved."
    )


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "the path is longer than the system allows"
    return exc.strerror or str(exc)


def make_folder(folder: Path, error: type[UserError] = UserError) -> None:
    """Create `folder` (and its parents); `error` saying why when it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise error(f"{folder} is a file, not a folder: nothing can be saved in it.") from None
    except OSError as exc:
        raise error(f"Cannot create the folder {folder}: {_os_reason(exc)}.") from None


def write_user_file(path: str | Path, data: bytes, error: type[UserError] = UserError) -> None:
    """Replace `path` with `data` atomically; `error` (naming the file and why) when it cannot."""
    path = Path(path)
    require_writable_target(path, error)
    make_folder(path.parent, error)
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name[:40]}-", suffix=TEMP_SUFFIX, dir=path.parent
        )
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        require_writable_target(path, error)  # not swapped for a link while we wrote
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        raise error(f"Cannot save {path}: {_os_reason(exc)}.") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


@contextlib.contextmanager
def user_file_lock(path: str | Path, error: type[UserError] = UserError) -> Iterator[None]:
    """Hold the cross-process lock of `path` (the file `.<name>.lock` beside it)."""
    path = Path(path)
    lock_path = path.parent / f".{path.name}.lock"
    make_folder(path.parent, error)
    require_writable_target(lock_path, error)
    lock = filelock.FileLock(str(lock_path), timeout=LOCK_TIMEOUT_S)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise error(
            f"{path} is being changed by another Vision Agent for more than "
            f"{LOCK_TIMEOUT_S:g} s; try again."
        ) from None
    except OSError as exc:
        raise error(f"Cannot save {path}: {_os_reason(exc)}.") from None
    try:
        yield
    finally:
        lock.release()


def is_temp_name(name: str) -> bool:
    """A temporary file of `write_user_file` (and of older profile saves)."""
    return name.startswith(".") and name.endswith(TEMP_SUFFIX) and "-" in name


def remove_stale_temp_files(folder: str | Path, now: float | None = None) -> list[Path]:
    """Delete this writer's temporary files older than STALE_TEMP_AFTER_S in `folder`.

    Only regular files are removed (a link with such a name is left alone); a save in progress
    in another process is younger than the threshold and is not touched.
    """
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not is_temp_name(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_TEMP_AFTER_S:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed
