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


def _zip(path: Path, members: list[tuple[str, int, bytes, int, int]]) -> Path:
    """A zip of (name, method, stored bytes, uncompressed size, crc) members, written as is."""
    import struct

    local, central = bytearray(), bytearray()
    for name, method, data, size, crc in members:
        encoded = name.encode()
        offset = len(local)
        sizes = (crc, len(data), size, len(encoded))
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, *sizes, 0)
        local += encoded + data
        central += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, *sizes, 0, 0, 0, 0, 0, offset
        )
        central += encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members),
                      len(central), len(local), 0)  # fmt: skip
    path.write_bytes(bytes(local + central + end))
    return path


def npz_bomb(path: Path, arrays: dict[str, Any], big: str, shape: tuple[int, ...]) -> Path:
    """An .npz of `arrays` plus member `big`: uint8 zeros of `shape` (gigabytes), a few MB on
    disk — deflate blocks of zeros, each flushed so that copies of one block can be chained."""
    import io
    import zlib

    import numpy as np

    members = []
    for name, array in arrays.items():
        buffer = io.BytesIO()
        np.save(buffer, array)
        data = buffer.getvalue()
        members.append((f"{name}.npy", 0, data, len(data), zlib.crc32(data)))
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "|u1", "fortran_order": False, "shape": shape}
    )
    block = 784 * 20_000
    blocks, rest = divmod(int(np.prod(shape)), block)
    assert rest == 0, "the shape's size must be a multiple of 784 × 20,000"

    def piece(data: bytes, final: bool = False) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush(
            zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH
        )

    zeros = bytes(block)
    crc = zlib.crc32(header.getvalue())
    for _ in range(blocks):
        crc = zlib.crc32(zeros, crc)
    stream = piece(header.getvalue()) + piece(zeros) * blocks + piece(b"", final=True)
    size = len(header.getvalue()) + blocks * block
    members.append((f"{big}.npy", 8, stream, size, crc))
    return _zip(path, members)
