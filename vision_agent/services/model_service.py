"""A model service: one recognizer, loaded once in a worker QThread and kept warm.

Requests flow one way: a controller calls `call(Recognizer.method, *args)` (the method itself,
not its name: the seam keeps its types and go-to-definition) and gets a `Reply`; the worker
thread runs the recognizer (directly, or in a child process for TensorFlow models, see
`vision_agent.engine`), and the reply emits `finished(result)` or `failed(message)`. Calls made
while the model is still loading wait for it. With `latest=True` the newest call of a method wins:
an older one still queued is dropped and its reply never emits, so results never lag behind what
the user sees, and neither its arguments nor its result are kept (a photo reader fed 500 photos
faster than the window took them once held 710 MB of decoded photos). A model that failed to load
is reported once, by `sig_state_changed`; calls made meanwhile end silently.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import Enum
from typing import Any

from PyQt5.QtCore import QObject, QThread, pyqtSignal, pyqtSlot

from vision_agent.core.errors import UserError
from vision_agent.engine.host import HostStopped, LocalHost, ProcessHost, RemoteError, make_host
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.models.store import ModelMissingError, default_store

log = logging.getLogger(__name__)


class ModelState(str, Enum):
    """Where a service's model is; equal to its value ("ready" == ModelState.READY)."""

    IDLE = "idle"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"  # the detail says why
    MISSING = "missing"  # a registry model whose files are not on this computer


class Reply(QObject):
    """The answer to one call: exactly one of `finished(result)` or `failed(message)`, or nothing
    when a newer call superseded it (latest wins), no model was loaded (see ModelService) or the
    caller discarded it."""

    finished = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(self) -> None:
        super().__init__()
        self.discarded = False

    def then(
        self, on_finished: Callable[[Any], None], on_failed: Callable[[str], None] | None = None
    ) -> Reply:
        """Connect the outcome's handlers; returns this reply (to keep, e.g. to discard it)."""
        self.finished.connect(on_finished)
        if on_failed is not None:
            self.failed.connect(on_failed)
        return self

    def discard(self) -> None:
        """The caller no longer wants the outcome (the photo or the model changed)."""
        self.discarded = True


class _Requests:
    """Arguments and results of the requests in flight, shared by the GUI and worker threads.

    A superseding request releases the arguments of the one it replaces at once; the result of
    a superseding method waits in a one-item slot per method, where a newer result replaces it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._args: dict[int, tuple[tuple, bool]] = {}
        self._latest: dict[str, int] = {}
        self._results: dict[str, tuple[int, object]] = {}

    def put(self, request_id: int, method: str, args: tuple, supersede: bool) -> int | None:
        """Keep the request's arguments; returns the id of the request it supersedes, if any."""
        replaced = None
        with self._lock:
            if supersede:
                replaced = self._latest.get(method)
                if replaced is not None:
                    self._args.pop(replaced, None)
                self._latest[method] = request_id
            self._args[request_id] = (args, supersede)
        return replaced

    def take_args(self, request_id: int) -> tuple[tuple, bool] | None:
        """The request's arguments and whether it supersedes, or None when a newer request
        superseded it."""
        with self._lock:
            return self._args.pop(request_id, None)

    def put_result(self, request_id: int, method: str, result: object) -> bool:
        """Keep the newest result of a superseding method; False when it is already stale."""
        with self._lock:
            if request_id < self._latest.get(method, request_id):
                return False
            self._results[method] = (request_id, result)
            return True

    def take_result(self, method: str) -> tuple[int, object] | None:
        with self._lock:
            return self._results.pop(method, None)


class _Missing(Exception):
    """The spec's registry model is not on this computer (its cause says which file)."""


class _Worker(QObject):
    """Lives in the service's thread; every slot runs there."""

    sig_state_changed = pyqtSignal(str, str)
    sig_result = pyqtSignal(int, object)
    sig_result_waiting = pyqtSignal(str)
    sig_error = pyqtSignal(int, str)
    sig_not_served = pyqtSignal(int)
    sig_event = pyqtSignal(object)

    def __init__(self, requests: _Requests) -> None:
        super().__init__()
        self._requests = requests
        self._host: LocalHost | ProcessHost | None = None
        self._host_lock = threading.Lock()
        self._stopping = False

    @pyqtSlot(object)
    def on_load_requested(self, spec: RecognizerSpec) -> None:
        self._close_host()
        if self._stopping:
            return
        try:
            extra: dict[str, Any] = {}
            if spec.model_id is not None:
                extra["files"] = self._local_files(spec.model_id)
            self.sig_state_changed.emit(ModelState.LOADING, spec.label)
            host = make_host(spec, **extra)
            with self._host_lock:
                self._host = host
            name = host.start()
        except HostStopped:
            return
        except _Missing as missing:
            self._fail_load(str(missing.__cause__), ModelState.MISSING)
            return
        except (UserError, RemoteError) as exc:
            self._fail_load(str(exc))
            return
        except Exception as exc:
            self._fail_load(f"{type(exc).__name__}: {exc}")
            return
        self.sig_state_changed.emit(ModelState.READY, name)

    @staticmethod
    def _local_files(model_id: str) -> dict[str, Any]:
        """The model's files on this computer; never downloads (that takes the user's click)."""
        try:
            return default_store().local_files(model_id)
        except ModelMissingError as exc:
            raise _Missing from exc

    def _fail_load(self, message: str, state: ModelState = ModelState.FAILED) -> None:
        self._close_host()
        self.sig_state_changed.emit(state, message)

    @pyqtSlot(int, str)
    def on_call_requested(self, request_id: int, method: str) -> None:
        taken = self._requests.take_args(request_id)
        if self._stopping or taken is None:
            return
        args, latest = taken
        host = self._host
        if host is None:  # the failed load was reported once, by sig_state_changed
            self.sig_not_served.emit(request_id)
            return
        try:
            result = host.call(method, *args, on_event=self.sig_event.emit)
        except HostStopped:
            return
        except (UserError, RemoteError) as exc:
            self.sig_error.emit(request_id, str(exc))
            return
        except Exception as exc:
            self.sig_error.emit(request_id, f"{type(exc).__name__}: {exc}")
            return
        del args, taken
        if not latest:
            self.sig_result.emit(request_id, result)
        elif self._requests.put_result(request_id, method, result):
            self.sig_result_waiting.emit(method)
        del result  # a superseded result is freed here, not in the GUI thread's queue
        self._settle(host)

    def _settle(self, host: LocalHost | ProcessHost) -> None:
        """After a result is out: let the host adopt an in-process twin (see ProcessHost)."""
        try:
            host.settle()
        except HostStopped:
            pass
        except Exception as exc:  # the next request reports a dead host; this one succeeded
            log.warning("model host could not settle: %s", exc)

    def serves_in_process(self, method: str) -> bool:
        host = self._host
        return host is not None and host.serves_in_process(method)

    def abort(self) -> None:
        """Called from the GUI thread on shutdown: stop child processes now."""
        self._stopping = True
        with self._host_lock:
            if self._host is not None:
                self._host.abort()

    def _close_host(self) -> None:
        with self._host_lock:
            host, self._host = self._host, None
        if host is not None:
            host.close()

    def close_after_thread(self) -> None:
        """Release the host once the thread has ended (called from the GUI thread)."""
        self._close_host()


class ModelService(QObject):
    """One model in a worker thread.

    Signals:
        sig_state_changed(str state, str detail): a ModelState value; "missing" means the
            registry model's files are not on this computer (the service never downloads them:
            offer the user a `DownloadWorker`); detail is the model's name, or the message saying
            why it failed.
        sig_event(object payload): progress a running call reports (e.g. training epochs).
    """

    sig_state_changed = pyqtSignal(str, str)
    sig_event = pyqtSignal(object)

    _sig_load_requested = pyqtSignal(object)
    _sig_call_requested = pyqtSignal(int, str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._requests = _Requests()
        self._replies: dict[int, Reply] = {}
        self._next_id = 0
        self.state = ModelState.IDLE
        self._thread = QThread()
        self._thread.setObjectName(f"model-service-{name}")
        self._worker = _Worker(self._requests)
        self._worker.moveToThread(self._thread)
        self._sig_load_requested.connect(self._worker.on_load_requested)
        self._sig_call_requested.connect(self._worker.on_call_requested)
        self._worker.sig_state_changed.connect(self._on_state_changed)
        self._worker.sig_result.connect(self._on_result)
        self._worker.sig_result_waiting.connect(self._on_result_waiting)
        self._worker.sig_error.connect(self._on_error)
        self._worker.sig_not_served.connect(self._on_not_served)
        self._worker.sig_event.connect(self.sig_event)
        self._thread.start()
        self._running = True

    @pyqtSlot(str)
    def _on_result_waiting(self, method: str) -> None:
        waiting = self._requests.take_result(method)
        if waiting is not None:
            self._on_result(*waiting)

    @pyqtSlot(int, object)
    def _on_result(self, request_id: int, result: object) -> None:
        reply = self._replies.pop(request_id, None)
        if reply is not None and not reply.discarded:
            reply.finished.emit(result)

    @pyqtSlot(int, str)
    def _on_error(self, request_id: int, message: str) -> None:
        reply = self._replies.pop(request_id, None)
        if reply is not None and not reply.discarded:
            reply.failed.emit(message)

    @pyqtSlot(int)
    def _on_not_served(self, request_id: int) -> None:
        self._replies.pop(request_id, None)

    @pyqtSlot(str, str)
    def _on_state_changed(self, state: str, detail: str) -> None:
        self.state = ModelState(state)
        self.sig_state_changed.emit(state, detail)

    def load(self, spec: RecognizerSpec) -> None:
        """Load (or replace) the model; calls made from now on wait for it."""
        self.state = ModelState.LOADING
        self._sig_load_requested.emit(spec)

    def call(self, method: Callable[..., Any], *args: Any, latest: bool = False) -> Reply:
        """Queue `recognizer.method(*args)`, `method` being the recognizer class's own (e.g.
        `PostalRecognizer.recognize`); the returned reply carries its outcome.

        With `latest=True`, this call supersedes an older call of `method` still in flight: that
        one's reply never emits. Keep the reply to tell a current answer from an old one.
        """
        self._next_id += 1
        reply = Reply()
        self._replies[self._next_id] = reply
        name = method.__name__
        replaced = self._requests.put(self._next_id, name, args, latest)
        if replaced is not None:
            self._replies.pop(replaced, None)
        self._sig_call_requested.emit(self._next_id, name)
        return reply

    def calls_in_flight(self) -> int:
        """Calls made and not answered yet (superseded and discarded ones not counted once done)."""
        return len(self._replies)

    def serves_in_process(self, method: Callable[..., Any]) -> bool:
        """Whether `method` runs in this process now (always for in-process models; for a
        child-process model, once it has handed over an in-process twin)."""
        return self._worker.serves_in_process(method.__name__)

    def is_running(self) -> bool:
        return self._running

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Stop the thread (and any child process) and wait for it: safe while a call runs."""
        if not self._running:
            return
        self._running = False
        self._replies.clear()
        self._worker.abort()
        self._thread.quit()
        if not self._thread.wait(timeout_ms):
            self._worker.abort()
            self._thread.wait()
        self._worker.close_after_thread()
