"""Frames from a camera, a video file or a still image, captured in their own thread (Qt-free).

`FrameGrabber` owns one Python thread that opens the source (with a time limit: opening a camera
can block for a long time), reads frames, converts them to RGB and puts each into a
`LatestFrame` slot. A consumer (the face service) takes the newest frame when it is free; frames
replaced before anyone took them are counted as dropped, so nothing queues up behind the
detector. Failures (no camera, busy camera, unplugged camera, corrupt or ended video) end the
thread with a `SourceEnded` that says what happened.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vision_agent.core.errors import UserError
from vision_agent.core.imageio import read_image
from vision_agent.core.user_files import require_regular_file

# FFmpeg's decoder complaints ("[mpeg4 @ 0x...] mcbpc damaged at 40 18") went to the user's
# terminal; a damaged video is reported in words instead. Read when the first video opens.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
OPEN_TIMEOUT_S = 5.0
STILL_MAX_SIDE = 4096  # a larger still photo is decoded reduced (a 20000² JPEG would take 1.2 GB)
MAX_FAILED_READS = 10  # consecutive read() failures before a camera counts as gone
VIDEO_SUFFIXES = (".avi", ".mp4", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv")


class SourceError(UserError):
    """A source could not be opened or stopped delivering frames."""


@dataclass(frozen=True)
class SourceSpec:
    """What to capture: kind is "camera" (index), "video" (path) or "image" (path)."""

    kind: str
    index: int = 0
    path: str = ""
    loop: bool = False
    fps: float | None = None  # videos: None plays at the file's rate, 0 as fast as decoded

    @classmethod
    def camera(cls, index: int) -> SourceSpec:
        return cls("camera", index=index)

    @classmethod
    def file(cls, path: str | Path, loop: bool = False, fps: float | None = None) -> SourceSpec:
        path = Path(path)
        kind = "video" if path.suffix.lower() in VIDEO_SUFFIXES else "image"
        return cls(kind, path=str(path), loop=loop, fps=fps)

    def describe(self) -> str:
        return f"camera {self.index}" if self.kind == "camera" else Path(self.path).name


@dataclass(frozen=True)
class SourceEnded:
    """Why capture stopped: reason is "stopped", "finished" (video end, still image) or "failed";
    `damaged`: a video that finished well short of the frames its header announces."""

    reason: str
    message: str = ""
    frames: int = 0
    damaged: bool = False


class LatestFrame:
    """A one-frame mailbox: `put` replaces, `take` empties; replaced frames count as dropped."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: np.ndarray | None = None
        self._index = -1
        self.dropped = 0
        self.captured = 0

    def put(self, frame: np.ndarray, index: int) -> None:
        with self._lock:
            if self._frame is not None:
                self.dropped += 1
            self._frame, self._index = frame, index
            self.captured += 1

    def take(self) -> tuple[np.ndarray, int] | None:
        with self._lock:
            if self._frame is None:
                return None
            frame, self._frame = self._frame, None
            return frame, self._index


def open_with_timeout(open_fn: Callable[[], cv2.VideoCapture], timeout_s: float, what: str):
    """Run a blocking `cv2.VideoCapture(...)` with a time limit.

    The opener runs in a daemon helper thread; if it has not returned in time the source is
    reported as not answering and the helper is left to finish on its own (OpenCV offers no
    way to interrupt an open), releasing whatever it opened late.
    """
    box: dict = {}
    done = threading.Event()
    abandoned = threading.Event()

    def opener() -> None:
        try:
            box["capture"] = open_fn()
        except Exception as exc:  # cv2 raises on some invalid arguments
            box["error"] = exc
        done.set()
        if abandoned.is_set() and "capture" in box:
            box["capture"].release()

    threading.Thread(target=opener, name="capture-open", daemon=True).start()
    if not done.wait(timeout_s):
        abandoned.set()
        raise SourceError(f"{what} did not answer within {timeout_s:.0f} s.")
    if "error" in box:
        raise SourceError(f"{what} could not be opened: {box['error']}")
    return box["capture"]


class FrameGrabber:
    """Captures frames from one source in its own thread.

    `on_frame()` is called (from the capture thread) after each new frame is in `slot`;
    `on_ended(SourceEnded)` once when capture stops for any reason; `on_opened(fps)` once the
    source delivers its first frame (fps: the source's nominal rate, 0 if unknown).
    """

    def __init__(
        self,
        spec: SourceSpec,
        on_frame: Callable[[], None],
        on_ended: Callable[[SourceEnded], None],
        on_opened: Callable[[float], None] | None = None,
        open_timeout_s: float = OPEN_TIMEOUT_S,
        capture_factory: Callable[[SourceSpec], cv2.VideoCapture] | None = None,
    ) -> None:
        self.spec = spec
        self.slot = LatestFrame()
        self._on_frame, self._on_ended, self._on_opened = on_frame, on_ended, on_opened
        self._open_timeout_s = open_timeout_s
        self._capture_factory = capture_factory or _default_capture
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._thread = threading.Thread(target=self._run, name="frame-grabber", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def pause(self, paused: bool) -> None:
        if paused:
            self._resume.clear()
        else:
            self._resume.set()

    @property
    def paused(self) -> bool:
        return not self._resume.is_set()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Ask the thread to end and wait for it."""
        self._stop.set()
        self._resume.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    # ----------------------------------------------------------------- capture thread
    def _run(self) -> None:
        try:
            if self.spec.kind == "image":
                photo = read_image(self.spec.path, max_side=STILL_MAX_SIDE)
                if self._on_opened is not None:
                    self._on_opened(0.0)
                self._put(photo, 0)
                ended = SourceEnded("finished", "", 1)
            else:
                ended = self._capture_loop()
        except UserError as exc:
            ended = SourceEnded("failed", str(exc), self.slot.captured)
        except Exception as exc:  # never let the thread die silently
            ended = SourceEnded("failed", f"{type(exc).__name__}: {exc}", self.slot.captured)
        self._on_ended(ended)

    def _put(self, rgb: np.ndarray, index: int) -> None:
        self.slot.put(rgb, index)
        self._on_frame()

    def _capture_loop(self) -> SourceEnded:
        spec = self.spec
        what = f"Camera {spec.index}" if spec.kind == "camera" else Path(spec.path).name
        if spec.kind == "video":
            require_regular_file(spec.path, "a video", error=SourceError)
        capture = open_with_timeout(lambda: self._capture_factory(spec), self._open_timeout_s, what)
        try:
            if not capture.isOpened():
                if spec.kind == "camera":
                    raise SourceError(
                        f"Camera {spec.index} could not be opened: it is not connected, or "
                        "another program is using it."
                    )
                raise SourceError(f"{what} could not be opened as a video (damaged or unknown).")
            return self._read_loop(capture, what)
        finally:
            capture.release()

    def _read_loop(self, capture: cv2.VideoCapture, what: str) -> SourceEnded:
        spec = self.spec
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        fps = fps if 0 < fps < 1000 else 0.0
        expected = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        rate = fps if spec.fps is None else spec.fps
        period = 1.0 / rate if spec.kind == "video" and rate > 0 else 0.0
        frames = failures = 0
        next_due = time.perf_counter()
        while not self._stop.is_set():
            if not self._resume.is_set():
                self._resume.wait()
                next_due = time.perf_counter()
                continue
            ok, bgr = capture.read()
            if not ok or bgr is None:
                if spec.kind == "camera":
                    failures += 1
                    if failures < MAX_FAILED_READS:
                        self._stop.wait(0.05)
                        continue
                    if frames == 0:
                        raise SourceError(
                            f"Camera {spec.index} opened but gives no picture: another "
                            "program may be using it."
                        )
                    raise SourceError(
                        f"Camera {spec.index} stopped delivering frames after {frames} "
                        "(unplugged?)."
                    )
                if frames == 0:
                    raise SourceError(f"{what} holds no frame that can be decoded.")
                if spec.loop and capture.set(cv2.CAP_PROP_POS_FRAMES, 0):
                    continue
                message = _end_message(what, frames, expected)
                return SourceEnded("finished", message, frames, _cut_short(frames, expected))
            failures = 0
            if frames == 0 and self._on_opened is not None:
                self._on_opened(fps)
            self._put(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), frames)
            frames += 1
            if period:
                next_due += period
                delay = next_due - time.perf_counter()
                if delay > 0:
                    self._stop.wait(delay)
                else:
                    next_due = time.perf_counter()
        return SourceEnded("stopped", "", frames)


def _cut_short(frames: int, expected: int) -> bool:
    """Whether a video ended well before the frame count in its header (a damaged file)."""
    return bool(expected) and frames < expected * 0.9


def _end_message(what: str, frames: int, expected: int) -> str:
    if _cut_short(frames, expected):
        return (
            f"{what} stopped after {frames} of {expected} frames: the rest of the file is "
            "damaged or missing."
        )
    return f"{what} ended after {frames} frames."


# The camera API tried first on each system (OpenCV's names), then whatever OpenCV picks itself:
# DirectShow then Media Foundation on Windows (DirectShow opens most webcams fastest), AVFoundation
# on macOS, Video4Linux2 on Linux.
CAMERA_APIS = {
    "win32": ("CAP_DSHOW", "CAP_MSMF"),
    "darwin": ("CAP_AVFOUNDATION",),
    "linux": ("CAP_V4L2",),
}


def camera_apis(platform: str | None = None) -> list[int]:
    """OpenCV's capture API ids to try for a camera on `platform` (default: this system), in
    order, ending with CAP_ANY (OpenCV's own choice)."""
    platform = platform or sys.platform
    names = next((apis for key, apis in CAMERA_APIS.items() if platform.startswith(key)), ())
    return [getattr(cv2, name) for name in names if hasattr(cv2, name)] + [cv2.CAP_ANY]


def open_camera(index: int) -> cv2.VideoCapture:
    """Camera `index` through the first API of `camera_apis()` that opens it (an unopened
    capture when none does: the caller reports it)."""
    apis = camera_apis()
    for api in apis[:-1]:
        capture = cv2.VideoCapture(index, api)
        if capture.isOpened():
            return capture
        capture.release()
    return cv2.VideoCapture(index, apis[-1])


def _default_capture(spec: SourceSpec) -> cv2.VideoCapture:
    if spec.kind == "camera":
        return open_camera(spec.index)
    return cv2.VideoCapture(spec.path)


def probe_cameras(max_index: int = 4, timeout_s: float = 2.0) -> list[int]:
    """Indices 0..max_index-1 of cameras that open and deliver a frame (slow: run off the GUI).

    OpenCV's warnings for the indices that have no camera are expected here, so they are off.
    """
    found = []
    with _opencv_log_level(cv2.utils.logging.LOG_LEVEL_ERROR):
        for index in range(max_index):
            try:
                capture = open_with_timeout(
                    lambda i=index: open_camera(i), timeout_s, f"Camera {index}"
                )
            except SourceError:
                continue
            try:
                if capture.isOpened() and capture.read()[0]:
                    found.append(index)
            finally:
                capture.release()
    return found


@contextlib.contextmanager
def _opencv_log_level(level: int) -> Iterator[None]:
    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(level)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(previous)


def iter_video_frames(path: str | Path, every: int = 1) -> Iterator[tuple[int, np.ndarray]]:
    """(index, RGB frame) for every `every`-th frame of a video file, in the calling thread.

    SourceError when the file is missing, cannot be opened or holds no decodable frame, and
    after the last frame when the file stopped well short of the frames its header announces.
    """
    path = Path(path)
    require_regular_file(path, "a video", error=SourceError)
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise SourceError(f"{path.name} could not be opened as a video (damaged or unknown).")
        expected = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        index = 0
        while True:
            ok, bgr = capture.read()
            if not ok or bgr is None:
                break
            if index % every == 0:
                yield index, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            index += 1
        if index == 0:
            raise SourceError(f"{path.name} holds no frame that can be decoded.")
        if _cut_short(index, expected):
            raise SourceError(_end_message(path.name, index, expected))
    finally:
        capture.release()
