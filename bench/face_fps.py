"""Face cam speed: network FPS per model, end-to-end displayed FPS with the GUI, backlog, memory.

Prints
  * network FPS at 640×480 (Megamind.avi frames resized) for res10 Caffe fp32 and res10 TF uint8:
    `net.forward` alone and the whole `detect` (resize, blob, forward, parse, draw), with the
    TF/Caffe ratio;
  * the face cam tab running offscreen on Megamind.avi at the video's own rate (24 FPS):
    camera, displayed and network FPS, skipped frames, backlog (requests queued behind the one
    being detected; must be 0), how many frames the shown frame lags the newest captured one,
    and the longest GUI event-loop stall;
  * the same tab on the video looped and fed at --feed-fps (default 48, twice the video's rate,
    faster than the network so frames must be skipped) until --frames frames (default 10,000)
    have been detected and shown: displayed FPS, skipped frames, backlog, and the process RSS at
    the start, every fifth of the run, and the end.

    python bench/face_fps.py [--frames 10000] [--feed-fps 48] [--seconds 10] [--repeats 100]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
ASSETS = REPO.parent / "shared" / "assets"
VIDEO = ASSETS / "photos" / "video" / "Megamind.avi"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("VISION_AGENT_MODEL_PATH", str(ASSETS))

import cv2  # noqa: E402
from PyQt5.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PyQt5.QtWidgets import QApplication  # noqa: E402

from vision_agent.core.faces import MODEL_CHOICES  # noqa: E402
from vision_agent.core.video_source import SourceSpec, iter_video_frames  # noqa: E402
from vision_agent.engine.registry_models import face_detector  # noqa: E402

MODELS = ("res10-caffe", "res10-tf")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def network_fps(repeats: int) -> None:
    frames = [cv2.resize(f, (640, 480)) for _, f in iter_video_frames(VIDEO, every=9)]
    print(f"network at 640×480, {repeats} frames each (median ms, FPS = 1000 / median)")
    medians = {}
    for choice in MODELS:
        detector = face_detector(MODEL_CHOICES[choice])
        for frame in frames[:5]:
            detector.detect(frame)
        forward, detect = [], []
        for i in range(repeats):
            frame = frames[i % len(frames)]
            started = time.perf_counter()
            detector._forward(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
            forward.append((time.perf_counter() - started) * 1000)
            detect.append(detector.detect(frame).latency_ms)
        medians[choice] = statistics.median(detect)
        print(
            f"  {choice:12s} forward {statistics.median(forward):6.1f} ms "
            f"({1000 / statistics.median(forward):5.1f} FPS)   detect {medians[choice]:6.1f} ms "
            f"({1000 / medians[choice]:5.1f} FPS)"
        )
    ratio = medians["res10-tf"] / medians["res10-caffe"]
    print(f"  res10-tf / res10-caffe detect time: {ratio:.2f}×")


class Watch:
    """Collects what the tab shows: lag behind the newest frame, GUI stalls."""

    def __init__(self, app: QApplication, tab) -> None:
        self.app, self.tab = app, tab
        self.lags: list[int] = []
        self.longest_stall_ms = 0.0
        self._clock = QElapsedTimer()
        self._clock.start()
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self.rss_marks: list[float] = []
        self.mark_every = 0
        tab.controller.sig_shown.connect(self._shown)

    def _tick(self) -> None:
        self.longest_stall_ms = max(self.longest_stall_ms, self._clock.restart() - 10)

    def _shown(self, detection, _stats) -> None:
        grabber = self.tab.controller.grabber
        if grabber is not None:
            self.lags.append(grabber.slot.captured - 1 - detection.frame_index)
        if self.mark_every and len(self.lags) % self.mark_every == 0:
            self.rss_marks.append(rss_mb())

    def run_until(self, done, limit_s: float) -> None:
        deadline = time.perf_counter() + limit_s
        while not done() and time.perf_counter() < deadline:
            self.app.processEvents()
            time.sleep(0.001)

    def close(self) -> None:
        self._timer.stop()
        self.tab.controller.sig_shown.disconnect(self._shown)


def gui_run(
    app: QApplication, tab, spec: SourceSpec, done, limit_s: float, title: str, marks: int = 0
) -> None:
    tab.controller.max_backlog = 0
    watch = Watch(app, tab)
    watch.mark_every = marks
    rss_start = rss_mb()
    started = time.perf_counter()
    tab.open_source(spec)
    watch.run_until(done, limit_s)
    seconds = time.perf_counter() - started
    stats = tab.controller.stats()
    tab.stop()
    watch.run_until(lambda: False, 0.3)
    watch.close()
    lags = sorted(watch.lags) or [0]
    print(title)
    print(
        f"  {stats.captured} frames captured in {seconds:.1f} s ({stats.captured / seconds:.1f}"
        f" FPS), {stats.shown} shown ({stats.shown / seconds:.1f} FPS), {stats.dropped} skipped"
    )
    print(
        f"  network {stats.network_fps:.1f} FPS ({stats.inference_ms:.1f} ms, last frame); "
        f"backlog max {tab.controller.max_backlog}; shown frame behind newest: median "
        f"{lags[len(lags) // 2]}, 95th pct {lags[int(len(lags) * 0.95)]}"
    )
    print(f"  longest GUI stall {watch.longest_stall_ms:.0f} ms")
    middle = "".join(f", {mb:.0f}" for mb in watch.rss_marks)
    print(f"  RSS {rss_start:.0f} MB at start{middle}, {rss_mb():.0f} MB at end")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=10000, help="frames for the memory run")
    parser.add_argument("--feed-fps", type=float, default=48.0, help="memory run's frame rate")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the 24 FPS run")
    parser.add_argument("--repeats", type=int, default=100, help="frames per network timing")
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on {os.cpu_count()} cores")
    network_fps(args.repeats)

    from vision_agent.ui.tabs.face_tab import FaceCamTab

    app = QApplication.instance() or QApplication([])
    tab = FaceCamTab()
    tab.resize(1000, 760)
    tab.show()
    tab.load_model("res10-caffe")
    deadline = time.perf_counter() + 60
    while tab.controller.service.state != "ready" and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.01)
    gui_run(
        app,
        tab,
        SourceSpec.file(VIDEO, loop=True),
        lambda: False,
        args.seconds,
        f"GUI (offscreen), Megamind.avi at its own 24 FPS for {args.seconds:.0f} s, res10-caffe",
    )
    gui_run(
        app,
        tab,
        SourceSpec.file(VIDEO, loop=True, fps=args.feed_fps),
        lambda: tab.controller.stats().shown >= args.frames,
        3600,
        f"GUI (offscreen), Megamind.avi looped at {args.feed_fps:.0f} FPS until {args.frames} "
        "frames were shown",
        marks=max(1, args.frames // 5),
    )
    tab.shutdown()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
