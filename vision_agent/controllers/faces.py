"""The live face pipeline: a capture thread feeding the face detector service, newest frame first.

The `FrameGrabber` thread puts each frame into a one-frame slot and notifies this object; the
detector gets a frame only when it is free, and always the newest one (older ones are counted as
dropped). So at most one frame is being detected and at most one waits: nothing queues up, and
what is shown is the latest detected frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal, pyqtSlot

from vision_agent.core.faces import DEFAULT_THRESHOLD, FaceDetection
from vision_agent.core.rate import RateMeter
from vision_agent.core.video_source import FrameGrabber, SourceEnded, SourceSpec
from vision_agent.engine.recipes import face_model_spec
from vision_agent.services.model_service import ModelService, Reply


@dataclass(frozen=True)
class StreamStats:
    """Figures for the overlay: rates per second, inference time, frames dropped so far."""

    camera_fps: float
    network_fps: float
    displayed_fps: float
    inference_ms: float
    captured: int
    shown: int
    dropped: int


class FaceStream(QObject):
    """Owns the capture thread and the face detector service.

    Signals:
        sig_detection(object): a FaceDetection to show (the newest frame, annotated).
        sig_stats(object): StreamStats after each detection.
        sig_source_opened(str description): the source delivered its first frame.
        sig_source_ended(object): SourceEnded — stopped, finished (video end) or failed.
        sig_model_state(str state, str detail): the detector service's state.
        sig_error(str message): a detection failed.
    """

    sig_detection = pyqtSignal(object)
    sig_stats = pyqtSignal(object)
    sig_source_opened = pyqtSignal(str)
    sig_source_ended = pyqtSignal(object)
    sig_model_state = pyqtSignal(str, str)
    sig_error = pyqtSignal(str)

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
        self.grabber: FrameGrabber | None = None
        self._generation = 0
        self._pending: Reply | None = None
        self._last_frame: tuple[np.ndarray, int] | None = None
        self._camera_rate = RateMeter()
        self._shown_rate = RateMeter()
        self._latency_ms = 0.0
        self.max_backlog = 0
        self.last_detection: FaceDetection | None = None

    # ----------------------------------------------------------------- model
    def load_model(self, choice: str) -> None:
        """Load a face model: a MODEL_CHOICES name, a registry id or a detector file path."""
        self.service.load(face_model_spec(choice))

    @pyqtSlot(str, str)
    def _on_model_state(self, state: str, detail: str) -> None:
        self.sig_model_state.emit(state, detail)
        if state == "ready":
            self._discard_pending()
            self._pump()
            if self._pending is None and not self.is_streaming():
                self.redetect()

    # ----------------------------------------------------------------- source
    def start_source(self, spec: SourceSpec) -> None:
        self.stop_source()
        self._generation += 1
        generation = self._generation
        self._camera_rate.reset()
        self._shown_rate.reset()
        self._last_frame = None
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
            grabber.stop()
            self._generation += 1
            self._discard_pending()

    def _discard_pending(self) -> None:
        if self._pending is not None:
            self._pending.discard()
            self._pending = None

    def pause(self, paused: bool) -> None:
        if self.grabber is not None:
            self.grabber.pause(paused)

    def is_streaming(self) -> bool:
        return self.grabber is not None and self.grabber.is_alive() and not self.grabber.paused

    def set_threshold(self, threshold: float) -> None:
        self.threshold = threshold
        if not self.is_streaming():
            self.redetect()

    def set_blur(self, blur: bool) -> None:
        self.blur = blur
        if not self.is_streaming():
            self.redetect()

    def redetect(self) -> None:
        """Run the detector again on the last frame (a still image, or while paused)."""
        if self._last_frame is not None and self._pending is None:
            self._request(*self._last_frame)

    @pyqtSlot(int)
    def _on_frame_available(self, generation: int) -> None:
        if generation == self._generation:
            self._camera_rate.tick()
            self._pump()

    @pyqtSlot(int, float)
    def _on_opened(self, generation: int, _fps: float) -> None:
        if generation == self._generation and self.grabber is not None:
            self.sig_source_opened.emit(self.grabber.spec.describe())

    @pyqtSlot(int, object)
    def _on_ended(self, generation: int, ended: SourceEnded) -> None:
        if generation != self._generation:
            return
        if self.grabber is not None:
            self.grabber.stop()
        self.sig_source_ended.emit(ended)

    # ----------------------------------------------------------------- detection
    def _pump(self) -> None:
        if self._pending is not None or self.service.state != "ready" or self.grabber is None:
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
        self.last_detection = detection
        self._latency_ms = detection.latency_ms
        self._shown_rate.tick()
        self.sig_detection.emit(detection)
        self.sig_stats.emit(self.stats())
        self._pump()

    @pyqtSlot(str)
    def _on_error(self, message: str) -> None:
        self._pending = None
        self.sig_error.emit(message)

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
        )

    def shutdown(self) -> None:
        """Stop the capture thread and the detector service, waiting for both."""
        self.stop_source()
        self.service.shutdown()
