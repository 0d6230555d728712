"""The SSD face cam tab (SSD 얼굴 검출): a camera, video or photo through the res10 detector."""

from __future__ import annotations

import threading
from pathlib import Path

from PyQt5.QtCore import Qt, pyqtSignal, pyqtSlot
from PyQt5.QtGui import QKeySequence, QShowEvent
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from vision_agent.core.errors import UserError
from vision_agent.core.faces import FACE_MODEL_FILE_FILTER, FaceDetection
from vision_agent.core.imageio import IMAGE_SUFFIXES, write_image
from vision_agent.core.video_source import VIDEO_SUFFIXES, SourceEnded, SourceSpec, probe_cameras
from vision_agent.engine.recipes import face_model_spec
from vision_agent.i18n import tr
from vision_agent.services.face_stream import FaceStream, StreamStats
from vision_agent.ui.settings import ask_open_path, ask_save_path, remember_folder
from vision_agent.ui.tabs.base import VisionTab, add_menu_actions, add_shortcuts
from vision_agent.ui.widgets.image_view import ImageView
from vision_agent.ui.widgets.model_download_panel import ModelDownloadPanel

# (choice passed to FaceStream.load_model, English label)
MODEL_ITEMS = (
    ("res10-caffe", "res10 Caffe fp32"),
    ("res10-caffe-fp16", "res10 Caffe fp16"),
    ("res10-tf", "res10 TensorFlow uint8"),
)
OWN_MODEL = "own-file"
MEDIA_FILE_FILTER = "Videos and photos ({})".format(
    " ".join(f"*{s}" for s in (*VIDEO_SUFFIXES, *IMAGE_SUFFIXES))
)
OVERLAY_STYLE = (
    "background: rgba(0, 0, 0, 150); color: white; padding: 4px; font-family: monospace;"
)
BANNER_STYLE = "QFrame { background: #fff3cd; border: 1px solid #d39e00; }"


class FaceCamTab(VisionTab):
    """Source and model choosers, start/pause/stop, threshold, blur, snapshot, live view.

    Signals:
        sig_cameras_found(list): camera indices that opened (from the probe thread).
    """

    sig_cameras_found = pyqtSignal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stream = FaceStream(self)
        self.stream.sig_detection.connect(self.on_detection)
        self.stream.sig_stats.connect(self.on_stats)
        self.stream.sig_source_opened.connect(self.on_source_opened)
        self.stream.sig_source_ended.connect(self.on_source_ended)
        self.stream.sig_model_state.connect(self.on_model_state)
        self.stream.sig_error.connect(self.on_error)
        self.sig_cameras_found.connect(self._fill_cameras)
        self.source: SourceSpec | None = None
        self.model_choice = MODEL_ITEMS[0][0]
        self.last_message = ""
        self._problem = "source"
        self._cameras: list[int] | None = None
        self._probe_thread: threading.Thread | None = None
        self._build_ui()
        self.retranslate_ui()

    # --- layout -------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.source_label = QLabel(self)
        self.source_combo = QComboBox(self)
        self.source_combo.setMinimumWidth(180)
        self.source_combo.activated.connect(self._on_source_chosen)
        self.start_button = QPushButton(self)
        self.start_button.clicked.connect(self.start_selected_source)
        self.pause_button = QPushButton(self)
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self.set_paused)
        self.stop_button = QPushButton(self)
        self.stop_button.clicked.connect(self.stop)
        self.loop_check = QCheckBox(self)

        self.model_label = QLabel(self)
        self.model_combo = QComboBox(self)
        self.model_combo.activated.connect(self._on_model_chosen)
        self.threshold_label = QLabel(self)
        self.threshold_slider = QSlider(Qt.Horizontal, self)
        self.threshold_slider.setRange(5, 95)
        self.threshold_slider.setValue(50)
        self.threshold_slider.setFixedWidth(160)
        self.threshold_slider.valueChanged.connect(self.on_threshold_changed)
        self.threshold_value = QLabel("0.50", self)
        self.blur_check = QCheckBox(self)
        self.blur_check.toggled.connect(self.stream.set_blur)
        self.snapshot_button = QPushButton(self)
        self.snapshot_button.clicked.connect(self.save_snapshot)

        source_row = QHBoxLayout()
        for widget in (
            self.source_label,
            self.source_combo,
            self.start_button,
            self.pause_button,
            self.stop_button,
            self.loop_check,
        ):
            source_row.addWidget(widget)
        source_row.addStretch(1)
        model_row = QHBoxLayout()
        for widget in (
            self.model_label,
            self.model_combo,
            self.threshold_label,
            self.threshold_slider,
            self.threshold_value,
            self.blur_check,
            self.snapshot_button,
        ):
            model_row.addWidget(widget)
        model_row.addStretch(1)

        self.banner = QFrame(self)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner_text = QLabel(self.banner)
        self.banner_text.setWordWrap(True)
        self.retry_button = QPushButton(self.banner)
        self.retry_button.clicked.connect(self.retry)
        self.other_source_button = QPushButton(self.banner)
        self.other_source_button.clicked.connect(self.choose_other_source)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.addWidget(self.banner_text, 1)
        banner_layout.addWidget(self.retry_button)
        banner_layout.addWidget(self.other_source_button)
        self.banner.setVisible(False)

        self.view = ImageView(self)
        self.view.sig_files_dropped.connect(self.on_files_dropped)
        self.overlay = QLabel(self.view)
        self.overlay.setStyleSheet(OVERLAY_STYLE)
        self.overlay.move(8, 8)
        self.overlay.setVisible(False)
        self.status_label = QLabel(self)
        self.status_label.setStyleSheet("color: #555;")
        self.status_label.setWordWrap(True)  # a long message must not widen the window

        self.download_panel = ModelDownloadPanel(self)
        self.download_panel.sig_downloaded.connect(self._on_model_downloaded)
        self.download_panel.sig_use_another_model.connect(self.model_combo.showPopup)

        layout = QVBoxLayout(self)
        layout.addLayout(source_row)
        layout.addLayout(model_row)
        layout.addWidget(self.download_panel)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status_label)
        self._shortcuts = add_shortcuts(
            self,
            (
                ("Space", "Pause or resume", self.pause_button.toggle),
                ("Esc", "Stop", self.stop),
            ),
        )
        self._update_buttons()

    def title(self) -> str:
        return tr("Face cam")

    def retranslate_ui(self) -> None:
        self.source_label.setText(tr("Source:"))
        self.start_button.setText(tr("Start"))
        self.pause_button.setText(tr("Pause") + " (Space)")
        self.stop_button.setText(tr("Stop") + " (Esc)")
        self.loop_check.setText(tr("Loop video"))
        self.model_label.setText(tr("Model:"))
        self.threshold_label.setText(tr("Confidence ≥"))
        self.blur_check.setText(tr("Blur faces (privacy)"))
        self.snapshot_button.setText(tr("Save snapshot…"))
        self.retry_button.setText(tr("Retry"))
        self.other_source_button.setText(tr("Choose another source…"))
        self.download_panel.retranslate_ui()
        self.view.set_placeholder(
            tr("Choose a camera, a video or a photo and press Start (or drop a file here).")
        )
        self._fill_sources()
        self._fill_models()

    def _fill_sources(self) -> None:
        """Cameras found (or a note that none was), other index, file; the open file first."""
        combo = self.source_combo
        combo.blockSignals(True)
        combo.clear()
        if self.source is not None and self.source.kind != "camera":
            combo.addItem(Path(self.source.path).name, ("path", -1))
        cameras = [0] if self._cameras is None else list(self._cameras)
        if self.source is not None and self.source.kind == "camera":
            cameras = sorted({*cameras, self.source.index})
        for index in cameras:
            combo.addItem(tr("Camera {n}").format(n=index), ("camera", index))
        if not cameras:
            combo.addItem(tr("No camera found"), ("none", -1))
            combo.model().item(combo.count() - 1).setEnabled(False)
        combo.addItem(tr("Other camera index…"), ("camera-index", -1))
        combo.addItem(tr("Video or photo file…"), ("file", -1))
        if self.source is not None and self.source.kind == "camera":
            wanted = combo.findData(("camera", self.source.index))
        elif self.source is not None or not cameras:
            wanted = 0 if self.source is not None else combo.findData(("file", -1))
        else:
            wanted = 0
        combo.setCurrentIndex(max(0, wanted))
        combo.blockSignals(False)

    def _fill_models(self) -> None:
        self.model_combo.clear()
        for choice, label in MODEL_ITEMS:
            self.model_combo.addItem(label, choice)
        if self.model_combo.findData(self.model_choice) < 0:
            self.model_combo.addItem(Path(self.model_choice).name, self.model_choice)
        self.model_combo.addItem(tr("Own detector file…"), OWN_MODEL)
        self.model_combo.setCurrentIndex(self.model_combo.findData(self.model_choice))

    def fill_file_menu(self, menu: QMenu) -> None:
        add_menu_actions(
            menu,
            (
                (tr("Open video or photo…"), QKeySequence.Open, self.choose_file),
                (tr("Open face detector file…"), None, self.choose_model_file),
                (tr("Save snapshot…"), QKeySequence.Save, self.save_snapshot),
            ),
        )

    # --- model --------------------------------------------------------------------------
    def start(self) -> None:
        self.load_model(self.model_choice)

    def showEvent(self, event: QShowEvent) -> None:
        """Cameras are probed the first time the tab is shown, not at the window's start."""
        super().showEvent(event)
        if self._probe_thread is None:
            self._probe_thread = threading.Thread(
                target=lambda: self.sig_cameras_found.emit(probe_cameras()),
                name="camera-probe",
                daemon=True,
            )
            self._probe_thread.start()

    def load_model(self, choice: str) -> None:
        self.model_choice = choice
        self._fill_models()
        self.download_panel.clear()
        self.stream.load_model(choice)

    @pyqtSlot(str)
    def _on_model_downloaded(self, model_id: str) -> None:
        if model_id == face_model_spec(self.model_choice).model_id:
            self.load_model(self.model_choice)

    def _on_model_chosen(self, index: int) -> None:
        choice = self.model_combo.itemData(index)
        if choice == OWN_MODEL:
            self.choose_model_file()
        elif choice != self.model_choice:
            self.load_model(choice)

    def choose_model_file(self) -> None:
        path = ask_open_path(self, tr("Open face detector"), "models", FACE_MODEL_FILE_FILTER)
        if path:
            self.load_model(str(path))
        else:
            self._fill_models()

    @pyqtSlot(str, str)
    def on_model_state(self, state: str, detail: str) -> None:
        if state == "ready":
            text = tr("Face model: {name}").format(name=detail)
        elif state == "failed":
            text = tr("The face model could not be loaded: {message}").format(message=detail)
        elif state == "missing":
            text = tr("The face model is not on this computer.")
            self.download_panel.show_missing(face_model_spec(self.model_choice).model_id, detail)
        else:
            text = tr("Loading the face model {name}…").format(name=detail)
        self.status_label.setText(text)
        if self.isVisible():
            self.sig_status_message.emit(text)
        if state == "failed":
            self.show_problem(text, "model")
        elif state == "ready" and self._problem == "model":
            self.banner.setVisible(False)

    @pyqtSlot(str)
    def on_error(self, message: str) -> None:
        self.show_problem(tr("Face detection failed: {message}").format(message=message), "model")

    # --- sources ------------------------------------------------------------------------
    def _on_source_chosen(self, index: int) -> None:
        if self.source_combo.itemData(index)[0] in ("camera-index", "file"):
            self.start_selected_source()

    def start_selected_source(self) -> None:
        kind, index = self.source_combo.currentData() or ("camera", 0)
        if kind == "camera":
            self.open_source(SourceSpec.camera(index))
        elif kind == "camera-index":
            number, ok = QInputDialog.getInt(self, tr("Camera"), tr("Camera index:"), 0, 0, 99)
            if ok:
                self.open_source(SourceSpec.camera(number))
        elif kind == "path" and self.source is not None:
            self.open_file(Path(self.source.path))
        else:
            self.choose_file()

    def choose_file(self) -> None:
        path = ask_open_path(self, tr("Open video or photo"), "face-media", MEDIA_FILE_FILTER)
        if path:
            self.open_file(path)

    @pyqtSlot(list)
    def on_files_dropped(self, paths: list[Path]) -> None:
        self.open_file(paths[0])

    def open_file(self, path: Path) -> None:
        self.open_source(SourceSpec.file(path, loop=self.loop_check.isChecked()))

    def open_source(self, spec: SourceSpec) -> None:
        """Start capturing from `spec` (replacing the current source)."""
        self.source = spec
        self.banner.setVisible(False)
        self.view.set_image(None)
        self.overlay.setVisible(False)
        self.pause_button.setChecked(False)
        self.stream.start_source(spec)
        self._fill_sources()
        self._update_buttons()
        self.status_label.setText(tr("Opening {source}…").format(source=spec.describe()))

    def set_paused(self, paused: bool) -> None:
        self.stream.pause(paused)

    def stop(self) -> None:
        self.stream.stop_source()
        self.pause_button.setChecked(False)
        self._update_buttons()
        self.status_label.setText(tr("Stopped."))

    def retry(self) -> None:
        self.banner.setVisible(False)
        if self._problem == "model":
            self.load_model(self.model_choice)
        elif self.source is not None:
            self.open_source(self.source)

    def choose_other_source(self) -> None:
        self.banner.setVisible(False)
        self.source_combo.setFocus()
        self.source_combo.showPopup()

    @pyqtSlot(list)
    def _fill_cameras(self, cameras: list) -> None:
        self._cameras = list(cameras)
        self._fill_sources()

    @pyqtSlot(str)
    def on_source_opened(self, description: str) -> None:
        self.status_label.setText(tr("Showing {source}").format(source=description))

    @pyqtSlot(object)
    def on_source_ended(self, ended: SourceEnded) -> None:
        self._update_buttons()
        if ended.reason in ("failed", "finished") and ended.message:
            self.show_problem(ended.message)

    def show_problem(self, message: str, kind: str = "source") -> None:
        """Say what happened and offer to retry (the source or the model) or pick another source.

        `kind` is "source" or "model": what the Retry button retries.
        """
        self._problem = kind
        self.last_message = message
        if kind == "source":
            self.status_label.setText("")
        self.banner_text.setText(message)
        self.banner.setVisible(True)
        self.sig_status_message.emit(message)

    # --- results ------------------------------------------------------------------------
    @pyqtSlot(object)
    def on_detection(self, detection: FaceDetection) -> None:
        self.view.set_image(detection.annotated)
        self.snapshot_button.setEnabled(True)

    @pyqtSlot(object)
    def on_stats(self, stats: StreamStats) -> None:
        self.overlay.setText(
            tr(
                "camera {camera:.1f} FPS · network {network:.1f} FPS · shown {shown:.1f} FPS\n"
                "inference {ms:.1f} ms · skipped frames {dropped}"
            ).format(
                camera=stats.camera_fps,
                network=stats.network_fps,
                shown=stats.displayed_fps,
                ms=stats.inference_ms,
                dropped=stats.dropped,
            )
        )
        self.overlay.adjustSize()
        # Bottom-left: face labels sit at the top of their boxes.
        corner = self.view.image_rect().bottomLeft()
        self.overlay.move(max(0, corner.x()) + 6, max(0, corner.y() - self.overlay.height() - 6))
        self.overlay.setVisible(True)

    def on_threshold_changed(self, value: int) -> None:
        threshold = value / 100
        self.threshold_value.setText(f"{threshold:.2f}")
        self.stream.set_threshold(threshold)

    def save_snapshot(self) -> None:
        detection = self.stream.last_detection
        if detection is None:
            self.sig_status_message.emit(tr("Nothing to save yet: start a source first."))
            return
        path = ask_save_path(
            self, tr("Save snapshot"), "snapshots", "faces.png", "PNG (*.png);;JPEG (*.jpg)"
        )
        if path:
            self.save_snapshot_to(path)

    def save_snapshot_to(self, path: Path) -> bool:
        detection = self.stream.last_detection
        if detection is None:
            return False
        if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            path = path.with_name(path.name + ".png")
        try:
            write_image(path, detection.annotated)
        except UserError as exc:
            QMessageBox.warning(self, tr("Cannot save snapshot"), str(exc))
            return False
        remember_folder("snapshots", str(path))
        self.sig_status_message.emit(tr("Saved {name}").format(name=path.name))
        return True

    def _update_buttons(self) -> None:
        running = self.stream.grabber is not None and self.stream.grabber.is_alive()
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        self.snapshot_button.setEnabled(self.stream.last_detection is not None)

    def shutdown(self) -> None:
        self.download_panel.shutdown()
        self.stream.shutdown()
        if self._probe_thread is not None:
            self._probe_thread.join(10)
