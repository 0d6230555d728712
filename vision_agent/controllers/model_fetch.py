"""Getting a missing registry model onto this computer, for the missing-model panel: a download
in its own thread (`DownloadWorker`) or a copy from a folder, both checked against the registry;
and, for the Models dialog, the check of every model (`ModelChecks`).

Whatever hashes a model file runs in a worker's thread: the GUI thread never waits for a hash.
Widget-free: the panel and the dialog render the signals (widgets never start services).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from PyQt5.QtCore import QObject, pyqtSignal, pyqtSlot

from vision_agent.models.store import READY, ModelStore, default_store
from vision_agent.services.download_worker import DownloadWorker, StoreTask


class ModelFetch(QObject):
    """One download at a time; Cancel takes effect at once whatever the network does.

    Signals: those of `DownloadWorker` (sig_progress, sig_finished, sig_failed, sig_cancelled),
    sent once `is_running()` already says False for the last three; for an import from a folder,
    sig_imported(model_id, folder, whether the model is complete now) or
    sig_import_failed(model_id, message: not a folder, or the cache cannot be written).
    """

    sig_progress = pyqtSignal(str, int, int, int, str)
    sig_finished = pyqtSignal(str, object)
    sig_failed = pyqtSignal(str, str)
    sig_cancelled = pyqtSignal(str)
    sig_imported = pyqtSignal(str, str, bool)
    sig_import_failed = pyqtSignal(str, str)

    def __init__(self, store: ModelStore | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._worker: DownloadWorker | None = None

    @property
    def store(self) -> ModelStore:
        return self._store or default_store()

    def is_running(self) -> bool:
        return self._worker is not None and self._worker.is_running()

    def download(self, model_id: str) -> None:
        if self.is_running():
            return
        worker = DownloadWorker(model_id, self._store, parent=self)
        worker.sig_progress.connect(self.sig_progress)
        worker.sig_finished.connect(self._on_finished)
        worker.sig_failed.connect(self._on_failed)
        worker.sig_cancelled.connect(self._on_cancelled)
        self._worker = worker
        worker.start()

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def import_folder(self, model_id: str, folder: str) -> None:
        """Copy the files of any registry model found in `folder`, each checked in the worker's
        thread (hashing a large model takes seconds); the outcome comes as a signal."""
        if self.is_running():
            return

        def copy(store: ModelStore) -> bool:  # whether the model is complete now
            store.import_dir(folder)
            return store.report(model_id).state == READY

        worker = DownloadWorker(model_id, self._store, parent=self, task=copy)
        worker.sig_finished.connect(lambda _id, ready: self._on_imported(model_id, folder, ready))
        worker.sig_failed.connect(self._on_import_failed)
        self._worker = worker
        worker.start()

    def _on_imported(self, model_id: str, folder: str, ready: object) -> None:
        self._worker = None
        self.sig_imported.emit(model_id, folder, bool(ready))

    @pyqtSlot(str, str)
    def _on_import_failed(self, model_id: str, message: str) -> None:
        self._worker = None
        self.sig_import_failed.emit(model_id, message)

    @pyqtSlot(str, object)
    def _on_finished(self, model_id: str, paths: object) -> None:
        self._worker = None
        self.sig_finished.emit(model_id, paths)

    @pyqtSlot(str, str)
    def _on_failed(self, model_id: str, message: str) -> None:
        self._worker = None
        self.sig_failed.emit(model_id, message)

    @pyqtSlot(str)
    def _on_cancelled(self, model_id: str) -> None:
        self._worker = None
        self.sig_cancelled.emit(model_id)


class ModelChecks(QObject):
    """The state of registry models, every present file hashed against the registry, and
    imports from a folder, one after another in a `DownloadWorker` thread.

    Signals (for the one who asked; a check asked again while one runs waits for it):
        sig_reports(object): a list of ModelReport, one per model asked of `check`.
        sig_imported(str folder, object results): the list of ImportResult of `import_folder`.
        sig_failed(str message): a check or an import failed (not a folder, the cache cannot be
            written, an unreadable registry).
    """

    sig_reports = pyqtSignal(object)
    sig_imported = pyqtSignal(str, object)
    sig_failed = pyqtSignal(str)

    def __init__(self, store: ModelStore | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._worker: DownloadWorker | None = None
        self._waiting: deque[tuple[StoreTask, Callable[[object], None]]] = deque()
        self._answer: Callable[[object], None] | None = None

    def is_running(self) -> bool:
        return self._worker is not None

    def check(self, model_ids: list[str]) -> None:
        ids = list(model_ids)
        self._ask(lambda store: [store.report(m) for m in ids], self.sig_reports.emit)

    def import_folder(self, folder: str) -> None:
        self._ask(
            lambda store: store.import_dir(folder),
            lambda results: self.sig_imported.emit(folder, results),
        )

    def shutdown(self) -> None:
        """Ask nothing more (a check under way ends in its thread; its answer is dropped)."""
        self._waiting.clear()
        self._answer = None

    def _ask(self, task: StoreTask, answer: Callable[[object], None]) -> None:
        self._waiting.append((task, answer))
        self._next()

    def _next(self) -> None:
        if self._worker is not None or not self._waiting:
            return
        task, self._answer = self._waiting.popleft()
        # No parent: the worker keeps itself alive until its thread ends, even past this object.
        self._worker = DownloadWorker("", self._store, task=task)
        self._worker.sig_finished.connect(self._on_finished)
        self._worker.sig_failed.connect(self._on_failed)
        self._worker.start()

    @pyqtSlot(str, object)
    def _on_finished(self, _id: str, result: object) -> None:
        answer = self._answer
        self._worker, self._answer = None, None
        if answer is not None:
            answer(result)
        self._next()

    @pyqtSlot(str, str)
    def _on_failed(self, _id: str, message: str) -> None:
        answer = self._answer
        self._worker, self._answer = None, None
        if answer is not None:
            self.sig_failed.emit(message)
        self._next()
