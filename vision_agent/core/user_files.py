"""Checking a file the user named before anything reads it.

`open()` on a FIFO blocks until a writer appears, and `/dev/zero` or a 50 GB file read whole
fills the memory: every reader of user files (photos, drawings, videos, models, class names)
first asks `require_regular_file`, which looks at the file's type and size without opening it.
"""

from __future__ import annotations

import json
import math
import os
import re
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


def read_user_bytes(
    path: str | Path,
    what: str = "a file",
    max_bytes: int = 1 << 20,
    error: type[UserError] = UserError,
) -> bytes:
    """The bytes of `path`, read through the gate: a regular file of at most `max_bytes`.

    Opened without blocking and checked again on the open file, so a file swapped for a FIFO or
    a device after the first look is still refused; at most `max_bytes` are ever read.
    """
    path = Path(path)
    require_regular_file(path, what, max_bytes, error)
    try:
        handle = os.open(
            path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        )
    except OSError as exc:
        raise error(f"Cannot read {path}: {exc.strerror or exc}") from None
    with os.fdopen(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise error(f"{path} is not a regular file, not {what}.")
        try:
            data = file.read(max_bytes + 1)
        except OSError as exc:
            raise error(f"Cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise error(f"{path} grew past {format_bytes(max_bytes)} while it was read; not read.")
    return data


_JSON_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKETS = re.compile(rb"[\[\]{}]")


def json_depth(data: bytes) -> int:
    """How deeply `data`'s arrays and objects nest (strings skipped), without parsing it."""
    depth = deepest = 0
    for bracket in _JSON_BRACKETS.findall(_JSON_STRINGS.sub(b"", data)):
        if bracket in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def parse_json(
    data: bytes,
    path: str | Path,
    what: str,
    error: type[UserError] = UserError,
    max_depth: int = 32,
):
    """JSON text of a user or side file, with its nesting bounded before Python's parser (which
    recurses) sees it; numbers too large for a float are refused, not read as infinity."""
    if json_depth(data) > max_depth:
        raise error(f"{path} nests deeper than {max_depth} levels, so it is not read as {what}.")
    try:
        return json.loads(data, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as exc:
        reason = exc.args[0] if isinstance(exc, ValueError) and exc.args else "unreadable"
        raise error(f"{path} is not valid JSON ({reason}), so it is not read as {what}.") from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is too large a number")
    return value


def read_user_json(
    path: str | Path,
    what: str,
    max_bytes: int = 1 << 20,
    error: type[UserError] = UserError,
    max_depth: int = 32,
):
    """A JSON side file (model card, registry, class list, catalog) read through the gate."""
    data = read_user_bytes(path, what, max_bytes, error)
    return parse_json(data, path, what, error, max_depth)


def require_nonempty_file(
    path: str | Path,
    what: str = "a file",
    max_bytes: int | None = None,
    error: type[UserError] = UserError,
) -> int:
    """`require_regular_file`, and not empty: a file that reports 0 bytes is called empty —
    unless it holds data all the same (a system file such as those in /proc), which is said."""
    size = require_regular_file(path, what, max_bytes, error)
    if size:
        return size
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            holds_data = bool(os.read(handle, 1))
        finally:
            os.close(handle)
    except OSError:
        holds_data = False
    if holds_data:
        raise error(
            f"{path} is a system file that reports no size (like those in /proc), not {what}."
        )
    raise error(f"{path} is empty (0 bytes), not {what}.")
