"""Inputs that must not hang or flood a reader: FIFOs, devices, huge sparse files, link loops.

`raised_in_child` runs a call in a forked child with a time limit and a memory ceiling, so a
reader that blocks on a FIFO or reads /dev/zero forever fails the test instead of hanging it or
filling the machine's memory.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHILD_MEMORY_HEADROOM = 1 << 30  # address space the call may add to what the child has


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def sparse_file(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no disk space (zeros, as /dev/zero would give)."""
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def link_loop(folder: Path, name: str) -> Path:
    """`folder/name` -> `folder/name.loop` -> `folder/name`."""
    first, second = folder / name, folder / f"{name}.loop"
    first.symlink_to(second.name)
    second.symlink_to(first.name)
    return first


def _vm_size() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def _child(call: Callable[[], Any], conn) -> None:
    limit = _vm_size() + CHILD_MEMORY_HEADROOM
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        call()
        conn.send(("returned", ""))
    except BaseException as exc:
        conn.send((type(exc).__name__, str(exc)))


def raised_in_child(seconds: float, call: Callable[[], Any]) -> tuple[str, str]:
    """(exception type name, message) that `call()` raised in a forked child ("returned", "" if
    none); AssertionError if it ran past `seconds` (it is killed)."""
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_child, args=(call, send))
    child.start()
    ready = receive.poll(seconds)
    if not ready:
        child.kill()
    child.join(5)
    assert ready, f"still running after {seconds} s (blocked on a FIFO, or reading forever?)"
    return receive.recv()
