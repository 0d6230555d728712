"""Checking a file the user named before anything reads it.

`open()` on a FIFO blocks until a writer appears, and `/dev/zero` or a 50 GB file read whole
fills the memory: every reader of user files (photos, drawings, videos, models, class names)
first asks `require_regular_file`, which looks at the file's type and size without opening it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from vision_agent.core.errors import UserError

FILE_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def format_bytes(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def require_regular_file(
    path: str | Path,
    what: str = "a file",
    max_bytes: int | None = None,
    error: type[UserError] = UserError,
) -> int:
    """The size of `path` if it is a regular file of at most `max_bytes`; else `error`.

    `what` names what the file should have been ("an image", "a model file"); every message
    names the file and says why it is not read.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if path.is_symlink():
            raise error(f"{path} is a link to a file that does not exist.") from None
        raise error(f"File not found: {path}") from None
    except OSError as exc:
        raise error(f"Cannot read {path}: {exc.strerror or exc}") from None
    for is_kind, kind in FILE_KINDS:
        if is_kind(info.st_mode):
            raise error(f"{path} is {kind}, not {what}.")
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{path} is not a regular file, not {what}.")
    if max_bytes is not None and info.st_size > max_bytes:
        raise error(
            f"{path} is too large ({format_bytes(info.st_size)}; {what} of up to "
            f"{format_bytes(max_bytes)} is read)."
        )
    if not os.access(path, os.R_OK):
        raise error(f"Cannot read {path}: permission denied.")
    return info.st_size
