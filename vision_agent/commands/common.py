"""What every per-file subcommand shares: its inputs, its output and error lines, its exit status.

Exit status: 0 all files done; 1 some files could not be read, or were read only in part (the
others were still processed); 2 the command could not start (bad model, bad option). Errors go to
stderr, each naming its file.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sys
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

from vision_agent.core.errors import UserError
from vision_agent.core.imageio import IMAGE_SUFFIXES, is_image_path

CANNOT_START = 2
OUTPUT_FAILED = 1
PIPE_CLOSED = 141  # what a shell reports for a tool ended by SIGPIPE (`cmd | head -1`)
_OUTPUT_ERRNOS = {
    errno.EPIPE,
    errno.ENOSPC,
    getattr(errno, "EDQUOT", errno.ENOSPC),
    errno.EFBIG,
    errno.EIO,
}
log = logging.getLogger(__name__)


def is_output_error(exc: BaseException) -> bool:
    """Whether `exc` is stdout failing: a closed pipe, a full disk (`> /dev/full`)."""
    return isinstance(exc, OSError) and exc.errno in _OUTPUT_ERRNOS


def output_failed(exc: OSError) -> int:
    """Stop after stdout failed, as Unix tools do: quietly on a closed pipe, else one line; the
    unwritten rest of stdout is dropped so Python's exit does not report it again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test's capture)
        pass
    if exc.errno == errno.EPIPE:
        return PIPE_CLOSED
    error(f"cannot write the output: {exc.strerror or exc}.")
    return OUTPUT_FAILED


def error(message: object) -> None:
    print(f"vision-agent: {message}", file=sys.stderr, flush=True)


def cannot_start(message: object) -> int:
    """Report why the command cannot run at all; returns its exit status."""
    error(message)
    return CANNOT_START


def emit(record: dict, as_json: bool, text: str) -> None:
    """Print one file's result: `record` as a JSON line, or `text`.

    A result holding NaN or infinity is refused (UserError) rather than printed: `NaN` is not
    JSON, and a score that is not a number is no answer in text either.
    """
    try:
        line = json.dumps(record, ensure_ascii=False, allow_nan=False)
    except ValueError:
        raise UserError(
            "the model gave a score that is not a number (NaN or infinity); no result for it."
        ) from None
    print(line if as_json else text, flush=True)


def folder_images(folder: Path) -> list[Path]:
    """The image files directly inside `folder`, sorted; UserError if there are none.

    Entries with an image suffix that are not regular files (a FIFO, a broken link) are kept,
    so that reading them reports why they are skipped.
    """
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise UserError(f"Cannot list the folder {folder}: {exc.strerror or exc}") from None
    images = [p for p in entries if is_image_path(p) and not p.is_dir()]
    if not images:
        raise UserError(f"{folder} holds no images ({' '.join(IMAGE_SUFFIXES)}).")
    return images


def for_each_file(
    inputs: Iterable[Path], handle: Callable[[Path], None], folders: bool = False
) -> int:
    """`handle` every file; a file it refuses (UserError) is reported and the rest go on.

    With `folders`, a folder among `inputs` stands for the images directly inside it.
    """
    failures = 0
    for item in inputs:
        try:
            paths = folder_images(item) if folders and item.is_dir() else [item]
        except UserError as exc:
            failures += 1
            error(exc)
            continue
        for path in paths:
            failures += not _handled(path, handle)
    return 1 if failures else 0


def _handled(path: Path, handle: Callable[[Path], None]) -> bool:
    """Run `handle(path)`; report a failure by name. Library warnings raised on the way (numpy on
    a model's overflow, a decoder's complaint) go to the log, not the user's terminal."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ok = _reported(path, handle)
    for warning in caught:
        log.info("%s: %s", path, warning.message)
    return ok


def _reported(path: Path, handle: Callable[[Path], None]) -> bool:
    try:
        handle(path)
    except OSError as exc:
        if is_output_error(exc):
            raise  # the output itself failed: no other file can be answered either
        log.exception("Unexpected failure on %s", path)
        error(f"{path}: cannot be read ({exc.strerror or exc}).")
        return False
    except UserError as exc:
        error(_naming(path, str(exc)))
        return False
    except MemoryError:
        error(f"{path}: not enough memory to process it.")
        return False
    except Exception as exc:  # a bug must not cost the user the other files' results
        log.exception("Unexpected failure on %s", path)
        error(f"{path}: failed unexpectedly ({type(exc).__name__}: {exc}); see the log.")
        return False
    return True


def _naming(path: Path, message: str) -> str:
    """`message`, prefixed with the file's path unless it already names the file."""
    return message if str(path) in message or path.name in message else f"{path}: {message}"
