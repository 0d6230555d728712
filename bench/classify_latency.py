"""ResNet50 warm latency per photo: the app's path beside the other ways to run the same model.

One run, one machine, the same fixed-weight ResNet50 (seeded; real ImageNet weights are not on
these machines, and the weights do not change the arithmetic):

  app           ClassifierTab -> ModelService -> child process -> ImageClassifier.classify
                (read photo already decoded; preprocessing, forward, softmax, top-5, drawing
                the labels, pickling both ways), timed from the GUI thread, request to result
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
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app gave no answer")
        app.processEvents()
        time.sleep(0.0005)


def app_path(weights: Path, photo: np.ndarray, runs: int) -> dict[str, float]:
    """Round trips through the real tab and service, and the worst GUI stall meanwhile."""
    from PyQt5.QtWidgets import QApplication

    from vision_agent.ui.tabs.classifier_tab import ClassifierTab

    app = QApplication.instance() or QApplication([])
    tab = ClassifierTab(model="resnet50")
    tab.show()
    tab.load_model("resnet50", weights)
    meter = StallMeter()
    try:
        times, inner = [], []
        for i in range(runs + 3):
            if i == 3:
                meter.start()
            started = time.perf_counter()
            tab.show_photo(photo, "bench")
            wait_until(app, lambda: tab.result is not None)
            if i >= 3:
                times.append((time.perf_counter() - started) * 1000)
                inner.append(tab.result.latency_ms)
        stall_classify = meter.stop()
        tab.cam_check.setChecked(True)
        meter.start()
        wait_until(app, lambda: tab.heat is not None)
        stall_gradcam = meter.stop()
    finally:
        tab.shutdown()
    return {
        "app": statistics.median(times),
        "app_inside_child": statistics.median(inner),
        "stall_classify": stall_classify,
        "stall_gradcam": stall_gradcam,
    }


def time_calls(call: Callable[[], object], runs: int) -> float:
    for _ in range(3):
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def alternatives(weights: Path, photo: np.ndarray, runs: int, folder: Path) -> dict[str, float]:
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
        "predict": time_calls(lambda: model.predict(x, verbose=0), runs),
        "on_batch": time_calls(lambda: model.predict_on_batch(x), runs),
        "tf.function": time_calls(lambda: forward(tf.constant(x)).numpy(), runs),
        "onnxruntime": time_calls(lambda: session.run(None, {input_name: x}), runs),
        "cv2.dnn": time_calls(dnn, runs),
    }


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
        app = app_path(weights, photo, args.runs)  # first, alone: no TensorFlow here yet
        others = alternatives(weights, photo, args.runs, folder)
    fastest_name = min(others, key=others.get)
    fastest = others[fastest_name]
    size = f"{photo.shape[1]}×{photo.shape[0]}"
    print(f"\nResNet50, one {size} photo, median of {args.runs} warm runs")
    print(f"{'path':<14}{'ms':>9}{'× fastest':>11}")
    for name, ms in [("app", app["app"]), *others.items()]:
        print(f"{name:<14}{ms:>9.1f}{ms / fastest:>11.2f}")
    print(
        f"\napp, inside the child process (preprocess + forward + softmax): "
        f"{app['app_inside_child']:.1f} ms"
    )
    print(f"app / fastest ({fastest_name}): {app['app'] / fastest:.2f}×  (target ≤ 1.10×)")
    print(f"GUI event loop, worst stall while classifying: {app['stall_classify']:.1f} ms")
    print(f"GUI event loop, worst stall during Grad-CAM:   {app['stall_gradcam']:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
