"""One HTTP transfer into a temporary file, which nothing the network does can prolong.

The transfer runs in a daemon thread; the caller's thread only watches it (every 0.1 s) and
gives up on it when the user cancels, when the server makes no progress for `stall_timeout`
seconds (a silent server, or a trickle of less than STALL_MIN_BYTES in that time), or when the
body grows past its limit. Giving up closes the socket where it can and deletes the temporary
file at once; a thread still stuck in a read is abandoned (it wakes within its socket timeout,
sees that, and ends). A process killed mid-download leaves a temporary file, which
`remove_stale_temp_files` deletes when the next download starts.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vision_agent.core.errors import UserError

POLL_S = 0.1
STALL_MIN_BYTES = 16 * 1024
STALE_AFTER_S = 600.0  # a live download writes at least every stall_timeout
TEMP_PREFIX = ".download-"
TEMP_SUFFIX = ".part"
_CHUNK = 64 * 1024

ProgressCallback = Callable[[int, "int | None", str], None]


class DownloadCancelled(UserError):
    """The user cancelled a download (nothing was kept)."""


class TransferError(Exception):
    """The transfer failed. `reason` completes "Could not get FILE: …"; `retry` says whether
    trying again may help (a dropped connection) or not (HTTP 404, a stall, too large)."""

    def __init__(self, reason: str, retry: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


@dataclass(frozen=True)
class Limits:
    """`max_bytes`: the body may not be longer. `stall_timeout`: seconds without progress."""

    max_bytes: int
    stall_timeout: float


def fetch(
    url: str,
    folder: Path,
    file_name: str,
    hash_algorithm: str,
    limits: Limits,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> tuple[Path, str]:
    """Download `url` into a new temporary file in `folder`; returns it with its hex digest.

    Raises DownloadCancelled, TransferError, or OSError when `folder` cannot be written.
    The caller owns the returned file (rename it into place or delete it).
    """
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f"{TEMP_PREFIX}{file_name}.", suffix=TEMP_SUFFIX)
    transfer = _Transfer(url, fd, Path(temp), hash_algorithm, limits)
    thread = threading.Thread(target=transfer.run, name=f"download-{file_name}", daemon=True)
    thread.start()
    try:
        _watch(transfer, file_name, limits, progress, cancel)
    except BaseException:
        transfer.abandon()
        raise
    if transfer.error is not None:
        raise transfer.error
    return transfer.path, transfer.digest


def _watch(
    transfer: _Transfer,
    file_name: str,
    limits: Limits,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> None:
    """Wait for the transfer, reporting progress; raise when it must be given up."""
    mark_time, mark_bytes, reported = time.monotonic(), 0, -1
    while not transfer.done.wait(POLL_S):
        if cancel is not None and cancel.is_set():
            raise DownloadCancelled(f"Download of {file_name} cancelled.")
        now, received = time.monotonic(), transfer.received
        if received - mark_bytes >= STALL_MIN_BYTES:
            mark_time, mark_bytes = now, received
        elif now - mark_time > limits.stall_timeout:
            raise TransferError(stall_message(limits.stall_timeout))
        if progress is not None and received != reported and transfer.started:
            reported = received
            progress(received, transfer.total, file_name)
    if progress is not None and transfer.error is None:
        progress(transfer.received, transfer.total, file_name)


class _Transfer:
    """The part that runs in the download thread (and may be abandoned there)."""

    def __init__(self, url: str, fd: int, path: Path, algorithm: str, limits: Limits) -> None:
        self.url = url
        self.fd = fd
        self.path = path
        self.limits = limits
        self.hasher = hashlib.new(algorithm)
        self.received = 0
        self.total: int | None = None
        self.started = False
        self.digest = ""
        self.error: BaseException | None = None
        self.done = threading.Event()
        self._abandoned = threading.Event()
        self._response = None

    def run(self) -> None:
        try:
            with os.fdopen(self.fd, "wb", buffering=0) as out:
                self._receive(out)
            self.digest = self.hasher.hexdigest()
        except BaseException as exc:
            self.error = (
                exc
                if isinstance(exc, TransferError)
                else _as_transfer_error(exc, self.limits.stall_timeout)
            )
        finally:
            if self.error is not None or self._abandoned.is_set():
                _remove(self.path)
            self.done.set()

    def _receive(self, out) -> None:
        import requests

        # The socket never blocks longer than the stall time, so an abandoned thread ends soon.
        timeout = (self.limits.stall_timeout, self.limits.stall_timeout)
        with requests.get(self.url, stream=True, timeout=timeout) as response:
            self._response = response
            if self._abandoned.is_set():
                return
            if response.status_code >= 400:
                raise TransferError(f"the server answered HTTP {response.status_code}")
            length = response.headers.get("content-length", "")
            self.total = int(length) if length.isdigit() else None
            if self.total is not None and self.total > self.limits.max_bytes:
                raise TransferError(
                    f"the server announced {self.total} bytes, larger than the expected "
                    f"{_limit_text(self.limits.max_bytes)}"
                )
            self.started = True
            read = getattr(response.raw, "read1", response.raw.read)
            while not self._abandoned.is_set():
                chunk = read(_CHUNK, decode_content=True)
                if not chunk:
                    break
                self.received += len(chunk)
                if self.received > self.limits.max_bytes:
                    raise TransferError(
                        f"the file is larger than {_limit_text(self.limits.max_bytes)}, "
                        "so it was stopped"
                    )
                self.hasher.update(chunk)
                out.write(chunk)
        if self.total is not None and self.received < self.total and not self._abandoned.is_set():
            raise TransferError(
                f"the transfer was interrupted (received {self.received} of {self.total} bytes)",
                retry=True,
            )

    def abandon(self) -> None:
        """Called from the watching thread: stop, wake a blocked read if possible, clean up."""
        self._abandoned.set()
        response = self._response
        connection = getattr(getattr(response, "raw", None), "connection", None)
        sock = getattr(connection, "sock", None)
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        _remove(self.path)  # POSIX lets the thread finish writing into the unlinked file


def _as_transfer_error(exc: BaseException, stall_timeout: float) -> TransferError:
    import requests
    import urllib3

    if isinstance(exc, requests.Timeout | urllib3.exceptions.TimeoutError | TimeoutError):
        return TransferError(stall_message(stall_timeout))
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | urllib3.exceptions.ProtocolError):
        return TransferError(f"the transfer was interrupted ({exc})", retry=True)
    if isinstance(exc, requests.ConnectionError):
        return TransferError("no connection (are you offline?)", retry=True)
    if isinstance(exc, OSError):
        return TransferError(f"the file could not be written ({exc.strerror or exc})")
    return TransferError(f"{type(exc).__name__}: {exc}")


def stall_message(stall_timeout: float) -> str:
    return f"no progress for {stall_timeout:g} s, so it was stopped"


def _limit_text(size: int) -> str:
    from vision_agent.models.registry import format_size

    return f"{format_size(size)} ({size} bytes)"


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def is_temp_name(name: str) -> bool:
    """Temporary files of this module, of `ModelStore.import_dir`, and of older versions (pooch)."""
    if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
        return True
    if name.startswith(".import-"):
        return True
    return name.startswith("tmp") and len(name) == 11 and name[3:].replace("_", "").isalnum()


def remove_stale_temp_files(folders: list[Path], now: float | None = None) -> list[Path]:
    """Delete temporary files older than STALE_AFTER_S in `folders` (not recursive)."""
    now = time.time() if now is None else now
    removed = []
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                stale = entry.is_file(follow_symlinks=False) and (
                    now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
                )
            except OSError:
                continue
            if stale and is_temp_name(entry.name):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed
