"""The capture thread: video files to the end, missing/busy/unplugged cameras, corrupt files."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from tests.support.paths import asset
from vision_agent.core.video_source import (
    FrameGrabber,
    LatestFrame,
    SourceEnded,
    SourceError,
    SourceSpec,
    iter_video_frames,
    open_with_timeout,
)


def run_to_end(
    spec: SourceSpec, timeout_s: float = 30.0, **kwargs
) -> tuple[SourceEnded, FrameGrabber]:
    ended: list[SourceEnded] = []
    done = threading.Event()

    def on_ended(result: SourceEnded) -> None:
        ended.append(result)
        done.set()

    grabber = FrameGrabber(spec, on_frame=lambda: None, on_ended=on_ended, **kwargs)
    grabber.start()
    assert done.wait(timeout_s), "the capture thread never reported an end"
    grabber.stop()
    assert not grabber.is_alive()
    return ended[0], grabber


def test_latest_frame_keeps_the_newest_and_counts_drops():
    slot = LatestFrame()
    for i in range(3):
        slot.put(np.full((2, 2, 3), i, np.uint8), i)
    frame, index = slot.take()
    assert index == 2 and frame[0, 0, 0] == 2
    assert slot.take() is None
    assert (slot.captured, slot.dropped) == (3, 2)


def test_video_file_plays_to_the_end():
    video = asset("photos", "video", "Megamind.avi")
    ended, grabber = run_to_end(SourceSpec.file(video, fps=0))
    assert ended.reason == "finished" and ended.frames == 270 and not ended.damaged
    assert "ended after 270 frames" in ended.message
    frame, index = grabber.slot.take()
    assert index == 269 and frame.shape == (528, 720, 3)


def test_looping_video_goes_on_until_stopped():
    video = asset("photos", "video", "Megamind.avi")
    seen = threading.Event()
    grabber = FrameGrabber(
        SourceSpec.file(video, loop=True, fps=0),
        on_frame=lambda: seen.set() if grabber.slot.captured > 300 else None,
        on_ended=lambda ended: None,
    )
    grabber.start()
    assert seen.wait(30)
    grabber.stop()
    assert not grabber.is_alive()


def test_missing_camera_reports_instead_of_hanging():
    ended, _ = run_to_end(SourceSpec.camera(99), timeout_s=15)
    assert ended.reason == "failed"
    assert "Camera 99" in ended.message


def test_an_open_that_blocks_is_abandoned_after_the_time_limit():
    def slow_open():
        time.sleep(2)
        raise RuntimeError("never seen")

    with pytest.raises(SourceError, match="did not answer"):
        open_with_timeout(slow_open, 0.2, "Camera 3")


class FakeCamera:
    """A camera that gives `good` frames and then nothing (unplugged, or busy when good=0)."""

    def __init__(self, good: int) -> None:
        self.good = good
        self.released = False

    def isOpened(self) -> bool:
        return True

    def get(self, _prop: int) -> float:
        return 30.0

    def read(self):
        if self.good > 0:
            self.good -= 1
            return True, np.zeros((48, 64, 3), np.uint8)
        return False, None

    def release(self) -> None:
        self.released = True


def test_camera_unplugged_mid_stream():
    camera = FakeCamera(good=5)
    ended, grabber = run_to_end(SourceSpec.camera(0), capture_factory=lambda spec: camera)
    assert ended.reason == "failed"
    assert "stopped delivering frames after 5" in ended.message
    assert camera.released and grabber.slot.captured == 5


def test_camera_that_opens_but_is_busy():
    camera = FakeCamera(good=0)
    ended, _ = run_to_end(SourceSpec.camera(1), capture_factory=lambda spec: camera)
    assert ended.reason == "failed" and "another program" in ended.message


def test_corrupt_video_file(tmp_path):
    bad = tmp_path / "broken.avi"
    bad.write_bytes(np.random.default_rng(0).integers(0, 255, 50_000, np.uint8).tobytes())
    ended, _ = run_to_end(SourceSpec.file(bad, fps=0))
    assert ended.reason == "failed" and "broken.avi" in ended.message


def test_truncated_video_says_the_rest_is_missing(tmp_path):
    data = asset("photos", "video", "Megamind.avi").read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    ended, _ = run_to_end(SourceSpec.file(cut, fps=0))
    assert ended.reason == "failed" or (ended.reason == "finished" and ended.damaged)
    assert ended.message and "cut.avi" in ended.message


def test_missing_video_file(tmp_path):
    ended, _ = run_to_end(SourceSpec.file(tmp_path / "nowhere.mp4"))
    assert ended.reason == "failed" and "not found" in ended.message


def test_still_image_gives_one_frame():
    photo = asset("photos", "faces", "grace_hopper_matplotlib.jpg")
    opened: list[float] = []
    ended, grabber = run_to_end(SourceSpec.file(photo), on_opened=opened.append)
    assert ended.reason == "finished" and grabber.slot.captured == 1
    assert opened == [0.0]  # the tab says "Showing …" as for a video
    frame, _ = grabber.slot.take()
    assert frame.shape == (600, 512, 3)


def test_pause_holds_the_frames_back():
    video = asset("photos", "video", "Megamind.avi")
    grabber = FrameGrabber(SourceSpec.file(video), on_frame=lambda: None, on_ended=lambda e: None)
    grabber.start()
    deadline = time.monotonic() + 10
    while grabber.slot.captured < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    grabber.pause(True)
    time.sleep(0.2)
    held = grabber.slot.captured
    time.sleep(0.3)
    assert grabber.slot.captured == held
    grabber.pause(False)
    while grabber.slot.captured == held and time.monotonic() < deadline:
        time.sleep(0.02)
    assert grabber.slot.captured > held
    grabber.stop()
    assert not grabber.is_alive()


def test_iter_video_frames_every_n():
    video = asset("photos", "video", "Megamind.avi")
    indices = [index for index, _ in iter_video_frames(video, every=100)]
    assert indices == [0, 100, 200]
