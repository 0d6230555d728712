"""A missing model, said plainly, with a Download button: nothing is fetched without that click."""

from __future__ import annotations

from PyQt5.QtCore import Qt, pyqtSignal, pyqtSlot
from PyQt5.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from vision_agent.core.errors import UserError
from vision_agent.i18n import tr
from vision_agent.models.registry import default_registry
from vision_agent.services.download_worker import DownloadWorker

MISSING_STYLE = "color: #a04000;"


class ModelDownloadPanel(QWidget):
    """The message why a registry model is unavailable, Download / Cancel and the progress.

    Hidden until `show_missing`. The download runs in a `DownloadWorker`; Cancel and
    `shutdown()` take effect at once whatever the network does.

    Signals:
        sig_downloaded(str model_id): the model's files are verified in the cache: load it again.
    """

    sig_downloaded = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_id: str | None = None
        self._worker: DownloadWorker | None = None
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message_label.setStyleSheet(MISSING_STYLE)
        self.progress = QProgressBar(self)
        self.progress.setFixedWidth(200)
        self.download_button = QPushButton(self)
        self.download_button.clicked.connect(self.download)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message_label, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.download_button)
        layout.addWidget(self.cancel_button)
        self.setVisible(False)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.download_button.setText(tr("Download"))
        self.cancel_button.setText(tr("Cancel"))

    def show_missing(self, model_id: str | None, message: str) -> None:
        """Say why the model is unavailable; offer its download when the registry has one."""
        if not self.is_downloading():
            self.model_id = model_id if _downloadable(model_id) else None
        self.message_label.setText(message)
        self._show_idle()
        self.setVisible(True)

    def clear(self) -> None:
        """Hide the panel (a download in progress keeps going and stays visible)."""
        if not self.is_downloading():
            self.setVisible(False)

    def is_downloading(self) -> bool:
        return self._worker is not None and self._worker.is_running()

    def download(self) -> None:
        if self.model_id is None or self.is_downloading():
            return
        worker = DownloadWorker(self.model_id, parent=self)
        worker.sig_progress.connect(self.on_progress)
        worker.sig_finished.connect(self.on_finished)
        worker.sig_failed.connect(self.on_failed)
        worker.sig_cancelled.connect(self.on_cancelled)
        self._worker = worker
        self.message_label.setText(tr("Downloading {model}…").format(model=self.model_id))
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.download_button.setVisible(False)
        self.cancel_button.setVisible(True)
        worker.start()

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def shutdown(self) -> None:
        self.cancel()

    @pyqtSlot(str, int, int, int, str)
    def on_progress(self, _id: str, percent: int, done: int, _total: int, name: str) -> None:
        if percent >= 0:
            self.progress.setRange(0, 100)
            self.progress.setValue(percent)
        self.progress.setFormat(f"{name}: {done / 1e6:.1f} MB")

    @pyqtSlot(str, object)
    def on_finished(self, model_id: str, _paths: object) -> None:
        self._worker = None
        self.setVisible(False)
        self.sig_downloaded.emit(model_id)

    @pyqtSlot(str, str)
    def on_failed(self, _model_id: str, message: str) -> None:
        self._worker = None
        self.message_label.setText(message)
        self._show_idle()

    @pyqtSlot(str)
    def on_cancelled(self, _model_id: str) -> None:
        self._worker = None
        self.message_label.setText(tr("Download cancelled."))
        self._show_idle()

    def _show_idle(self) -> None:
        downloading = self.is_downloading()
        self.progress.setVisible(downloading)
        self.download_button.setVisible(self.model_id is not None and not downloading)
        self.cancel_button.setVisible(downloading)


def _downloadable(model_id: str | None) -> bool:
    if model_id is None:
        return False
    try:
        entry = default_registry().get(model_id)
    except UserError:  # an unknown id or an unreadable registry: nothing to offer
        return False
    return not entry.shipped
