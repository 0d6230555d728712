"""Recognizers for service tests: controllable timing and failures (built in a host)."""

from __future__ import annotations

import os
import time

from vision_agent.core.errors import ModelLoadError, UserError
from vision_agent.engine.events import emit


class Sleeper:
    model_name = "sleeper"

    def __init__(self, load_seconds: float = 0.0) -> None:
        time.sleep(load_seconds)

    def sleep(self, seconds: float) -> float:
        time.sleep(seconds)
        return seconds

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
