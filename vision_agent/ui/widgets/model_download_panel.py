"""A missing model, said plainly: what is missing and how large, Download (with progress and
Cancel), Import from folder…, Use another model and Dismiss. Nothing is fetched without the
user's click.

A tab shows it (through `ModelStatusView`) when the user picks a model that is not on this
computer or that fails to load, and so does the Models dialog."""

from __future__ import annotations

from enum import Enum

from PyQt5.QtCore import Qt, pyqtSignal, pyqtSlot
from PyQt5.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vision_agent.controllers.model_fetch import ModelFetch
from vision_agent.core.errors import UserError
from vision_agent.i18n import tr
from vision_agent.models.registry import ModelEntry
from vision_agent.models.store import ModelStore
from vision_agent.ui.model_problem_text import (
    download_failed_text,
    failure_reason,
    missing_text,
    model_name,
)
from vision_agent.ui.settings import ask_folder

MISSING_STYLE = "color: #a04000;"


class _Shown(Enum):
    """What the message line says (kept so that a language switch can say it again)."""

    MISSING = "missing"
    CORRUPT = "corrupt"
    MESSAGE = "message"  # a load failure that is not about missing files
    DOWNLOADING = "downloading"
    IMPORTING = "importing"  # the chosen folder's files are being checked and copied
    FAILED = "failed"
    CANCELLED = "cancelled"
    IMPORTED = "imported"
    NOT_IMPORTED = "not imported"  # the chosen folder held no verified file of the model


class ModelDownloadPanel(QWidget):
    """Why a model is unavailable, and the three ways out.

    Hidden until `show_missing`. Its `ModelFetch` downloads or imports; Cancel and `shutdown()`
    take effect at once whatever the network does.

    Signals:
        sig_downloaded(str model_id): the model's files are verified on this computer (downloaded
            or imported): load it again.
        sig_use_another_model(): the user wants to choose another model (the tab shows its list);
            the button is offered only where this signal is connected.
        sig_busy_changed(bool): a download started (True) or ended, however it ended (False).
        sig_dismissed(): the user closed the panel (offered only where this signal is connected).
    """

    sig_downloaded = pyqtSignal(str)
    sig_use_another_model = pyqtSignal()
    sig_busy_changed = pyqtSignal(bool)
    sig_dismissed = pyqtSignal()

    def __init__(self, parent: QWidget | None = None, store: ModelStore | None = None) -> None:
        super().__init__(parent)
        self.fetch = ModelFetch(store, self)
        self.fetch.sig_progress.connect(self.on_progress)
        self.fetch.sig_finished.connect(self.on_finished)
        self.fetch.sig_failed.connect(self.on_failed)
        self.fetch.sig_cancelled.connect(self.on_cancelled)
        self.fetch.sig_imported.connect(self.on_imported)
        self.fetch.sig_import_failed.connect(self.on_import_failed)
        self.model_id: str | None = None
        self._shown = _Shown.MESSAGE
        self._detail = ""
        self._note = ""
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message_label.setStyleSheet(MISSING_STYLE)
        self.progress = QProgressBar(self)
        self.progress.setFixedWidth(240)
        self.download_button = QPushButton(self)
        self.download_button.clicked.connect(self.download)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.cancel)
        self.import_button = QPushButton(self)
        self.import_button.clicked.connect(self.choose_import_folder)
        self.use_another_button = QPushButton(self)
        self.use_another_button.clicked.connect(self.sig_use_another_model)
        self.dismiss_button = QPushButton(self)
        self.dismiss_button.clicked.connect(self.dismiss)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for widget in (
            self.progress,
            self.download_button,
            self.cancel_button,
            self.import_button,
            self.use_another_button,
            self.dismiss_button,
        ):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)
        self.setVisible(False)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.download_button.setText(tr("Download"))
        self.cancel_button.setText(tr("Cancel"))
        self.import_button.setText(tr("Import from folder…"))
        self.import_button.setToolTip(
            tr("Copy the model's files from a folder (a USB stick, another computer's download).")
        )
        self.use_another_button.setText(tr("Use another model"))
        self.dismiss_button.setText(tr("Dismiss"))
        self._show_text()

    def offers_another_model(self) -> bool:
        """Whether a tab listens to "Use another model" (the Models dialog does not)."""
        return self.receivers(self.sig_use_another_model) > 0

    # ----------------------------------------------------------------- what is shown

    def show_missing(
        self, model_id: str | None, message: str, note: str = "", corrupt: bool = False
    ) -> None:
        """Say why the model is unavailable: `model_id` names a registry model whose files are
        missing (or `corrupt`), whose download is offered; without it `message` says why.
        `note` follows the text (e.g. which model the tab still uses).
        """
        if not self.is_downloading():
            self.model_id = model_id if self._entry(model_id) is not None else None
            self._detail, self._note = message, note
            if self.model_id is None:
                self._shown = _Shown.MESSAGE
            else:
                self._shown = _Shown.CORRUPT if corrupt else _Shown.MISSING
            self._show_text()
        self._show_buttons()
        self.setVisible(True)

    def clear(self) -> None:
        """Hide the panel (a download in progress keeps going and stays visible)."""
        if not self.is_downloading():
            self.setVisible(False)

    def dismiss(self) -> None:
        self.clear()
        self.sig_dismissed.emit()

    def text(self) -> str:
        return self.message_label.text()

    def _show_text(self) -> None:
        entry = self._entry(self.model_id)
        shown = self._shown
        if shown is _Shown.MESSAGE or entry is None:
            text = failure_reason(self._detail) if self._detail else ""
        elif shown in (_Shown.MISSING, _Shown.CORRUPT):
            text = missing_text(entry, self.offers_another_model(), shown is _Shown.CORRUPT)
        elif shown is _Shown.DOWNLOADING:
            text = tr("Downloading {model}…").format(model=model_name(entry))
        elif shown is _Shown.IMPORTING:
            text = tr("Importing {model}…").format(model=model_name(entry))
        elif shown is _Shown.FAILED:
            text = download_failed_text(entry, self._detail, self.offers_another_model())
        elif shown is _Shown.CANCELLED:
            text = tr("Download cancelled.")
        elif shown is _Shown.NOT_IMPORTED:
            text = tr("{folder} holds no verified file of this model.").format(folder=self._detail)
            text += "\n" + missing_text(entry, self.offers_another_model())
        else:
            text = tr("{model} was imported.").format(model=model_name(entry))
        self.message_label.setText("\n".join(t for t in (text, self._note) if t))

    def _show_buttons(self) -> None:
        downloading = self.is_downloading()
        offer = self.model_id is not None and not downloading
        self.progress.setVisible(downloading)
        self.download_button.setVisible(offer)
        self.import_button.setVisible(offer)
        self.cancel_button.setVisible(downloading and self._shown is not _Shown.IMPORTING)
        self.use_another_button.setVisible(self.offers_another_model() and not downloading)
        dismissable = self.receivers(self.sig_dismissed) > 0
        self.dismiss_button.setVisible(dismissable and not downloading)

    def _entry(self, model_id: str | None) -> ModelEntry | None:
        """The registry entry of a model the user can fetch (not a shipped one), else None."""
        if model_id is None:
            return None
        try:
            entry = self.fetch.store.registry.get(model_id)
        except UserError:  # an unknown id or an unreadable registry: nothing to offer
            return None
        return None if entry.shipped else entry

    # ----------------------------------------------------------------- download

    def is_downloading(self) -> bool:
        return self.fetch.is_running()

    def download(self) -> None:
        if self.model_id is None or self.is_downloading():
            return
        self.fetch.download(self.model_id)
        self._busy(_Shown.DOWNLOADING)

    def cancel(self) -> None:
        self.fetch.cancel()

    def shutdown(self) -> None:
        self.cancel()

    @pyqtSlot(str, int, int, int, str)
    def on_progress(self, _id: str, percent: int, done: int, total: int, _name: str) -> None:
        if percent >= 0:
            self.progress.setRange(0, 100)
            self.progress.setValue(percent)
            self.progress.setFormat(f"{done / 1e6:.1f} / {total / 1e6:.1f} MB")
        else:
            self.progress.setFormat(f"{done / 1e6:.1f} MB")

    @pyqtSlot(str, object)
    def on_finished(self, model_id: str, _paths: object) -> None:
        self.setVisible(False)
        self.sig_busy_changed.emit(False)
        self.sig_downloaded.emit(model_id)

    @pyqtSlot(str, str)
    def on_failed(self, _model_id: str, message: str) -> None:
        self._detail = message
        self._ended(_Shown.FAILED)

    @pyqtSlot(str)
    def on_cancelled(self, _model_id: str) -> None:
        self._ended(_Shown.CANCELLED)

    # ----------------------------------------------------------------- import

    @pyqtSlot()
    def choose_import_folder(self) -> None:
        folder = ask_folder(self, tr("Folder with model files"), "model_imports")
        if folder:
            self.import_folder(str(folder))

    def import_folder(self, folder: str) -> None:
        """Copy the model's files from `folder` (checked against the registry, in the fetch's
        thread: never hashed on the GUI thread); reload once they are complete."""
        if self.model_id is None or self.is_downloading():
            return
        self.fetch.import_folder(self.model_id, folder)
        self._busy(_Shown.IMPORTING)

    @pyqtSlot(str, str, bool)
    def on_imported(self, model_id: str, folder: str, ready: bool) -> None:
        self._detail = folder
        self._ended(_Shown.IMPORTED if ready else _Shown.NOT_IMPORTED)
        if ready:
            self.setVisible(False)
            self.sig_downloaded.emit(model_id)

    @pyqtSlot(str, str)
    def on_import_failed(self, _model_id: str, message: str) -> None:
        """Not a folder, or the model cache cannot be written."""
        self._detail = message
        self._ended(_Shown.MESSAGE)

    def _busy(self, shown: _Shown) -> None:
        """A download or an import started: say which, with a running progress bar."""
        self._shown = shown
        self._show_text()
        self.progress.setRange(0, 0)
        self.progress.setFormat("")
        self._show_buttons()
        self.sig_busy_changed.emit(True)

    def _ended(self, shown: _Shown) -> None:
        """A download or an import ended (not by a success that closes the panel)."""
        self._shown = shown
        self._show_text()
        self._show_buttons()
        self.sig_busy_changed.emit(False)
