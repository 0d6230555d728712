"""Downloads against a hostile local HTTP server: endless, oversized, trickling and silent bodies.

Whatever the server does, a download stops at the expected size, gives up after a short stall,
honours Cancel at once and leaves no temporary file in the cache.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from tests.support.model_server import FILE_NAME as NAME
from tests.support.model_server import PAYLOAD, cache_files, one_model_store
from vision_agent.models.store import DownloadCancelled, ModelMissingError, ModelStore

PROMPT_S = 5.0  # far above the design's 0.1 s, far below what a hang takes


def resolve_in_thread(store: ModelStore, cancel: threading.Event | None = None):
    """Start `store.resolve("m")` in a thread; returns (thread, outcome list)."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(store.resolve("m", cancel=cancel))
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def finish(thread: threading.Thread, outcome: list[object], seconds: float) -> object:
    thread.join(seconds)
    assert not thread.is_alive(), f"the download was still running after {seconds} s"
    return outcome[0]


def test_endless_body_stops_at_the_registry_size(tmp_path, model_server):
    store = one_model_store(tmp_path, model_server.url("endless", NAME))
    error = finish(*resolve_in_thread(store), 30)
    assert isinstance(error, ModelMissingError)
    assert "larger than" in str(error) and NAME in str(error)
    assert cache_files(tmp_path) == []
    assert model_server.sent["endless"] < 50 * len(PAYLOAD)


def test_body_of_unknown_size_stops_at_the_cap(tmp_path, model_server):
    store = one_model_store(
        tmp_path, model_server.url("endless", NAME), size=None, size_cap=2_000_000
    )
    error = finish(*resolve_in_thread(store), 30)
    assert isinstance(error, ModelMissingError) and "larger than 2.0 MB" in str(error)
    assert cache_files(tmp_path) == []


def test_announced_length_over_the_registry_size_is_refused_before_reading(tmp_path, model_server):
    store = one_model_store(tmp_path, model_server.url("huge", NAME))
    error = finish(*resolve_in_thread(store), 30)
    assert isinstance(error, ModelMissingError)
    assert "10000000000 bytes" in str(error) and f"{len(PAYLOAD)}" in str(error)
    assert cache_files(tmp_path) == []


@pytest.mark.parametrize("route", ["trickle", "silent"])
def test_stalled_server_is_given_up_after_the_stall_time(tmp_path, model_server, route):
    model_server.trickle_seconds = 0.3  # a byte now and then, too little to count as progress
    store = one_model_store(tmp_path, model_server.url(route, NAME), stall_timeout=1.0, retries=2)
    started = time.monotonic()
    error = finish(*resolve_in_thread(store), 30)
    assert isinstance(error, ModelMissingError), error
    assert "no progress for 1 s" in str(error)
    assert time.monotonic() - started < 1.0 + PROMPT_S, "a stall is not retried"
    assert model_server.requests[route] == 1
    assert cache_files(tmp_path) == []


@pytest.mark.parametrize("route", ["trickle", "silent", "endless", "slow"])
def test_cancel_takes_effect_at_once_whatever_the_server_does(tmp_path, model_server, route):
    store = one_model_store(tmp_path, model_server.url(route, NAME), size=None)
    cancel = threading.Event()
    thread, outcome = resolve_in_thread(store, cancel)
    time.sleep(0.5)
    cancelled_at = time.monotonic()
    cancel.set()
    error = finish(thread, outcome, PROMPT_S)
    assert time.monotonic() - cancelled_at < PROMPT_S
    assert isinstance(error, DownloadCancelled)
    assert cache_files(tmp_path) == [], "the temporary file is removed at once"


def test_stale_temporary_files_are_removed_when_a_download_starts(tmp_path, model_server):
    folder = tmp_path / "cache" / "m"
    folder.mkdir(parents=True)
    old = [folder / ".download-model.bin.k2j4.part", folder / "tmpx8_3kq0v", folder / ".import-a1"]
    for path in old:
        path.write_bytes(b"left by a killed process")
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    recent = folder / ".download-model.bin.z9z9.part"
    recent.write_bytes(b"another process is downloading")
    keep = tmp_path / "cache" / "other" / "tmpx8_3kq0v"
    keep.parent.mkdir()
    keep.write_bytes(b"not ours to judge: no model of this id")
    os.utime(keep, (time.time() - 3600, time.time() - 3600))

    store = one_model_store(tmp_path, model_server.url("good", NAME))
    assert store.resolve("m")["weights"].read_bytes() == PAYLOAD
    assert not any(path.exists() for path in old)
    assert recent.exists()
    assert cache_files(tmp_path) == sorted([folder / NAME, recent, keep])
