"""The Models dialog: every registry model, its state, and the missing-model panel for one."""

from __future__ import annotations

from PyQt5.QtCore import Qt, pyqtSignal, pyqtSlot
from PyQt5.QtGui import QCloseEvent, QColor
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vision_agent.controllers.model_fetch import ModelChecks
from vision_agent.controllers.model_slot import Refusal, SlotStatus, registry_caption
from vision_agent.i18n import tr
from vision_agent.models.registry import format_size
from vision_agent.models.store import (
    CORRUPT,
    MISSING,
    READY,
    ImportResult,
    ModelReport,
    ModelStore,
    default_store,
)
from vision_agent.ui.model_problem_text import model_name
from vision_agent.ui.settings import ask_folder
from vision_agent.ui.widgets.model_status import ModelStatusView

COL_NAME, COL_TASK, COL_SIZE, COL_STATE = range(4)
DOWNLOADING = "downloading"
CHECKING = "checking"  # its files are being hashed (in the checks' thread)


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
        DOWNLOADING: tr("downloading…"),
        CHECKING: tr("checking…"),
    }.get(state, state)


def file_detail(detail: str) -> str:
    """The store's word on one file (its own English for the command line) in the UI's language."""
    return {"not found": tr("not found"), "checksum mismatch": tr("checksum mismatch")}.get(
        detail, detail
    )


class ModelsDialog(QDialog):
    """Lists the models with their state (checking / ready / missing / corrupt / downloading).

    The files are hashed against the registry in `ModelChecks`' thread (a large model takes
    seconds): a row says "checking…" until its answer comes. Choosing a missing or corrupt model
    shows the missing-model panel the tabs use (its size, Download with progress and Cancel,
    Import from folder…). Downloads and imports run in a worker thread too, so the dialog never
    blocks; closing the dialog cancels a download.

    Signals:
        sig_model_ready(str model_id): a model's files were downloaded or imported and verified.
        sig_models_changed(): the set of models on this computer changed (a download or an
            import): every model list should look again.
    """

    sig_model_ready = pyqtSignal(str)
    sig_models_changed = pyqtSignal()

    def __init__(self, store: ModelStore | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store or default_store()
        self._entries = {entry.id: entry for entry in self.store.registry.all_entries()}
        self._states: dict[str, str] = {}
        self._chosen_while_checking = False
        self.checks = ModelChecks(self.store, self)
        self.checks.sig_reports.connect(self._on_reports)
        self.checks.sig_imported.connect(self._on_imported)
        self._build()
        self.checks.sig_failed.connect(self.message_label.setText)
        self.refresh()

    # ----------------------------------------------------------------- layout

    def _build(self) -> None:
        self.setWindowTitle(tr("Models"))
        self.resize(1000, 480)
        self.table = QTableWidget(len(self._entries), 4, self)
        self.table.setHorizontalHeaderLabels([tr("Model"), tr("Task"), tr("Size"), tr("State")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_NAME, QHeaderView.Stretch)
        for col in (COL_TASK, COL_SIZE, COL_STATE):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        for row, entry in enumerate(self._entries.values()):
            name = QTableWidgetItem(model_name(entry))
            name.setToolTip(f"{entry.id}\n{entry.source}\n{entry.license}")
            self.table.setItem(row, COL_NAME, name)
            self.table.setItem(row, COL_TASK, QTableWidgetItem(task_label(entry.task)))
            size = QTableWidgetItem(format_size(*entry.known_size))
            size.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.table.setItem(row, COL_SIZE, size)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)

        self.status_view = ModelStatusView(self, store=self.store)
        self.panel = self.status_view.panel
        self.panel.sig_downloaded.connect(self._on_model_ready)
        self.panel.sig_busy_changed.connect(self._on_panel_busy)

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
        import_button.setToolTip(tr("Copy every model file found in a folder into the cache."))
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
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_view)
        layout.addWidget(self.where_label)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)

    def _row(self, model_id: str) -> int:
        return list(self._entries).index(model_id)

    # ----------------------------------------------------------------- state

    def state(self, model_id: str) -> str:
        """checking / ready / missing / corrupt / downloading."""
        return self._states[model_id]

    def select(self, model_id: str) -> None:
        """Choose a model's row (the panel offers what can be done with it)."""
        self.table.selectRow(self._row(model_id))

    def selected(self) -> str | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return next((m for m in self._entries if self._row(m) in rows), None)

    @pyqtSlot()
    def refresh(self) -> None:
        """Check every model that is not downloading again (in the checks' thread)."""
        ids = [model_id for model_id in self._entries if not self._downloading(model_id)]
        for model_id in ids:
            self._set_state(model_id, CHECKING)
        self.checks.check(ids)

    @pyqtSlot(object)
    def _on_reports(self, reports: list[ModelReport]) -> None:
        for report in reports:
            if not self._downloading(report.model_id):
                detail = "\n".join(
                    f"{f.name}: {file_detail(f.detail)}" for f in report.files if f.state != READY
                )
                self._set_state(report.model_id, report.state, detail)
        # The panel keeps what it says (a failed or cancelled download) unless the chosen model
        # is ready now, or it was chosen while being checked.
        if self._chosen_while_checking or self._states.get(self.selected() or "") == READY:
            self._on_selection_changed()

    def _downloading(self, model_id: str) -> bool:
        return self.panel.is_downloading() and self.panel.model_id == model_id

    def _set_state(self, model_id: str, state: str, detail: str = "") -> None:
        self._states[model_id] = state
        item = QTableWidgetItem(state_label(state))
        item.setToolTip(detail)
        if state == CORRUPT:
            item.setForeground(QColor(200, 30, 30))
        elif state == READY:
            item.setForeground(QColor(20, 130, 50))
        self.table.setItem(self._row(model_id), COL_STATE, item)

    @pyqtSlot()
    def _on_selection_changed(self) -> None:
        model_id = self.selected()
        if self.panel.is_downloading():
            return
        entry = self._entries.get(model_id or "")
        self._chosen_while_checking = entry is not None and self._states[entry.id] == CHECKING
        if entry is None or entry.shipped or self._states[entry.id] in (READY, CHECKING):
            self.status_view.show_status(SlotStatus())
            return
        corrupt = self._states[entry.id] == CORRUPT
        refusal = Refusal(entry.id, registry_caption(entry.id), "", entry.id, corrupt)
        self.status_view.show_status(SlotStatus(refusal=refusal))

    @pyqtSlot(bool)
    def _on_panel_busy(self, busy: bool) -> None:
        model_id = self.panel.model_id
        if model_id is None:
            return
        if busy:
            self._set_state(model_id, DOWNLOADING)
        else:
            self.refresh()

    @pyqtSlot(str)
    def _on_model_ready(self, model_id: str) -> None:
        # The panel said it is no longer busy just before: `_on_panel_busy` checks again.
        self.sig_model_ready.emit(model_id)
        self.sig_models_changed.emit()

    # ----------------------------------------------------------------- import

    @pyqtSlot()
    def on_import_clicked(self) -> None:
        folder = ask_folder(self, tr("Folder with model files"), "model_imports")
        if folder:
            self.import_folder(str(folder))

    def import_folder(self, folder: str) -> None:
        """Copy the registry files found in `folder` (checked in the checks' thread)."""
        self.message_label.setText(
            tr("Checking the model files in {folder}…").format(folder=folder)
        )
        self.checks.import_folder(folder)

    @pyqtSlot(str, object)
    def _on_imported(self, folder: str, results: list[ImportResult]) -> None:
        imported = sum(r.imported for r in results)
        rejected = [r for r in results if r.dest is None]
        text = tr("Imported {count} file(s) from {folder}.").format(count=imported, folder=folder)
        if rejected:
            names = ", ".join(r.source.name for r in rejected)
            text += " " + tr("Not imported (checksum mismatch): {names}").format(names=names)
        self.message_label.setText(text)
        self.refresh()
        if imported:
            self.sig_models_changed.emit()

    def shutdown(self) -> None:
        """Cancel a download, ask no more checks."""
        self.panel.shutdown()
        self.checks.shutdown()

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
