"""The Models dialog: every registry model, its state, and a download button per row."""

from __future__ import annotations

from PyQt5.QtCore import Qt, pyqtSignal, pyqtSlot
from PyQt5.QtGui import QCloseEvent, QColor
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vision_agent.core.errors import UserError
from vision_agent.i18n import tr
from vision_agent.models.registry import format_size
from vision_agent.models.store import CORRUPT, MISSING, READY, ModelStore, default_store
from vision_agent.services.download_worker import DownloadWorker

COL_NAME, COL_TASK, COL_SIZE, COL_STATE, COL_ACTION = range(5)
FAILED = "failed"
CANCELLED = "cancelled"
DOWNLOADING = "downloading"
MODEL_ID_PROPERTY = "model_id"


def task_label(task: str) -> str:
    return {
        "classify": tr("Image classification"),
        "detect_faces": tr("Face detection"),
        "backbone": tr("Feature extractor"),
        "digits": tr("Digit recognition"),
    }.get(task, task)


def state_label(state: str) -> str:
    return {
        READY: tr("ready"),
        MISSING: tr("missing"),
        CORRUPT: tr("corrupt"),
        FAILED: tr("failed"),
        CANCELLED: tr("cancelled"),
    }.get(state, state)


class ModelsDialog(QDialog):
    """Lists the models with their state (ready / missing / corrupt / downloading NN %).

    Each missing or corrupt model has a Download button; a running download has Cancel, and a
    failed or cancelled one has Retry. Downloads run in `DownloadWorker` threads, so the dialog
    never blocks; closing it cancels them.

    Signals:
        sig_model_ready(str model_id): a download finished and the model's files are verified
            (tabs waiting for that model can load it now).
    """

    sig_model_ready = pyqtSignal(str)

    def __init__(self, store: ModelStore | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store or default_store()
        self._entries = {entry.id: entry for entry in self.store.registry.all_entries()}
        self._states: dict[str, str] = {}
        self._workers: dict[str, DownloadWorker] = {}
        self._build()
        self.refresh()

    # ----------------------------------------------------------------- layout

    def _build(self) -> None:
        self.setWindowTitle(tr("Models"))
        self.resize(1100, 420)
        self.table = QTableWidget(len(self._entries), 5, self)
        self.table.setHorizontalHeaderLabels([tr("Model"), tr("Task"), tr("Size"), tr("State"), ""])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.setFocusPolicy(Qt.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_NAME, QHeaderView.Stretch)
        for col in (COL_TASK, COL_SIZE, COL_ACTION):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(COL_STATE, QHeaderView.Fixed)
        self.table.setColumnWidth(COL_STATE, 190)
        for row, entry in enumerate(self._entries.values()):
            name = QTableWidgetItem(tr(entry.name_en))
            name.setToolTip(f"{entry.id}\n{entry.source}\n{entry.license}")
            self.table.setItem(row, COL_NAME, name)
            self.table.setItem(row, COL_TASK, QTableWidgetItem(task_label(entry.task)))
            size = QTableWidgetItem(format_size(*entry.known_size))
            size.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.table.setItem(row, COL_SIZE, size)

        search = ", ".join(map(str, self.store.search_path)) or tr("(none)")
        self.where_label = QLabel(
            tr("Cache folder: {cache}").format(cache=self.store.cache_dir)
            + "\n"
            + tr("Search path (VISION_AGENT_MODEL_PATH): {paths}").format(paths=search)
        )
        self.where_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextSelectableByMouse)

        import_button = QPushButton(tr("Import folder…"))
        import_button.clicked.connect(self.on_import_clicked)
        refresh_button = QPushButton(tr("Refresh"))
        refresh_button.clicked.connect(self.refresh)
        close_button = QPushButton(tr("Close"))
        close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(import_button)
        buttons.addWidget(refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.where_label)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)

    def _row(self, model_id: str) -> int:
        return list(self._entries).index(model_id)

    # ----------------------------------------------------------------- state

    def state(self, model_id: str) -> str:
        """ready / missing / corrupt / downloading / failed / cancelled."""
        return self._states[model_id]

    def state_text(self, model_id: str) -> str:
        """What the State column shows for a model (e.g. "downloading 34 %")."""
        widget = self.table.cellWidget(self._row(model_id), COL_STATE)
        if isinstance(widget, QProgressBar):
            return widget.text()
        return self.table.item(self._row(model_id), COL_STATE).text()

    def action_button(self, model_id: str) -> QPushButton | None:
        widget = self.table.cellWidget(self._row(model_id), COL_ACTION)
        return widget if isinstance(widget, QPushButton) else None

    @pyqtSlot()
    def refresh(self) -> None:
        """Re-check every model that is not downloading (hashes are cached, so this is quick)."""
        for model_id in self._entries:
            if model_id not in self._workers:
                report = self.store.report(model_id)
                detail = "\n".join(
                    f"{f.name}: {f.detail}" for f in report.files if f.state != READY
                )
                self._set_state(model_id, report.state, detail)

    def _set_state(self, model_id: str, state: str, detail: str = "") -> None:
        self._states[model_id] = state
        row = self._row(model_id)
        self.table.removeCellWidget(row, COL_STATE)
        item = QTableWidgetItem(state_label(state))
        item.setToolTip(detail)
        if state in (CORRUPT, FAILED):
            item.setForeground(QColor(200, 30, 30))
        elif state == READY:
            item.setForeground(QColor(20, 130, 50))
        self.table.setItem(row, COL_STATE, item)
        self._set_action(model_id, state)

    def _set_action(self, model_id: str, state: str) -> None:
        row = self._row(model_id)
        entry = self._entries[model_id]
        label = {
            MISSING: tr("Download"),
            CORRUPT: tr("Download again"),
            FAILED: tr("Retry"),
            CANCELLED: tr("Retry"),
            DOWNLOADING: tr("Cancel"),
        }.get(state)
        if label is None or (entry.shipped and state != DOWNLOADING):
            self.table.removeCellWidget(row, COL_ACTION)
            return
        button = QPushButton(label)
        button.setProperty(MODEL_ID_PROPERTY, model_id)
        button.clicked.connect(self._on_action_clicked)
        self.table.setCellWidget(row, COL_ACTION, button)

    @pyqtSlot()
    def _on_action_clicked(self) -> None:
        """A row's button: Cancel while its model downloads, (re)download otherwise."""
        model_id = self.sender().property(MODEL_ID_PROPERTY)
        if self._states.get(model_id) == DOWNLOADING:
            self.cancel_download(model_id)
        else:
            self.start_download(model_id)

    def _show_progress(self, model_id: str, percent: int) -> None:
        row = self._row(model_id)
        bar = self.table.cellWidget(row, COL_STATE)
        if not isinstance(bar, QProgressBar):
            bar = QProgressBar()
            bar.setTextVisible(True)
            self.table.setCellWidget(row, COL_STATE, bar)
        if percent < 0:
            bar.setRange(0, 0)
            bar.setFormat(tr("downloading…"))
        else:
            bar.setRange(0, 100)
            bar.setValue(percent)
            bar.setFormat(tr("downloading {percent} %").format(percent=percent))

    # ----------------------------------------------------------------- downloads

    def start_download(self, model_id: str) -> None:
        if model_id in self._workers:
            return
        worker = DownloadWorker(model_id, self.store)
        worker.sig_progress.connect(self.on_download_progress)
        worker.sig_finished.connect(self.on_download_finished)
        worker.sig_failed.connect(self.on_download_failed)
        worker.sig_cancelled.connect(self.on_download_cancelled)
        self._workers[model_id] = worker
        self._states[model_id] = DOWNLOADING
        self._show_progress(model_id, 0)
        self._set_action(model_id, DOWNLOADING)
        self.message_label.clear()
        worker.start()

    def cancel_download(self, model_id: str) -> None:
        worker = self._workers.get(model_id)
        if worker is not None:
            worker.cancel()

    @pyqtSlot(str, int, int, int, str)
    def on_download_progress(
        self, model_id: str, percent: int, done: int, total: int, file_name: str
    ) -> None:
        if model_id in self._workers:
            self._show_progress(model_id, percent)
            self.table.cellWidget(self._row(model_id), COL_STATE).setToolTip(file_name)

    @pyqtSlot(str, object)
    def on_download_finished(self, model_id: str, paths: object) -> None:
        self._workers.pop(model_id, None)
        self._set_state(model_id, READY)
        self.sig_model_ready.emit(model_id)

    @pyqtSlot(str, str)
    def on_download_failed(self, model_id: str, message: str) -> None:
        self._workers.pop(model_id, None)
        self._set_state(model_id, FAILED, message)
        self.message_label.setText(message)

    @pyqtSlot(str)
    def on_download_cancelled(self, model_id: str) -> None:
        self._workers.pop(model_id, None)
        self._set_state(model_id, CANCELLED)

    # ----------------------------------------------------------------- import

    @pyqtSlot()
    def on_import_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Folder with model files"))
        if folder:
            self.import_folder(folder)

    def import_folder(self, folder: str) -> None:
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            results = self.store.import_dir(folder)
        except UserError as exc:
            self.message_label.setText(str(exc))
            return
        finally:
            QApplication.restoreOverrideCursor()
        imported = sum(r.imported for r in results)
        rejected = [r for r in results if r.dest is None]
        text = tr("Imported {count} file(s) from {folder}.").format(count=imported, folder=folder)
        if rejected:
            names = ", ".join(r.source.name for r in rejected)
            text += " " + tr("Not imported (checksum mismatch): {names}").format(names=names)
        self.message_label.setText(text)
        self.refresh()

    def done(self, result: int) -> None:
        self._cancel_downloads()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._cancel_downloads()
        super().closeEvent(event)

    def _cancel_downloads(self) -> None:
        for worker in self._workers.values():
            worker.cancel()
