"""The handwriting-profile row of the postal tab: which profile, what it holds, "That was: …".

The panel owns the profile store and the current profile (a few KB of samples). Teaching adds
samples here, saves the profile in a pool thread (atomic write; a failure is reported, never
lost silently) and tells the tab, which passes the samples to the model service.

Signals:
    sig_profile_changed(object): another profile is in use (chosen, renamed, reset, imported):
        the HandwritingProfile whose samples the recognizer must use from now on.
    sig_code_taught(str): the user typed the right code and pressed Teach.
    sig_message(str): a status line for the main window.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PyQt5.QtCore import QObject, QRunnable, QSignalBlocker, QThreadPool, pyqtSignal, pyqtSlot
from PyQt5.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vision_agent.core.errors import UserError
from vision_agent.core.handwriting_profile import (
    DEFAULT_PROFILE,
    HandwritingProfile,
    ProfileStore,
    default_store,
)
from vision_agent.i18n import tr
from vision_agent.ui.settings import app_settings, ask_open_path, ask_save_path
from vision_agent.ui.tabs.base import add_menu_actions

PROFILE_FILTER = "Handwriting profile (*.npz)"
SETTINGS_KEY = "postal/profile"


def shown_name(name: str) -> str:
    """A profile's name as the user sees it: the default profile's in the UI's language."""
    return tr("default") if name == DEFAULT_PROFILE else name


class _SaveSignals(QObject):
    sig_saved = pyqtSignal(object)
    sig_failed = pyqtSignal(str)


class _SaveJob(QRunnable):
    """One change of the stored profile (the pool runs one job at a time, in order); emits the
    profile as saved, with what other windows or CLI runs taught meanwhile."""

    def __init__(self, change: Callable[[], HandwritingProfile], signals: _SaveSignals) -> None:
        super().__init__()
        self.change, self.signals = change, signals

    def run(self) -> None:
        try:
            self.signals.sig_saved.emit(self.change())
        except UserError as exc:
            self.signals.sig_failed.emit(str(exc))


class ProfilePanel(QWidget):
    sig_profile_changed = pyqtSignal(object)
    sig_code_taught = pyqtSignal(str)
    sig_message = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None, store: ProfileStore | None = None) -> None:
        super().__init__(parent)
        self.store = store or default_store()
        self.profile = HandwritingProfile(DEFAULT_PROFILE)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._save_signals = _SaveSignals(self)
        self._save_signals.sig_saved.connect(self.on_saved)
        self._save_signals.sig_failed.connect(self.on_save_failed)
        self._pending_saves = 0
        self._build_ui()
        self.retranslate_ui()

    def _build_ui(self) -> None:
        self.caption = QLabel(self)
        self.combo = QComboBox(self)
        self.combo.setMinimumContentsLength(10)
        self.combo.activated.connect(self.on_profile_activated)
        self.menu_button = QToolButton(self)
        self.menu_button.setPopupMode(QToolButton.InstantPopup)
        self.menu = QMenu(self.menu_button)
        self.menu_button.setMenu(self.menu)
        self.counts_label = QLabel(self)
        self.counts_label.setStyleSheet("color: #555;")
        self.code_caption = QLabel(self)
        self.code_edit = QLineEdit(self)
        self.code_edit.setMaxLength(9)
        self.code_edit.setFixedWidth(110)
        self.code_edit.returnPressed.connect(self.on_teach_clicked)
        self.teach_button = QPushButton(self)
        self.teach_button.clicked.connect(self.on_teach_clicked)
        top = QHBoxLayout()
        for widget in (self.caption, self.combo, self.menu_button):
            top.addWidget(widget)
        top.addStretch(1)
        for widget in (self.code_caption, self.code_edit, self.teach_button):
            top.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.counts_label)

    def retranslate_ui(self) -> None:
        self.caption.setText(tr("Handwriting profile:"))
        self.menu_button.setText(tr("Profile"))
        self.menu.clear()
        add_menu_actions(
            self.menu,
            (
                (tr("New profile…"), None, self.new_profile),
                (tr("Rename…"), None, self.rename_profile),
                (tr("Reset (forget every sample)…"), None, self.reset_profile),
                (tr("Import…"), None, self.import_profile),
                (tr("Export…"), None, self.export_profile),
            ),
        )
        self.code_caption.setText(tr("That was:"))
        self.code_edit.setPlaceholderText("48058")
        self.code_edit.setToolTip(
            tr("Type the right code ('?' skips a box) to teach the profile your handwriting.")
        )
        self.teach_button.setText(tr("Teach"))
        self._refill_combo()
        self._show_counts()

    # --- choosing -----------------------------------------------------------------------
    def open_saved_choice(self) -> None:
        """Use the profile chosen last time (the default one at first)."""
        name = app_settings().value(SETTINGS_KEY)
        self.switch_to(name if name in self.store.names() else DEFAULT_PROFILE)

    def switch_to(self, name: str) -> None:
        try:
            profile = self.store.load(name)
        except UserError as exc:
            kept = self.store.set_aside(name)
            QMessageBox.warning(
                self,
                tr("Profile not used"),
                str(exc)
                + "\n\n"
                + tr("The file was kept as {file}; the profile starts empty.").format(file=kept),
            )
            profile = HandwritingProfile(name)
        self.profile = profile
        if app_settings().value(SETTINGS_KEY) != profile.name:  # a write waits for the disk
            app_settings().setValue(SETTINGS_KEY, profile.name)
        self._refill_combo()
        self._show_counts()
        self.sig_profile_changed.emit(profile)

    def _refill_combo(self) -> None:
        with QSignalBlocker(self.combo):
            self.combo.clear()
            names = self.store.names()
            if self.profile.name not in names:
                names.append(self.profile.name)
            for name in names:
                self.combo.addItem(shown_name(name), name)
            self.combo.setCurrentIndex(names.index(self.profile.name))

    @pyqtSlot(int)
    def on_profile_activated(self, index: int) -> None:
        self.switch_to(self.combo.itemData(index))

    # --- teaching -----------------------------------------------------------------------
    def teach(self, inputs: np.ndarray, labels: list[int]) -> None:
        """Use the samples at once; the stored profile gets them added in the pool thread."""
        self.profile.teach(inputs, labels)
        name, inputs, labels = self.profile.name, np.array(inputs), list(labels)
        self._save(lambda: self.store.add_samples(name, inputs, labels))
        self._show_counts()

    def on_teach_clicked(self) -> None:
        code = self.code_edit.text().replace(" ", "")
        self.sig_code_taught.emit(code)

    def clear_code(self) -> None:
        self.code_edit.clear()

    def _save(self, change: Callable[[], HandwritingProfile]) -> None:
        self._pending_saves += 1
        self._pool.start(_SaveJob(change, self._save_signals))

    @pyqtSlot(object)
    def on_saved(self, saved: HandwritingProfile) -> None:
        """Once every save is done, use the profile as stored: others' samples merged in."""
        self._pending_saves -= 1
        if self._pending_saves or saved.name != self.profile.name:
            return
        merged = len(saved) != len(self.profile)
        self.profile = saved
        self._show_counts()
        if merged:
            self.sig_profile_changed.emit(saved)

    @pyqtSlot(str)
    def on_save_failed(self, message: str) -> None:
        self._pending_saves -= 1
        self.sig_message.emit(message)
        QMessageBox.warning(self, tr("Profile not saved"), message)

    def wait_for_saves(self) -> None:
        self._pool.waitForDone(5000)

    def _show_counts(self) -> None:
        counts = self.profile.counts()
        if not len(self.profile):
            text = tr("Nothing taught yet: click a digit under its box to correct it.")
        else:
            shown = "  ".join(f"{d}×{n}" for d, n in enumerate(counts[:10]) if n)
            if counts[10]:
                shown += "  " + tr("no digit") + f"×{counts[10]}"
            text = tr("Taught: {counts} ({total} samples)").format(
                counts=shown, total=len(self.profile)
            )
        self.counts_label.setText(text)

    # --- managing -----------------------------------------------------------------------
    def _ask_name(self, title: str, current: str = "") -> str | None:
        name, ok = QInputDialog.getText(self, title, tr("Profile name:"), text=current)
        return name.strip() if ok and name.strip() else None

    def _try(self, action) -> bool:
        try:
            action()
        except UserError as exc:
            QMessageBox.warning(self, tr("Profile"), str(exc))
            return False
        return True

    def new_profile(self) -> None:
        name = self._ask_name(tr("New profile"))
        if name and self._try(lambda: self.store.save(HandwritingProfile(name))):
            self.switch_to(name)

    def rename_profile(self) -> None:
        old = self.profile.name
        name = self._ask_name(tr("Rename profile"), old)
        if name and name != old:
            self.wait_for_saves()
            if self._try(lambda: self.store.rename(old, name)):
                self.switch_to(name)

    def reset_profile(self) -> None:
        answer = QMessageBox.question(
            self,
            tr("Reset profile"),
            tr("Forget all {n} samples of '{name}'?").format(
                n=len(self.profile), name=shown_name(self.profile.name)
            ),
        )
        if answer == QMessageBox.Yes:
            self.profile.forget()
            emptied = copy.deepcopy(self.profile)
            self._save(lambda: self.store.save(emptied))
            self._show_counts()
            self.sig_profile_changed.emit(self.profile)

    def import_profile(self) -> None:
        path = ask_open_path(self, tr("Import profile"), "profiles", PROFILE_FILTER)
        if path is None:
            return
        imported: list[HandwritingProfile] = []
        if self._try(lambda: imported.append(self.store.import_file(path))):
            self.switch_to(imported[0].name)

    def export_profile(self) -> None:
        default = f"{self.profile.name}.npz"
        path = ask_save_path(self, tr("Export profile"), "profiles", default, PROFILE_FILTER)
        if path is not None:
            self.wait_for_saves()
            if self._try(lambda: self.store.export_file(self.profile.name, path)):
                self.sig_message.emit(tr("Exported to {name}").format(name=Path(path).name))
