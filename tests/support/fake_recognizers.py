"""Recognizers for service tests: controllable timing and failures (built in a host)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from vision_agent.core.errors import ModelLoadError, UserError
from vision_agent.engine.events import emit


class Sleeper:
    model_name = "sleeper"

    def __init__(self, load_seconds: float = 0.0) -> None:
        time.sleep(load_seconds)

    def sleep(self, seconds: float) -> float:
        emit({"sleeping": seconds})
        time.sleep(seconds)
        return seconds

    def block(self, gate: threading.Event) -> None:
        """Say that it runs, then wait until `gate` is set (in-process hosts: the test's own
        Event object reaches it)."""
        emit("blocked")
        gate.wait(60)

    def echo(self, value):
        return value

    def count(self, n: int) -> int:
        for i in range(n):
            emit({"step": i})
        return n

    def refuse(self) -> None:
        raise UserError("this photo is not usable")

    def break_down(self) -> None:
        raise ValueError("internal bug")

    def die(self) -> None:
        os._exit(3)

    def pid(self) -> int:
        return os.getpid()


def refusing_loader() -> None:
    raise ModelLoadError("this model does not fit")


class TwinOffering(Sleeper):
    """A child-process recognizer that offers an in-process twin once `echo` was called
    `after_calls` times; `twin_factory` is what the twin is built from."""

    def __init__(self, after_calls: int = 1, twin_factory: Callable[[], object] = Sleeper):
        super().__init__()
        self.calls, self.after_calls, self.twin_factory = 0, after_calls, twin_factory

    def echo(self, value):
        self.calls += 1
        return value

    def in_process_twin(self) -> tuple[Callable[[], object], dict] | None:
        if self.calls < self.after_calls:
            return None
        return self.twin_factory, {}


class Warner:
    """Warns while it is built, as Keras and numpy do while a model loads or exports."""

    model_name = "warner"

    def __init__(self) -> None:
        import warnings

        warnings.warn("np.object will be defined differently", FutureWarning, stacklevel=1)
