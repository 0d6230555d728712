"""Postal-code speed: service latency vs model.predict, launch time, and GUI stalls.

Prints
  * warm latency of recognizing five digits through the app's service (request -> result signal,
    OpenCV DNN in the worker thread; and the Keras model in its child process), beside Keras
    `model.predict`, `predict_on_batch` and a compiled `tf.function` on the same five inputs,
    as ratios within this run;
  * time from launching `python -m vision_agent` to the visible window and to the first result;
  * time from launch to the window being mapped on a private Xvfb with openbox, beside a bare
    PyQt5 QMainWindow launched the same way by the same Python (the window is polled every
    20 ms with xdotool, launches alternate between the two);
  * the longest GUI event-loop stall while each model loads and recognizes.

    python bench/postal_latency.py [--repeats 200] [--launches 5]
    python bench/postal_latency.py --start-only [--launches 10]   (only the start-up figures)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from PyQt5.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PyQt5.QtWidgets import QApplication  # noqa: E402

from vision_agent.checks.postal import draw_code  # noqa: E402
from vision_agent.core.imageio import write_image  # noqa: E402
from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer, canvas_inputs  # noqa: E402
from vision_agent.engine.recipes import digit_model_spec  # noqa: E402
from vision_agent.services.model_service import ModelService, Reply  # noqa: E402

KERAS_MODEL = SHIPPED_MODEL.with_suffix(".keras")
POLL_S = 0.02
# A bare window for comparison: the same title, so the same search finds it.
BARE_WINDOW = (
    "from PyQt5.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication([])\n"
    "window = QMainWindow()\n"
    "window.setWindowTitle('Vision Agent')\n"
    "window.resize(1100, 640)\n"
    "window.show()\n"
    "app.exec_()\n"
)


class StallMeter:
    """Ticks every 5 ms on the GUI thread and records the longest gap between ticks."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.longest = 0.0

    def start(self) -> None:
        self.longest = 0.0
        self.clock.start()
        self.timer.start()

    def _tick(self) -> None:
        self.longest = max(self.longest, self.clock.restart())

    def stop(self) -> float:
        self.timer.stop()
        return self.longest


def wait_for(reply: Reply, timeout_ms: int = 120000):
    """The reply's result, waiting in an event loop (RuntimeError with its message if it failed)."""
    loop = QEventLoop()
    box = {}
    reply.then(
        lambda result: (box.setdefault("result", result), loop.quit()),
        lambda message: (box.setdefault("error", message), loop.quit()),
    )
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec_()
    if "error" in box:
        raise RuntimeError(box["error"])
    return box["result"]


def service_latency(model: Path, canvas, repeats: int, meter: StallMeter) -> tuple[float, float]:
    service = ModelService("bench")
    meter.start()
    service.load(digit_model_spec(model))
    wait_for(service.call(PostalRecognizer.recognize, canvas))
    stall = meter.stop()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        wait_for(service.call(PostalRecognizer.recognize, canvas))
        times.append((time.perf_counter() - started) * 1000)
    service.shutdown()
    return statistics.median(times), stall


def keras_latencies(canvas, repeats: int) -> dict[str, float]:
    import keras
    import tensorflow as tf

    inputs, _ = canvas_inputs(canvas)
    batch = inputs[..., None]
    model = keras.models.load_model(KERAS_MODEL)
    forward = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    calls = {
        "keras model.predict": lambda: model.predict(batch, verbose=0),
        "keras predict_on_batch": lambda: model.predict_on_batch(batch),
        "keras tf.function": lambda: forward(tf.constant(batch)).numpy(),
    }
    results = {}
    for name, call in calls.items():
        for _ in range(5):
            call()
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        results[name] = statistics.median(times)
    return results


def launch_times(launches: int) -> tuple[float, float]:
    drawing = Path(tempfile.mkdtemp()) / "code.png"
    write_image(drawing, draw_code("10701"))
    shown, first = [], []
    env = dict(os.environ, VISION_AGENT_STARTUP_LOG="1", PYTHONPATH=str(REPO))
    for _ in range(launches):
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "vision_agent", "gui", str(drawing)],
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        for line in process.stderr:
            if line.startswith("startup window_shown"):
                shown.append(time.perf_counter() - started)
            elif line.startswith("startup first_result"):
                first.append(time.perf_counter() - started)
                break
        process.terminate()
        process.wait(10)
    return statistics.median(shown), statistics.median(first)


def mapped_times(launches: int) -> tuple[float, float]:
    """Median seconds from launch to a mapped window: (the app, a bare PyQt5 QMainWindow)."""
    from tests.support.x_session import XSession, isolated_env

    app_times, bare_times = [], []
    with XSession() as x, tempfile.TemporaryDirectory() as scratch:
        for run in range(launches):
            env = x.env(**isolated_env(Path(scratch) / f"run{run}"))
            for command, times in (
                ([sys.executable, "-c", BARE_WINDOW], bare_times),
                ([sys.executable, "-m", "vision_agent"], app_times),
            ):
                started = time.perf_counter()
                process = subprocess.Popen(command, env=env, cwd=REPO, stderr=subprocess.DEVNULL)
                while x.main_window(process.pid) is None:
                    if process.poll() is not None or time.perf_counter() - started > 60:
                        raise RuntimeError(f"no window from {command[-1]}")
                    time.sleep(POLL_S)
                times.append(time.perf_counter() - started)
                process.terminate()
                process.wait(10)
    return statistics.median(app_times), statistics.median(bare_times)


def print_mapped_times(launches: int) -> None:
    app_s, bare_s = mapped_times(launches)
    print(
        f"launch -> window mapped (Xvfb + openbox, median of {launches}): "
        f"app {app_s * 1000:.0f} ms, bare PyQt5 QMainWindow {bare_s * 1000:.0f} ms, "
        f"{app_s / bare_s:.2f}× the bare window"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--launches", type=int, default=5)
    parser.add_argument("--start-only", action="store_true", help="only the start-up figures")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)")
    print_mapped_times(args.launches)
    shown, first = launch_times(args.launches)
    print(
        f"launch -> window shown:    {shown * 1000:7.0f} ms (median of {args.launches}, offscreen)"
    )
    print(f"launch -> first result:    {first * 1000:7.0f} ms (drawing given on the command line)")
    if args.start_only:
        return

    app = QApplication.instance() or QApplication([])
    meter = StallMeter()
    canvas = draw_code("10701")
    onnx_ms, onnx_stall = service_latency(SHIPPED_MODEL, canvas, args.repeats, meter)
    keras_ms, keras_stall = service_latency(KERAS_MODEL, canvas, args.repeats, meter)
    baseline = keras_latencies(canvas, args.repeats)
    predict = baseline["keras model.predict"]
    print(f"\nwarm latency, five digits (median of {args.repeats}):")
    rows = {
        "app service, ONNX in worker thread": onnx_ms,
        "app service, Keras in child process": keras_ms,
        **baseline,
    }
    for name, ms in rows.items():
        print(f"  {name:<38} {ms:8.2f} ms   {ms / predict:6.3f}× model.predict")
    print("\nlongest GUI stall while loading + first recognition:")
    print(f"  ONNX model (worker thread):   {onnx_stall:5.0f} ms")
    print(f"  Keras model (child process):  {keras_stall:5.0f} ms")
    del app


if __name__ == "__main__":
    main()
