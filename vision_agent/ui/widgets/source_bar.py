"""The face cam's source row: "Source:" (cameras found, another index, a file), Start, Pause, Stop,
Loop video."""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import QSignalBlocker, pyqtSignal, pyqtSlot
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QWidget,
)

from vision_agent.core.imageio import IMAGE_SUFFIXES
from vision_agent.core.video_source import VIDEO_SUFFIXES, SourceSpec
from vision_agent.i18n import tr
from vision_agent.ui.face_texts import describe
from vision_agent.ui.settings import ask_open_path

MEDIA_FILE_FILTER = "Videos and photos ({})".format(
    " ".join(f"*{s}" for s in (*VIDEO_SUFFIXES, *IMAGE_SUFFIXES))
)


class SourceBar(QWidget):
    """The open file is listed first; a failed camera stays selected; Pause shows its state.

    Signals:
        sig_open(object): a SourceSpec to open (picked, started, or a file given to `open_file`).
        sig_pause(bool): pause (True) or resume.
        sig_stop(): stop the source.
    """

    sig_open = pyqtSignal(object)
    sig_pause = pyqtSignal(bool)
    sig_stop = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.combo = QComboBox(self)
        self.combo.setMinimumWidth(180)
        self.combo.setMaximumWidth(340)  # a long file name is elided, the window keeps its width
        self.combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.combo.activated.connect(self._on_activated)
        self.start_button = QPushButton(self)
        self.start_button.clicked.connect(self.open_selected)
        self.pause_button = QPushButton(self)
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self.sig_pause)
        self.stop_button = QPushButton(self)
        self.stop_button.clicked.connect(self.sig_stop)
        self.loop_check = QCheckBox(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.combo, self.start_button, self.pause_button):
            layout.addWidget(widget)
        layout.addWidget(self.stop_button)
        layout.addWidget(self.loop_check)
        self._cameras: list[int] | None = None  # None: not probed yet
        self._source: SourceSpec | None = None
        self.set_running(False, False)

    def retranslate_ui(self) -> None:
        self.label.setText(tr("Source:"))
        self.start_button.setText(tr("Start"))
        self.stop_button.setText(tr("Stop") + " (Esc)")
        self.loop_check.setText(tr("Loop video"))
        self._render_pause()
        self._fill()

    def set_running(self, running: bool, paused: bool) -> None:
        """Pause and Stop work on a running source; a paused one offers Resume."""
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        with QSignalBlocker(self.pause_button):
            self.pause_button.setChecked(running and paused)
        self._render_pause()

    def _render_pause(self) -> None:
        paused = self.pause_button.isChecked()
        self.pause_button.setText((tr("Resume") if paused else tr("Pause")) + " (Space)")

    def toggle_pause(self) -> None:
        if self.pause_button.isEnabled():
            self.pause_button.toggle()

    @pyqtSlot(list)
    def set_cameras(self, cameras: list) -> None:
        self._cameras = list(cameras)
        self._fill()

    def set_source(self, source: SourceSpec | None) -> None:
        self._source = source
        self._fill()

    def _fill(self) -> None:
        combo, source = self.combo, self._source
        with QSignalBlocker(combo):
            combo.clear()
            if source is not None and source.kind != "camera":
                combo.addItem(describe(source), ("path", -1))
            cameras = [0] if self._cameras is None else list(self._cameras)
            if source is not None and source.kind == "camera":
                cameras = sorted({*cameras, source.index})
            for index in cameras:
                combo.addItem(tr("Camera {n}").format(n=index), ("camera", index))
            if not cameras:
                combo.addItem(tr("No camera found"), ("none", -1))
                combo.model().item(combo.count() - 1).setEnabled(False)
            combo.addItem(tr("Other camera index…"), ("camera-index", -1))
            combo.addItem(tr("Video or photo file…"), ("file", -1))
            wanted = 0
            if source is not None and source.kind == "camera":
                wanted = combo.findData(("camera", source.index))
            elif source is None and not cameras:
                wanted = combo.findData(("file", -1))
            combo.setCurrentIndex(max(0, wanted))

    def _on_activated(self, index: int) -> None:
        if self.combo.itemData(index)[0] in ("camera-index", "file"):
            self.open_selected()

    def open_selected(self) -> None:
        """Open what the list shows (Start), asking for the index or the file where needed."""
        kind, index = self.combo.currentData() or ("camera", 0)
        if kind == "camera":
            self.sig_open.emit(SourceSpec.camera(index))
        elif kind == "camera-index":
            number, ok = QInputDialog.getInt(self, tr("Camera"), tr("Camera index:"), 0, 0, 99)
            if ok:
                self.sig_open.emit(SourceSpec.camera(number))
        elif kind == "path" and self._source is not None:
            self.open_file(Path(self._source.path))
        else:
            self.choose_file()

    def choose_file(self) -> None:
        path = ask_open_path(self, tr("Open video or photo"), "face-media", MEDIA_FILE_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: Path) -> None:
        """Open a video (looped when Loop video is on) or a photo."""
        self.sig_open.emit(SourceSpec.file(path, loop=self.loop_check.isChecked()))

    @pyqtSlot(list)
    def open_dropped(self, paths: list[Path]) -> None:
        """Files dropped on the picture: the first one is opened."""
        self.open_file(paths[0])

    def popup(self) -> None:
        self.combo.setFocus()
        self.combo.showPopup()
