"""Hosts that build a recognizer once and then serve calls on it."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
from collections.abc import Callable
from typing import Any

from vision_agent import quiet_tensorflow
from vision_agent.core.errors import UserError
from vision_agent.engine.events import listening
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.logging_setup import setup_logging

EventCallback = Callable[[Any], None] | None
TWIN_METHOD = "in_process_twin"

log = logging.getLogger(__name__)


class HostStopped(Exception):
    """The host was stopped (window closing) while a call was in flight."""


class RemoteError(Exception):
    """An unexpected error inside the child process; the message names its type."""


class LocalHost:
    """Runs the recognizer in the calling thread."""

    def __init__(self, spec: RecognizerSpec, **extra: Any) -> None:
        self._spec, self._extra = spec, extra
        self._target: Any = None

    def start(self) -> str:
        self._target = self._spec.build(**self._extra)
        return str(getattr(self._target, "model_name", self._spec.label))

    def call(self, method: str, *args: Any, on_event: EventCallback = None) -> Any:
        with listening(on_event):
            return getattr(self._target, method)(*args)

    def serves_in_process(self, method: str) -> bool:
        return True

    def settle(self) -> None:
        """Nothing to do between calls."""

    def abort(self) -> None:
        """Nothing to interrupt: OpenCV calls are short; the caller waits for them."""

    def close(self) -> None:
        self._target = None


class ProcessHost:
    """Runs the recognizer in a child process (spawned: no inherited Qt or threads).

    With `spec.twin_methods`, the host asks the recognizer for an in-process twin (its
    `in_process_twin()` returns a factory and its arguments) when it has
    started and between calls (`settle`), until one is offered; from then on those methods
    run in this process, without the child's pipe in between.
    """

    def __init__(self, spec: RecognizerSpec, **extra: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child_conn, spec, extra), daemon=True, name="vision-agent-model"
        )
        self._child_conn = child_conn
        self._aborted = False
        self._twin_methods = spec.twin_methods
        self._label = spec.describe()
        self._awaiting_twin = bool(spec.twin_methods)
        self._twin: LocalHost | None = None

    def start(self) -> str:
        self._process.start()
        self._child_conn.close()
        name = self._receive(None)
        self.settle()
        return name

    def serves_in_process(self, method: str) -> bool:
        """Whether `method` runs in this process now (on the recognizer's twin)."""
        return self._twin is not None and method in self._twin_methods

    def settle(self) -> None:
        """Between calls: adopt the recognizer's in-process twin as soon as it offers one.

        A twin that fails to build is logged and not asked for again; the child keeps serving.
        """
        if not self._awaiting_twin:
            return
        recipe = self._call_child(TWIN_METHOD)
        if recipe is None:
            return
        factory, kwargs = recipe
        twin_spec = RecognizerSpec(factory, kwargs, label=f"{self._label} (in-process twin)")
        self._awaiting_twin = False
        twin = LocalHost(twin_spec)
        try:
            twin.start()
        except Exception as exc:
            log.warning("in-process twin %s not usable: %s", twin_spec.label, exc)
            return
        self._twin = twin

    def call(self, method: str, *args: Any, on_event: EventCallback = None) -> Any:
        if self.serves_in_process(method):
            return self._twin.call(method, *args, on_event=on_event)
        return self._call_child(method, *args, on_event=on_event)

    def _call_child(self, method: str, *args: Any, on_event: EventCallback = None) -> Any:
        try:
            self._conn.send((method, args))
        except (OSError, ValueError):
            raise self._stopped() from None
        return self._receive(on_event)

    def _receive(self, on_event: EventCallback) -> Any:
        while True:
            try:
                kind, payload = self._conn.recv()
            except (EOFError, OSError):
                raise self._stopped() from None
            if kind == "event":
                if on_event is not None:
                    on_event(payload)
            elif kind == "ok":
                return payload
            elif kind == "user_error":
                raise UserError(payload)
            else:
                raise RemoteError(payload)

    def _stopped(self) -> Exception:
        if self._aborted:
            return HostStopped()
        self._process.join(1)
        return UserError(
            f"The model process stopped unexpectedly (exit code {self._process.exitcode})."
        )

    def abort(self) -> None:
        """Stop the child now, even mid-call (safe from another thread)."""
        self._aborted = True
        if self._process.is_alive():
            self._process.terminate()

    def close(self) -> None:
        if self._twin is not None:
            self._twin.close()
            self._twin = None
        if self._process.is_alive():
            with contextlib.suppress(OSError, ValueError):
                self._conn.send(None)
            self._process.join(5)
        if self._process.is_alive():
            self._aborted = True
            self._process.kill()
            self._process.join(5)
        self._conn.close()


def make_host(spec: RecognizerSpec, **extra: Any) -> LocalHost | ProcessHost:
    return LocalHost(spec, **extra) if spec.in_process else ProcessHost(spec, **extra)


def _serve(conn, spec: RecognizerSpec, extra: dict[str, Any]) -> None:
    """Child process main loop: build, then answer (method, args) until told to stop."""
    setup_logging()
    quiet_tensorflow.install()
    quiet_tensorflow.warnings_to_log()

    def send_event(payload: Any) -> None:
        conn.send(("event", payload))

    try:
        with listening(send_event):
            target = spec.build(**extra)
        conn.send(("ok", str(getattr(target, "model_name", spec.label))))
    except UserError as exc:
        conn.send(("user_error", str(exc)))
        return
    except Exception as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        method, args = message
        try:
            with listening(send_event):
                result = getattr(target, method)(*args)
            conn.send(("ok", result))
        except UserError as exc:
            conn.send(("user_error", str(exc)))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
