"""Progress events a long call (training, a download) reports while it runs.

Code running inside a host calls `emit(payload)`; the host forwards it to whoever made the call
(`Host.call(..., on_event=...)`), across the process boundary when there is one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_local = threading.local()


def emit(payload: Any) -> None:
    """Report progress of the current call; a no-op when nobody listens."""
    sink = getattr(_local, "sink", None)
    if sink is not None:
        sink(payload)


@contextmanager
def listening(sink: Callable[[Any], None] | None) -> Iterator[None]:
    previous = getattr(_local, "sink", None)
    _local.sink = sink
    try:
        yield
    finally:
        _local.sink = previous
