"""What every per-file subcommand shares: its inputs, its error lines and its exit status.

Exit status: 0 all files done; 1 some files could not be read (the others were still
processed); 2 the command could not start (bad model, bad option). Errors go to stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from vision_agent.core.errors import UserError
from vision_agent.core.imageio import is_image_path

CANNOT_START = 2


def error(message: object) -> None:
    print(f"vision-agent: {message}", file=sys.stderr, flush=True)


def cannot_start(message: object) -> int:
    """Report why the command cannot run at all; returns its exit status."""
    error(message)
    return CANNOT_START


def expand_inputs(inputs: Iterable[Path]) -> Iterator[Path]:
    """Files as given; folders as the images directly inside them, sorted by name."""
    for path in inputs:
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.is_file() and is_image_path(p))
        else:
            yield path


def for_each_file(paths: Iterable[Path], handle: Callable[[Path], None]) -> int:
    """`handle` every file; a file it refuses (UserError) is reported and the rest go on."""
    failures = 0
    for path in paths:
        try:
            handle(path)
        except UserError as exc:
            failures += 1
            error(exc)
    return 1 if failures else 0
