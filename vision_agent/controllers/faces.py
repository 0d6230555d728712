"""The face cam's controller: a capture thread feeds the face detector service, newest frame first.

The `FrameGrabber` thread puts each frame into a one-frame slot and notifies this object; the
detector gets a frame only when it is free, and always the newest one (older ones are counted as
dropped). So at most one frame is being detected and at most one waits: nothing queues up, and
what is shown is the latest detected frame. The controller also owns the model choice (a model
that fails to load leaves the previous one in place), the pause state, what is on screen (the
snapshot saves exactly that) and the one-time camera probe. Widget-free: the tab renders its
signals.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal, pyqtSlot

from vision_agent.core.faces import (
    DEFAULT_THRESHOLD,
    MODEL_CHOICES,
    SHIPPED_MODEL,
    FaceDetection,
)
from vision_agent.core.imageio import write_image
from vision_agent.core.rate import RateMeter
from vision_agent.core.video_source import FrameGrabber, SourceEnded, SourceSpec, probe_cameras
from vision_agent.engine.recipes import face_model_spec
from vision_agent.services.model_service import ModelService, ModelState, Reply

# (choice passed to load_model, its name in the model list and on the model line)
MODEL_ITEMS = (
    ("res10-caffe", "res10 Caffe fp32"),
    ("res10-caffe-fp16", "res10 Caffe fp16"),
    ("res10-tf", "res10 TensorFlow uint8"),
)
SNAPSHOT_SUFFIXES = (".png", ".jpg", ".jpeg")
_SETTLED = (ModelState.READY, ModelState.FAILED, ModelState.MISSING)


def model_name(choice: str) -> str:
    """A model choice as the user knows it: its list name, or the file's name."""
    return dict(MODEL_ITEMS).get(choice, Path(choice).name)


def model_id(choice: str) -> str | None:
    """The registry id behind a choice (None for the user's own file)."""
    return face_model_spec(choice).model_id


def choice_of(registry_id: str) -> str:
    """The MODEL_ITEMS choice of a registry model (the id itself when it has none)."""
    return next((c for c, i in MODEL_CHOICES.items() if i == registry_id), registry_id)


@dataclass(frozen=True)
class StreamStats:
    """Figures for the overlay: rates per second, inference time, frames dropped so far, faces
    in the shown frame, and whether the source is a still photo (no rates then)."""

    camera_fps: float
    network_fps: float
    displayed_fps: float
    inference_ms: float
    captured: int
    shown: int
    dropped: int
    faces: int = 0
    still: bool = False


class FaceCamController(QObject):
    """Owns the capture thread, the face detector service and the camera probe.

    Signals:
        sig_shown(object detection, object stats): a FaceDetection to show (the newest frame,
            annotated) and the StreamStats after it.
        sig_cleared(): nothing is shown any more (a new source is opening).
        sig_source_opened(object spec): the SourceSpec delivered its first frame.
        sig_source_ended(object ended): SourceEnded — stopped, finished (video end) or failed.
        sig_paused(bool): capture was paused or resumed.
        sig_model_state(str state, str name, str problem): the model line: a ModelState value,
            the model's name, why it failed (for "failed" and "missing").
        sig_model_rejected(str choice, str state, str problem): `choice` failed to load ("failed"
            or "missing") and the previous model is being put back.
        sig_detection_failed(str message): a detection failed.
        sig_cameras_found(list): camera indices that opened (from the probe thread, queued).
    """

    sig_shown = pyqtSignal(object, object)
    sig_cleared = pyqtSignal()
    sig_source_opened = pyqtSignal(object)
    sig_source_ended = pyqtSignal(object)
    sig_paused = pyqtSignal(bool)
    sig_model_state = pyqtSignal(str, str, str)
    sig_model_rejected = pyqtSignal(str, str, str)
    sig_detection_failed = pyqtSignal(str)
    sig_cameras_found = pyqtSignal(list)

    # Emitted from the capture thread; queued to this object's (GUI) thread.
    _sig_frame_available = pyqtSignal(int)
    _sig_opened = pyqtSignal(int, float)
    _sig_ended = pyqtSignal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = ModelService("faces", self)
        self.service.sig_state_changed.connect(self._on_model_state)
        self._sig_frame_available.connect(self._on_frame_available)
        self._sig_opened.connect(self._on_opened)
        self._sig_ended.connect(self._on_ended)
        self.threshold = DEFAULT_THRESHOLD
        self.blur = False
        self.source: SourceSpec | None = None
        self.grabber: FrameGrabber | None = None
        self.shown: FaceDetection | None = None  # what the view shows; None when blank
        self.model_choice = SHIPPED_MODEL  # loaded, or being loaded
        self._good_choice: str | None = None  # the last choice that loaded
        self._loads: deque[str] = deque()  # choices asked of the service, not settled yet
        self._generation = 0
        self._pending: Reply | None = None
        self._redetect_when_done = False  # settings changed while a detection was running
        self._last_frame: tuple[np.ndarray, int] | None = None
        self._camera_rate = RateMeter()
        self._shown_rate = RateMeter()
        self._latency_ms = 0.0
        self._probe: threading.Thread | None = None
        self.max_backlog = 0

    # ----------------------------------------------------------------- model
    def load_model(self, choice: str) -> None:
        """Load a face model: a MODEL_ITEMS choice, a registry id or a detector file path."""
        choice = choice_of(choice)
        self.model_choice = choice
        self._loads.append(choice)
        self.service.load(face_model_spec(choice))

    @pyqtSlot(str, str)
    def _on_model_state(self, state: str, detail: str) -> None:
        choice = self._loads[0] if self._loads else self.model_choice
        if state in _SETTLED and self._loads:
            self._loads.popleft()
        if state == ModelState.READY:
            self._good_choice = choice
            self.sig_model_state.emit(state, model_name(choice), "")
            self._discard_pending()
            self._pump()
            if self._pending is None and not self.is_streaming():
                self.redetect()
            return
        previous = self._good_choice
        if state in _SETTLED and previous not in (None, choice) and not self._loads:
            self._good_choice = None  # should the previous one fail now, nothing is retried
            self.load_model(previous)
            self.sig_model_rejected.emit(choice, state, detail)
            return
        problem = "" if state == ModelState.LOADING else detail
        self.sig_model_state.emit(state, model_name(choice), problem)

    # ----------------------------------------------------------------- source
    def start_source(self, spec: SourceSpec) -> None:
        """Capture from `spec` (replacing the current source); the view is cleared at once."""
        self.stop_source()
        self.source = spec
        self._generation += 1
        generation = self._generation
        self._camera_rate.reset()
        self._shown_rate.reset()
        self._last_frame = None
        self.shown = None
        self.sig_cleared.emit()
        self.grabber = FrameGrabber(
            spec,
            on_frame=lambda: self._sig_frame_available.emit(generation),
            on_ended=lambda ended: self._sig_ended.emit(generation, ended),
            on_opened=lambda fps: self._sig_opened.emit(generation, fps),
        )
        self.grabber.start()

    def stop_source(self) -> None:
        """Stop capture and wait for its thread (results of its last frame are ignored)."""
        grabber, self.grabber = self.grabber, None
        if grabber is not None:
            was_paused = grabber.paused
            grabber.stop()
            self._generation += 1
            self._discard_pending()
            if was_paused:
                self.sig_paused.emit(False)

    def _discard_pending(self) -> None:
        self._redetect_when_done = False
        if self._pending is not None:
            self._pending.discard()
            self._pending = None

    def pause(self, paused: bool) -> None:
        """Pause or resume a running source (the shown frame stays, and can be re-detected)."""
        if self.is_running() and paused != self.grabber.paused:
            self.grabber.pause(paused)
            self.sig_paused.emit(paused)

    def is_paused(self) -> bool:
        return self.is_running() and self.grabber.paused

    def is_running(self) -> bool:
        return self.grabber is not None and self.grabber.is_alive()

    def is_streaming(self) -> bool:
        return self.is_running() and not self.grabber.paused

    def set_threshold(self, threshold: float) -> None:
        self.threshold = threshold
        if not self.is_streaming():
            self.redetect()

    def set_blur(self, blur: bool) -> None:
        self.blur = blur
        if not self.is_streaming():
            self.redetect()

    def redetect(self) -> None:
        """Run the detector again on the last frame (a still image, or while paused). While a
        detection runs, once more when it is done: a slider dragged through many values shows
        some of them, and always the last."""
        if self._last_frame is None:
            return
        if self._pending is None:
            self._request(*self._last_frame)
        else:
            self._redetect_when_done = True

    @pyqtSlot(int)
    def _on_frame_available(self, generation: int) -> None:
        if generation == self._generation:
            self._camera_rate.tick()
            self._pump()

    @pyqtSlot(int, float)
    def _on_opened(self, generation: int, _fps: float) -> None:
        if generation == self._generation and self.grabber is not None:
            self.sig_source_opened.emit(self.grabber.spec)

    @pyqtSlot(int, object)
    def _on_ended(self, generation: int, ended: SourceEnded) -> None:
        if generation != self._generation:
            return
        if self.grabber is not None:
            self.grabber.stop()
        self.sig_source_ended.emit(ended)

    def probe_cameras_once(self) -> None:
        """Look for cameras in a thread, the first time only; answers by sig_cameras_found."""
        if self._probe is None:
            self._probe = threading.Thread(
                target=lambda: self.sig_cameras_found.emit(probe_cameras()),
                name="camera-probe",
                daemon=True,
            )
            self._probe.start()

    # ----------------------------------------------------------------- detection
    def _pump(self) -> None:
        ready = self.service.state == ModelState.READY
        if self._pending is not None or not ready or self.grabber is None:
            return
        item = self.grabber.slot.take()
        if item is not None:
            self._request(*item)

    def _request(self, frame: np.ndarray, index: int) -> None:
        self._last_frame = (frame, index)
        self._pending = self.service.call(
            "detect", frame, self.threshold, self.blur, index, latest=True
        ).then(self._on_result, self._on_error)
        self.max_backlog = max(self.max_backlog, self.backlog())

    def backlog(self) -> int:
        """Frames sent to the detector and waiting behind the one it is working on (0 by design)."""
        return max(0, self.service.calls_in_flight() - 1)

    @pyqtSlot(object)
    def _on_result(self, detection: FaceDetection) -> None:
        self._pending = None
        self.shown = detection
        self._latency_ms = detection.latency_ms
        self._shown_rate.tick()
        self.sig_shown.emit(detection, self.stats())
        self._next()

    @pyqtSlot(str)
    def _on_error(self, message: str) -> None:
        self._pending = None
        self.sig_detection_failed.emit(message)
        self._next()

    def _next(self) -> None:
        """After a detection: the newest frame, or the last frame again with new settings."""
        if self._redetect_when_done and not self.is_streaming():
            self._redetect_when_done = False
            self.redetect()
        else:
            self._redetect_when_done = False
            self._pump()

    def stats(self) -> StreamStats:
        slot = self.grabber.slot if self.grabber is not None else None
        latency = self._latency_ms
        return StreamStats(
            camera_fps=self._camera_rate.rate(),
            network_fps=1000.0 / latency if latency > 0 else 0.0,
            displayed_fps=self._shown_rate.rate(),
            inference_ms=latency,
            captured=slot.captured if slot else 0,
            shown=self._shown_rate.total,
            dropped=slot.dropped if slot else 0,
            faces=len(self.shown.faces) if self.shown is not None else 0,
            still=self.source is not None and self.source.kind == "image",
        )

    def save_snapshot(self, path: Path) -> Path | None:
        """Write the frame on screen (boxes and blur included) to `path`, PNG unless it names a
        JPEG; returns the path written, or None when nothing is shown. UserError on failure."""
        if self.shown is None:
            return None
        if path.suffix.lower() not in SNAPSHOT_SUFFIXES:
            path = path.with_name(path.name + ".png")
        write_image(path, self.shown.annotated)
        return path

    def shutdown(self) -> None:
        """Stop the capture thread, the detector service and the camera probe, waiting for each."""
        self.stop_source()
        self.service.shutdown()
        if self._probe is not None:
            self._probe.join(10)
