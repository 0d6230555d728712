"""ResNet50 warm latency per photo: the app's path beside the other ways to run the same model.

One run, one machine, the same fixed-weight ResNet50 (seeded; real ImageNet weights are not on
these machines, and the weights do not change the arithmetic):

  app           ClassifierTab -> ModelService -> child process -> ImageClassifier.classify
                (photo already decoded; preprocessing, forward through the service's cached
                ONNX export, softmax, top-5, drawing the labels, pickling both ways), timed
                from the GUI thread, request to result
  predict       model.predict(x)                       on the preprocessed batch
  on_batch      model.predict_on_batch(x)
  tf.function   a compiled tf.function(model)(x)
  onnxruntime   the model exported to ONNX (model.export(format="onnx")), CPU provider
  cv2.dnn       the same ONNX file through OpenCV DNN

While the app path runs (and while a Grad-CAM runs), a 5 ms QTimer on the GUI thread records
the longest gap between its ticks: the window's worst stall.

    python bench/classify_latency.py [--runs 20] [--photo PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from tests.imagenet_models import save_resnet50_weights
from vision_agent.core.classify import PHOTO_MAX_SIDE
from vision_agent.core.imageio import read_image

ASSETS = Path(__file__).resolve().parents[2] / "shared" / "assets"
DEFAULT_PHOTO = ASSETS / "photos" / "dogs" / "Beagle_01141.jpg"


class StallMeter:
    """Longest gap between ticks of a 5 ms timer on the GUI thread while it is running."""

    def __init__(self) -> None:
        from PyQt5.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.worst_ms = 0.0
        self._last = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst_ms = max(self.worst_ms, (now - self._last) * 1000)
        self._last = now

    def start(self) -> None:
        self.worst_ms, self._last = 0.0, time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.worst_ms


def wait_until(app, condition: Callable[[], bool], timeout_s: float = 300) -> None:
    """Wait in a Qt event loop, as the window does: idle between events, no busy polling
    (a polling loop would take a core from the child process it is waiting for)."""
    from PyQt5.QtCore import QEventLoop, QTimer

    if condition():
        return
    loop = QEventLoop()
    deadline = time.perf_counter() + timeout_s
    check = QTimer()
    check.setInterval(1)
    check.timeout.connect(lambda: (condition() or time.perf_counter() > deadline) and loop.quit())
    check.start()
    loop.exec_()
    check.stop()
    if not condition():
        raise TimeoutError("the app gave no answer")


class AppPath:
    """The real tab and service (ResNet50 in its child process), one photo per call."""

    def __init__(self, weights: Path, photo: np.ndarray) -> None:
        from PyQt5.QtWidgets import QApplication

        from vision_agent.ui.tabs.classifier_tab import ClassifierTab

        self.app = QApplication.instance() or QApplication([])
        self.tab = ClassifierTab(model="resnet50")
        self.tab.show()
        self.tab.load_model("resnet50", weights)
        self.photo = photo
        self.meter = StallMeter()
        self.worst_stall_ms = 0.0
        self.inside_ms: list[float] = []

    def __call__(self) -> None:
        """Show the photo and wait for its result, with the stall meter running meanwhile."""
        self.meter.start()
        self.tab.show_photo(self.photo, "bench")
        wait_until(self.app, lambda: self.tab.result is not None)
        self.worst_stall_ms = max(self.worst_stall_ms, self.meter.stop())
        self.inside_ms.append(self.tab.result.latency_ms)

    @property
    def engine(self) -> str:
        box: dict[int, object] = {}
        self.tab.service.sig_result.connect(lambda i, r: box.setdefault(i, r))
        request = self.tab.service.request("engine")
        wait_until(self.app, lambda: request in box)
        return str(box[request])

    def gradcam_stall(self) -> float:
        self.tab.cam_check.setChecked(True)
        self.meter.start()
        wait_until(self.app, lambda: self.tab.heat is not None)
        return self.meter.stop()

    def close(self) -> None:
        self.tab.shutdown()


def alternatives(weights: Path, photo: np.ndarray, folder: Path) -> dict[str, Callable]:
    import cv2
    import keras
    import onnxruntime
    import tensorflow as tf

    from vision_agent.core.imagenet_preprocess import keras_mode

    model = keras.applications.ResNet50(weights=str(weights))
    x = keras_mode("caffe", (224, 224)).prepare(photo)
    forward = tf.function(lambda batch: model(batch, training=False))
    reference = np.asarray(model(x))  # also builds the model, which export needs
    onnx_path = folder / "resnet50.onnx"
    started = time.perf_counter()
    model.export(str(onnx_path), format="onnx", verbose=False)
    print(f"(ONNX export took {time.perf_counter() - started:.1f} s)")
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    net = cv2.dnn.readNet(str(onnx_path))
    blob = np.ascontiguousarray(x)  # the exported model keeps Keras's NHWC input

    def dnn() -> np.ndarray:
        net.setInput(blob)
        return net.forward()

    for name, out in (
        ("onnxruntime", session.run(None, {input_name: x})[0]),
        ("cv2.dnn", dnn()),
    ):
        print(f"({name} vs Keras: max |difference| {np.abs(out - reference).max():.2e})")
    return {
        "predict": lambda: model.predict(x, verbose=0),
        "on_batch": lambda: model.predict_on_batch(x),
        "tf.function": lambda: forward(tf.constant(x)).numpy(),
        "onnxruntime": lambda: session.run(None, {input_name: x}),
        "cv2.dnn": dnn,
    }


def cache_export(weights: Path) -> None:
    """The app's ONNX export of the logits model, placed where its service looks for it."""
    import keras

    from vision_agent.core.onnx_export import export_path

    model = keras.applications.ResNet50(weights=str(weights), classifier_activation=None)
    model(np.zeros((1, 224, 224, 3), np.float32))
    path = export_path("ResNet50", weights)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.export(str(path), format="onnx", verbose=False)


IDLE_GAP_S = 0.05


def round_robin(calls: dict[str, Callable], runs: int) -> dict[str, float]:
    """Median ms per path; the paths take turns, so a busy neighbour slows them all alike.

    Each call starts after a short idle gap: thread pools (onnxruntime, OpenCV, TensorFlow)
    spin for a while after a call, and would otherwise eat into whichever path runs next —
    the app's child process above all, since it shares no pool with the previous path.
    """
    for call in calls.values():
        for _ in range(3):
            call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            time.sleep(IDLE_GAP_S)
            started = time.perf_counter()
            call()
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--photo", type=Path, default=DEFAULT_PHOTO)
    args = parser.parse_args()
    if args.photo.is_file():
        photo = read_image(args.photo, max_side=PHOTO_MAX_SIDE)
    else:
        print(f"{args.photo} not found: using a synthetic 500×375 picture")
        photo = np.random.default_rng(0).integers(0, 256, (375, 500, 3), dtype=np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        weights = save_resnet50_weights(folder / "fixed_resnet50.h5")
        os.environ["VISION_AGENT_CACHE_DIR"] = str(folder / "cache")
        others = alternatives(weights, photo, folder)
        cache_export(weights)  # what the app's service makes for itself in the background
        app = AppPath(weights, photo)
        try:
            app()  # waits for the model to load
            calls = {"app": app} | others
            medians = round_robin(calls, args.runs)
            engine = app.engine
            stall_gradcam = app.gradcam_stall()
        finally:
            app.close()
    others = {name: ms for name, ms in medians.items() if name != "app"}
    fastest_name = min(others, key=others.get)
    fastest = others[fastest_name]
    size = f"{photo.shape[1]}×{photo.shape[0]}"
    print(f"\nResNet50, one {size} photo, median of {args.runs} warm runs taken in turns")
    print(f"{'path':<14}{'ms':>9}{'× fastest':>11}")
    for name, ms in medians.items():
        print(f"{name:<14}{ms:>9.1f}{ms / fastest:>11.2f}")
    inside = statistics.median(app.inside_ms[4:])
    print(f"\napp, inside the child process (preprocess + forward + softmax): {inside:.1f} ms")
    print(f"app engine: {engine}")
    print(f"app / fastest ({fastest_name}): {medians['app'] / fastest:.2f}×  (target ≤ 1.10×)")
    print(f"GUI event loop, worst stall while classifying: {app.worst_stall_ms:.1f} ms")
    print(f"GUI event loop, worst stall during Grad-CAM:   {stall_gradcam:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
