"""Fetch a model's files off the GUI thread, with progress and cancel, for any tab or dialog; or
run other work on the model store there (an import from a folder, the check of every model):
whatever hashes a model file, never on the GUI thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import ClassVar

from PyQt5.QtCore import QObject, Qt, QThread, pyqtSignal, pyqtSlot

from vision_agent.core.errors import UserError
from vision_agent.models.store import DownloadCancelled, ModelStore, default_store

StoreTask = Callable[[ModelStore], object]  # work on the store, in the worker's thread


class _Job(QObject):
    """Runs `ModelStore.resolve` (or a `StoreTask`) in the worker thread."""

    progress = pyqtSignal(int, int, str)
    finished = pyqtSignal(object)
    failed = pyqtSignal(str)
    cancelled = pyqtSignal()

    def __init__(
        self, store: ModelStore, model_id: str, cancel: threading.Event, task: StoreTask | None
    ) -> None:
        super().__init__()
        self._store = store
        self._model_id = model_id
        self._task = task
        self._cancel = cancel
        self._last_emit = 0.0
        self._last_percent = -1

    @pyqtSlot()
    def run(self) -> None:
        try:
            if self._task is None:
                result = self._store.resolve(self._model_id, self._on_progress, self._cancel)
            else:
                result = self._task(self._store)
        except DownloadCancelled:
            self.cancelled.emit()
        except UserError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            self.finished.emit(result)

    def _on_progress(self, done: int, total: int | None, file_name: str) -> None:
        """Forward at most one update per percent (or per 0.1 s when the size is unknown)."""
        now = time.monotonic()
        percent = 100 * done // total if total else -1
        if percent == self._last_percent and now - self._last_emit < 0.1:
            return
        self._last_emit, self._last_percent = now, percent
        self.progress.emit(done, total if total is not None else -1, file_name)


class DownloadWorker(QObject):
    """Downloads (or finds locally) the files of one model in its own QThread.

    Create it in the GUI thread, connect its signals, call `start()`. `cancel()` may be called
    at any time; the worker keeps itself alive until its thread has ended, so dropping the last
    reference while it runs is safe. Call `DownloadWorker.cancel_all(wait_ms)` when the app quits.

    Signals (delivered in the GUI thread):
        sig_progress(str model_id, int percent, int done_bytes, int total_bytes, str file_name):
            bytes received of the file now downloading; percent and total_bytes are -1 when the
            server does not say the size.
        sig_finished(str model_id, object paths): all files are verified; paths maps role -> Path.
            With a `task`: object is what the task returned.
        sig_failed(str model_id, str message): a message written for the user (offline, 404,
            checksum mismatch...), naming the file and how to import it.
        sig_cancelled(str model_id): the user cancelled; nothing partial was kept.
    """

    sig_progress = pyqtSignal(str, int, int, int, str)
    sig_finished = pyqtSignal(str, object)
    sig_failed = pyqtSignal(str, str)
    sig_cancelled = pyqtSignal(str)

    _alive: ClassVar[set[DownloadWorker]] = set()

    def __init__(
        self,
        model_id: str,
        store: ModelStore | None = None,
        parent: QObject | None = None,
        task: StoreTask | None = None,
    ) -> None:
        """With `task`, run `task(store)` in the thread instead of downloading."""
        super().__init__(parent)
        self.model_id = model_id
        self._store = store
        self._task = task
        self._cancel = threading.Event()
        self._thread: QThread | None = None
        self._job: _Job | None = None

    def start(self) -> None:
        if self.is_running():
            return
        self._cancel.clear()
        thread = QThread()
        job = _Job(self._store or default_store(), self.model_id, self._cancel, self._task)
        job.moveToThread(thread)
        thread.started.connect(job.run)
        job.progress.connect(self.on_job_progress)
        job.finished.connect(self.on_job_finished)
        job.failed.connect(self.on_job_failed)
        job.cancelled.connect(self.on_job_cancelled)
        for signal in (job.finished, job.failed, job.cancelled):
            # Direct: quit from the job's own thread. Queued, the quit would wait for the GUI
            # thread's event loop, and a GUI thread blocked in wait() would never see it.
            signal.connect(thread.quit, Qt.DirectConnection)
        thread.finished.connect(self.on_thread_finished)
        self._thread, self._job = thread, job
        DownloadWorker._alive.add(self)
        thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the thread has ended; True if it did within `msecs`."""
        return self._thread.wait(msecs) if self._thread is not None else True

    @classmethod
    def cancel_all(cls, wait_ms: int = 5_000) -> None:
        """Cancel every running download and wait for the threads (for application shutdown)."""
        workers = list(cls._alive)
        for worker in workers:
            worker.cancel()
        for worker in workers:
            worker.wait(wait_ms)

    @pyqtSlot(int, int, str)
    def on_job_progress(self, done: int, total: int, file_name: str) -> None:
        percent = 100 * done // total if total > 0 else -1
        self.sig_progress.emit(self.model_id, percent, done, total, file_name)

    @pyqtSlot(object)
    def on_job_finished(self, paths: object) -> None:
        self.sig_finished.emit(self.model_id, paths)

    @pyqtSlot(str)
    def on_job_failed(self, message: str) -> None:
        self.sig_failed.emit(self.model_id, message)

    @pyqtSlot()
    def on_job_cancelled(self) -> None:
        self.sig_cancelled.emit(self.model_id)

    @pyqtSlot()
    def on_thread_finished(self) -> None:
        # `finished` is emitted just before the thread really ends: wait so that nothing can
        # destroy a QThread that is still running once this worker is released.
        if self._thread is not None:
            self._thread.wait()
        DownloadWorker._alive.discard(self)
