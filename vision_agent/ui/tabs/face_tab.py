"""The SSD face cam tab (SSD 얼굴 검출): a camera, video or photo through the res10 detector.

The view only lays out and renders; `FaceCamController` owns the capture, the detector and their
state. Texts that depend on state (model line, status, banner, overlay) are kept as renderers, so
a live language switch redoes them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt5 import sip
from PyQt5.QtCore import Qt, pyqtSlot
from PyQt5.QtGui import QKeySequence, QShowEvent
from PyQt5.QtWidgets import (
    QAction,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vision_agent.controllers.faces import FaceCamController, StreamStats
from vision_agent.controllers.model_slot import SlotStatus
from vision_agent.core.faces import FaceDetection
from vision_agent.core.video_source import SourceEnded, SourceSpec
from vision_agent.i18n import tr
from vision_agent.ui.face_texts import describe, source_message
from vision_agent.ui.photo_output import save_image_to
from vision_agent.ui.settings import ask_save_path
from vision_agent.ui.shortcuts import add_shortcuts
from vision_agent.ui.tabs.base import VisionTab, add_menu_actions
from vision_agent.ui.widgets.detector_bar import DetectorBar
from vision_agent.ui.widgets.face_view import FaceView
from vision_agent.ui.widgets.model_status import ModelStatusView
from vision_agent.ui.widgets.notice_banner import NoticeBanner
from vision_agent.ui.widgets.source_bar import SourceBar


class FaceCamTab(VisionTab):
    """Source and detector rows, snapshot, a notice banner, the picture and the model line; its
    status goes to the window's status bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = c = FaceCamController(self)
        c.sig_shown.connect(self.on_shown)
        c.sig_cleared.connect(self.on_cleared)
        c.sig_source_opened.connect(self.on_source_opened)
        c.sig_source_ended.connect(self.on_source_ended)
        c.sig_paused.connect(self.on_paused)
        c.slot.sig_status.connect(self.on_model_status)
        c.sig_detection_failed.connect(self.on_detection_failed)
        self._retry_model: str | None = None  # what the banner's Retry loads; None: the source
        self._snapshot_action: QAction | None = None
        self._build_ui()
        self.retranslate_ui()

    def _build_ui(self) -> None:
        self.source_bar = SourceBar(self)
        self.source_bar.sig_open.connect(self.open_source)
        self.source_bar.sig_pause.connect(self.controller.pause)
        self.source_bar.sig_stop.connect(self.stop)
        self.controller.sig_cameras_found.connect(self.source_bar.set_cameras)
        self.detector_bar = DetectorBar(self)
        self.detector_bar.sig_model_chosen.connect(self.load_model)
        self.detector_bar.sig_threshold.connect(self.controller.set_threshold)
        self.detector_bar.sig_blur.connect(self.controller.set_blur)
        self.snapshot_button = QPushButton(self)
        self.snapshot_button.clicked.connect(self.save_snapshot)
        self.banner = NoticeBanner(self)
        self.retry_button = self.banner.add_button(self.retry)
        self.play_again_button = self.banner.add_button(self.play_again)
        self.other_source_button = self.banner.add_button(self.choose_other_source)
        self.model_status = ModelStatusView(self, Qt.AlignRight)
        panel = self.model_status.panel
        panel.sig_downloaded.connect(self.load_model)  # a registry id
        panel.sig_use_another_model.connect(self.detector_bar.combo.showPopup)
        panel.sig_dismissed.connect(self.controller.slot.dismiss)
        self.view = FaceView(self)
        self.view.sig_files_dropped.connect(self.source_bar.open_dropped)

        layout = QVBoxLayout(self)
        for widgets in ((self.source_bar,), (self.detector_bar, self.snapshot_button)):
            layout.addLayout(row := QHBoxLayout())
            for widget in widgets:
                row.addWidget(widget)
            row.addStretch(1)
        for widget, stretch in ((self.banner, 0), (self.view, 1)):
            layout.addWidget(widget, stretch)
        layout.addWidget(self.model_status)
        pause = ("Space", "Pause or resume", self.source_bar.toggle_pause)
        add_shortcuts(self, (pause, ("Esc", "Stop", self.stop)))
        self._update_buttons()

    def title(self) -> str:
        return tr("Face cam")

    def retranslate_ui(self) -> None:
        for button, text in (
            (self.snapshot_button, tr("Save snapshot…")),
            (self.retry_button, tr("Retry")),
            (self.play_again_button, tr("Play again")),
            (self.other_source_button, tr("Choose another source…")),
        ):
            button.setText(text)
        for part in (self.source_bar, self.detector_bar, self.model_status, self.banner):
            part.retranslate_ui()
        self.view.retranslate_ui()
        self.repeat_status()
        self.view.set_placeholder(
            tr("Choose a camera, a video or a photo and press Start (or drop a file here).")
        )

    def fill_file_menu(self, menu: QMenu) -> None:
        add_menu_actions(
            menu,
            (
                (tr("Open video or photo…"), QKeySequence.Open, self.source_bar.choose_file),
                (tr("Open face detector file…"), None, self.detector_bar.choose_file),
                (tr("Save snapshot…"), QKeySequence.Save, self.save_snapshot),
            ),
        )
        self._snapshot_action = menu.actions()[-1]
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:
        """Cameras are probed the first time the tab is shown, not at the window's start."""
        super().showEvent(event)
        self.controller.probe_cameras_once()

    def start(self) -> None:
        self.load_model(self.controller.model_choice)

    @pyqtSlot(str)
    def load_model(self, choice: str) -> None:
        if self._retry_model is not None:  # a banner about a model is answered by this one
            self.banner.setVisible(False)
        self.controller.load_model(choice)

    @pyqtSlot(object)
    def on_model_status(self, status: SlotStatus) -> None:
        self.model_status.show_status(status)
        self.detector_bar.set_choice(self.controller.model_choice)

    @pyqtSlot(str)
    def on_detection_failed(self, message: str) -> None:
        self._show_problem(
            lambda: tr("Face detection failed: {message}").format(message=message),
            self.controller.model_choice,
        )

    @pyqtSlot(object)
    def open_source(self, spec: SourceSpec) -> None:
        """Start capturing from `spec` (replacing the current source)."""
        self.banner.setVisible(False)
        self.controller.start_source(spec)
        self.source_bar.set_source(spec)
        self._update_buttons()
        self.say_status(lambda: tr("Opening {source}…").format(source=describe(spec)))

    def stop(self) -> None:
        self.controller.stop_source()
        self.view.set_stopped()
        self._update_buttons()
        self.say_status(lambda: tr("Stopped."))

    def retry(self) -> None:
        """The banner's Retry: the model that failed, or the source that failed."""
        if self._retry_model is not None:
            self.load_model(self._retry_model)
        else:
            self.play_again()

    def play_again(self) -> None:
        if self.controller.source is not None:
            self.open_source(self.controller.source)

    def choose_other_source(self) -> None:
        self.banner.setVisible(False)
        self.source_bar.popup()

    @pyqtSlot(object)
    def on_source_opened(self, spec: SourceSpec) -> None:
        self.say_status(lambda: tr("Showing {source}").format(source=describe(spec)))

    @pyqtSlot(object)
    def on_source_ended(self, ended: SourceEnded) -> None:
        """A failure offers Retry; a video that ended offers Play again (a photo, nothing)."""
        self._update_buttons()
        self.view.set_stopped()
        spec = self.controller.source
        again = [self.play_again_button, self.other_source_button]
        if ended.reason == "failed":
            # a camera may be free next time; a file that is no video will not become one
            camera = spec is not None and spec.kind == "camera"
            buttons = [self.retry_button, again[1]] if camera else again[1:]
            self._show_problem(lambda: source_message(ended.message), None, buttons)
        elif ended.reason == "finished" and ended.damaged:
            self._show_problem(lambda: source_message(ended.message), None, again)
        elif ended.reason == "finished" and spec is not None and spec.kind != "image":
            render = lambda: tr("{source} ended after {frames} frames.").format(  # noqa: E731
                source=describe(spec), frames=ended.frames
            )
            self.banner.show_notice(render, again, problem=False)
            self.say_status(lambda: tr("Stopped."))

    def _show_problem(
        self, render: Callable[[], str], model: str | None, buttons: list | None = None
    ) -> None:
        """Say what went wrong, in the banner only; Retry loads `model` again, or reopens the
        source when None. A source that failed has stopped: the status bar says so."""
        self._retry_model = model
        self.banner.show_notice(render, buttons or [self.retry_button], problem=True)
        if model is None:
            self.say_status(lambda: tr("Stopped."))  # in place of "Opening…" or "Showing…"

    @pyqtSlot(object, object)
    def on_shown(self, detection: FaceDetection, stats: StreamStats) -> None:
        self.view.show_detection(detection, stats)
        self._update_buttons()

    @pyqtSlot()
    def on_cleared(self) -> None:
        self.view.clear()
        self._update_buttons()

    @pyqtSlot(bool)
    def on_paused(self, paused: bool) -> None:
        self._update_buttons()
        self.view.set_paused(paused)
        spec = self.controller.source
        if paused:
            self.say_status(lambda: tr("Paused: press Space or Resume to go on."))
        elif spec is not None and self.controller.is_running():
            self.say_status(lambda: tr("Showing {source}").format(source=describe(spec)))

    def save_snapshot(self) -> None:
        if self.controller.shown is None:
            return
        path = ask_save_path(
            self,
            tr("Save snapshot"),
            "snapshots",
            self._snapshot_name(),
            "PNG (*.png);;JPEG (*.jpg)",
        )
        if path:
            self.save_snapshot_to(path)

    def _snapshot_name(self) -> str:
        """ "group_faces.png" for group.jpg, "camera0_faces.png" for camera 0."""
        spec = self.controller.source
        if spec is None or spec.kind == "camera":
            return f"camera{spec.index if spec else ''}_faces.png"
        return f"{Path(spec.path).stem}_faces.png"

    def save_snapshot_to(self, path: Path) -> bool:
        """Write the picture on screen (boxes and blur included) to `path`; False when nothing
        is shown or it failed."""
        shown = self.controller.shown
        return save_image_to(self, None if shown is None else shown.annotated, path, "snapshots")

    def _update_buttons(self) -> None:
        self.source_bar.set_running(self.controller.is_running(), self.controller.is_paused())
        can_save = self.controller.shown is not None
        self.snapshot_button.setEnabled(can_save)
        if self._snapshot_action is not None and not sip.isdeleted(self._snapshot_action):
            self._snapshot_action.setEnabled(can_save)

    def shutdown(self) -> None:
        self.model_status.shutdown()
        self.controller.shutdown()
