"""The face cam's controller: a capture thread feeds the face detector service, newest frame first.

The `FrameGrabber` thread puts each frame into a one-frame slot and notifies this object; the
detector gets a frame only when it is free, and always the newest one (older ones are counted as
dropped). So at most one frame is being detected and at most one waits: nothing queues up, and
what is shown is the latest detected frame. The controller also owns the model choice (a model
that fails to load leaves the previous one in place), the pause state, what is on screen (the
tab's snapshot saves exactly that) and the one-time camera probe. Widget-free: the tab renders its
signals.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal, pyqtSlot

from vision_agent.controllers.model_slot import (
    ModelChoice,
    ModelSlot,
    Pending,
    file_caption,
    registry_caption,
)
from vision_agent.core.faces import (
    DEFAULT_THRESHOLD,
    MODEL_CHOICES,
    SHIPPED_MODEL,
    FaceDetection,
    FaceDetector,
)
from vision_agent.core.rate import RateMeter
from vision_agent.core.video_source import FrameGrabber, SourceEnded, SourceSpec, probe_cameras
from vision_agent.engine.recipes import face_model_spec


def model_choice(choice: str) -> ModelChoice:
    """How the tab hosts and names a face model: a MODEL_CHOICES name, a registry id or a
    detector file's path."""
    choice = choice_of(choice)
    spec = face_model_spec(choice)
    if spec.model_id is None:
        return ModelChoice(choice, spec, file_caption(choice))
    return ModelChoice(choice, spec, registry_caption(spec.model_id), spec.model_id)


def model_name(choice: str) -> str:
    """A model choice as the user knows it: its registry name, or the file's name."""
    return model_choice(choice).caption()


def choice_of(registry_id: str) -> str:
    """The MODEL_CHOICES name of a registry model (the id itself when it has none)."""
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
        sig_detection_failed(str message): a detection failed.
        sig_cameras_found(list): camera indices that opened (from the probe thread, queued).
    """

    sig_shown = pyqtSignal(object, object)
    sig_cleared = pyqtSignal()
    sig_source_opened = pyqtSignal(object)
    sig_source_ended = pyqtSignal(object)
    sig_paused = pyqtSignal(bool)
    sig_detection_failed = pyqtSignal(str)
    sig_cameras_found = pyqtSignal(list)

    # Emitted from the capture thread; queued to this object's (GUI) thread.
    _sig_frame_available = pyqtSignal(int)
    _sig_opened = pyqtSignal(int, float)
    _sig_ended = pyqtSignal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.slot = ModelSlot("faces", parent=self)
        self.slot.sig_ready.connect(self._on_model_ready)
        self.service = self.slot.service
        self._sig_frame_available.connect(self._on_frame_available)
        self._sig_opened.connect(self._on_opened)
        self._sig_ended.connect(self._on_ended)
        self.threshold = DEFAULT_THRESHOLD
        self.blur = False
        self.source: SourceSpec | None = None
        self.grabber: FrameGrabber | None = None
        self.shown: FaceDetection | None = None  # what the view shows; None when blank
        self._generation = 0
        self._pending = Pending()
        self._redetect_when_done = False  # settings changed while a detection was running
        self._last_frame: tuple[np.ndarray, int] | None = None
        self._camera_rate = RateMeter()
        self._shown_rate = RateMeter()
        self._latency_ms = 0.0
        self._probe: threading.Thread | None = None
        self.max_backlog = 0

    # ----------------------------------------------------------------- model
    @property
    def model_choice(self) -> str:
        """The model in use or being loaded (the default before any)."""
        shown = self.slot.shown
        return shown.key if shown is not None else SHIPPED_MODEL

    def load_model(self, choice: str) -> None:
        """Load a face model: a MODEL_CHOICES name, a registry id or a detector file path."""
        self.slot.load(model_choice(choice))

    @pyqtSlot(object)
    def _on_model_ready(self, _choice: ModelChoice) -> None:
        self._discard_pending()
        self._pump()
        if not self._pending and not self.is_streaming():
            self.redetect()

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
        self._pending.discard()

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
        if not self._pending:
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
        if self._pending or not self.slot.is_ready() or self.grabber is None:
            return
        item = self.grabber.slot.take()
        if item is not None:
            self._request(*item)

    def _request(self, frame: np.ndarray, index: int) -> None:
        self._last_frame = (frame, index)
        reply = self.slot.call(
            FaceDetector.detect, frame, self.threshold, self.blur, index, latest=True
        )
        self._pending.ask(reply, self._on_result, self._on_error)
        self.max_backlog = max(self.max_backlog, self.backlog())

    def backlog(self) -> int:
        """Frames sent to the detector and waiting behind the one it is working on (0 by design)."""
        return max(0, self.service.calls_in_flight() - 1)

    @pyqtSlot(object)
    def _on_result(self, detection: FaceDetection) -> None:
        self.shown = detection
        self._latency_ms = detection.latency_ms
        self._shown_rate.tick()
        self.sig_shown.emit(detection, self.stats())
        self._next()

    @pyqtSlot(str)
    def _on_error(self, message: str) -> None:
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

    def shutdown(self) -> None:
        """Stop the capture thread, the detector service and the camera probe, waiting for each."""
        self.stop_source()
        self.slot.shutdown()
        if self._probe is not None:
            self._probe.join(10)
