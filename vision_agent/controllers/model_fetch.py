"""Getting a missing registry model onto this computer, for the missing-model panel: a download
in its own thread (`DownloadWorker`) or a copy from a folder, both checked against the registry.

Widget-free: the panel renders the signals (widgets never start services themselves).
"""

from __future__ import annotations

from PyQt5.QtCore import QObject, pyqtSignal, pyqtSlot

from vision_agent.models.store import ModelStore, default_store
from vision_agent.services.download_worker import DownloadWorker


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
        worker = DownloadWorker(model_id, self._store, parent=self, folder=folder)
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
