"""ResNet50 warm latency per photo: the app's path beside the other ways to run the same model.

One run, one machine, the same fixed-weight ResNet50 (seeded; real ImageNet weights are not on
these machines, and the weights do not change the arithmetic):

  app           ClassifierTab -> ModelService -> ImageClassifier.classify, timed from the GUI
                thread, request to result in the tab (photo already decoded; resizing it,
                forward through the service's cached ONNX export with the normalisation folded
                into the graph, softmax, top-5, drawing the labels panel, updating view and
                chart; the repaint that follows is timed apart). The Keras model loads in its
                child process; once its ONNX export is verified, classification runs in the
                service's thread (the child keeps Grad-CAM).
  app service   the same request sent straight to the tab's service: the app's path up to
                the result reaching the GUI thread, without the tab's update
  predict       model.predict
  on_batch      model.predict_on_batch
  tf.function   a compiled tf.function(model)
  onnxruntime   the model exported to ONNX (model.export(format="onnx")), CPU provider
  cv2.dnn       the same ONNX file through OpenCV DNN

Each of these five is timed per photo, as a script classifies one: the decoded photo through
the reference preprocessing (PIL resize to 224×224, preprocess_input's normalisation), the
model, top-5. The target (app ≤ 1.10× the fastest) is read on these per-photo times. Each is
also timed on a batch preprocessed once ("forward alone" column: the model and nothing else),
and the app's ratio to the fastest of those is printed too.

In separate runs of the app path (and while a Grad-CAM runs), a 5 ms QTimer on the GUI thread
records the longest gap between its ticks: the window's worst stall.

    python bench/classify_latency.py [--runs 20] [--photo PATH]
"""

from __future__ import annotations

import argparse
import os
import random
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

from tests.support.imagenet_models import save_resnet50_weights
from vision_agent.core.classify import PHOTO_MAX_SIDE, ImageClassifier
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


def wait_for(signal, condition: Callable[[], bool], timeout_s: float = 300) -> None:
    """Wait in a Qt event loop, as the window does, until `condition()` holds after `signal`.

    No polling timer: a timer firing every millisecond would take a core from the thread pool
    it is waiting for. Slots run in connection order, so a tab's own slot on `signal` has done
    its work (redrawn) before `condition` is checked here.
    """
    from PyQt5.QtCore import QEventLoop, QTimer

    if condition():
        return
    loop = QEventLoop()

    def check(*_args) -> None:
        if condition():
            loop.quit()

    signal.connect(check)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(int(timeout_s * 1000))
    loop.exec_()
    deadline.stop()
    signal.disconnect(check)
    if not condition():
        raise TimeoutError("the app gave no answer")


class AppPath:
    """The real tab and service, one photo per call."""

    def __init__(self, weights: Path, photo: np.ndarray) -> None:
        from PyQt5.QtWidgets import QApplication

        from vision_agent.ui.tabs.classifier_tab import ClassifierTab

        self.app = QApplication.instance() or QApplication([])
        self.tab = ClassifierTab(model="resnet50")
        self.tab.show()
        self.tab.controller.load_model("resnet50", weights)
        self.photo = photo
        # Two copies taken in turns: each call hands the tab another photo object, as opening
        # a new file does (the tab skips converting a photo it already shows).
        self._copies = [photo.copy(), photo.copy()]
        self.meter = StallMeter()
        self.inside_ms: list[float] = []

    def __call__(self) -> None:
        """Show the photo and wait until the tab has its result (labels drawn on the photo,
        view and chart updated); the repaint that follows is timed in `classify_stall`."""
        self._copies.reverse()
        self.tab.controller.show_photo(self._copies[0], "bench")
        wait_for(self.tab.sig_status_message, lambda: self.tab.controller.result is not None)
        self.inside_ms.append(self.tab.controller.result.latency_ms)

    @property
    def engine(self) -> str:
        box: dict[str, object] = {}
        service = self.tab.controller.service
        reply = service.call(ImageClassifier.engine).then(lambda r: box.setdefault("engine", r))
        wait_for(reply.finished, lambda: "engine" in box)
        where = "window" if service.serves_in_process(ImageClassifier.classify) else "child"
        return f"{box['engine']} ({where} process)"

    def service_only(self) -> None:
        """The same request straight to the tab's service, answered without the tab's update:
        what the app's path costs before the widgets."""
        box: dict[str, object] = {}
        reply = self.tab.controller.service.call(
            ImageClassifier.classify, self.photo, 5, True
        ).then(lambda r: box.setdefault("result", r))
        wait_for(reply.finished, lambda: "result" in box)

    def classify_stall(self, runs: int) -> tuple[float, float]:
        """The longest stall over `runs` photos, each after an idle gap, and the median time
        the repaint after a result takes (timed apart from the latency runs: the meter's own
        5 ms timer would be in those figures otherwise)."""
        worst, repaints = 0.0, []
        for _ in range(runs):
            idle_gap()
            self.meter.start()
            self()
            started = time.perf_counter()
            self.app.processEvents()
            repaints.append((time.perf_counter() - started) * 1000)
            worst = max(worst, self.meter.stop())
        return worst, statistics.median(repaints)

    def gradcam_stall(self) -> float:
        self.meter.start()
        self.tab.results.cam_check.setChecked(True)
        wait_for(self.tab.sig_status_message, lambda: self.tab.controller.heat is not None)
        return self.meter.stop()

    def close(self) -> None:
        self.tab.shutdown()


def alternatives(
    weights: Path, photo: np.ndarray, folder: Path
) -> tuple[dict[str, Callable], dict[str, Callable]]:
    """The other ways to run the model: (per photo, forward pass alone), by engine name."""
    import cv2
    import keras
    import onnxruntime
    import tensorflow as tf

    from vision_agent.core.imagenet_preprocess import keras_mode

    model = keras.applications.ResNet50(weights=str(weights))
    recipe = keras_mode("caffe", (224, 224))
    x = recipe.prepare(photo)
    compiled = tf.function(lambda batch: model(batch, training=False))
    reference = np.asarray(model(x))  # also builds the model, which export needs
    onnx_path = folder / "resnet50.onnx"
    started = time.perf_counter()
    model.export(str(onnx_path), format="onnx", verbose=False)
    print(f"(ONNX export took {time.perf_counter() - started:.1f} s)")
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    net = cv2.dnn.readNet(str(onnx_path))

    def dnn(batch: np.ndarray) -> np.ndarray:
        net.setInput(np.ascontiguousarray(batch))  # the exported model keeps Keras's NHWC input
        return net.forward()

    forwards: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "predict": lambda batch: model.predict(batch, verbose=0),
        "on_batch": model.predict_on_batch,
        "tf.function": lambda batch: compiled(tf.constant(batch)).numpy(),
        "onnxruntime": lambda batch: session.run(None, {input_name: batch})[0],
        "cv2.dnn": dnn,
    }
    for name in ("onnxruntime", "cv2.dnn"):
        difference = np.abs(forwards[name](x) - reference).max()
        print(f"({name} vs Keras: max |difference| {difference:.2e})")

    def per_photo(forward: Callable[[np.ndarray], np.ndarray]) -> Callable[[], np.ndarray]:
        """What a script does with one decoded photo: the reference preprocessing (PIL
        resize to 224×224, preprocess_input's normalisation), the model, top-5."""

        def classify() -> np.ndarray:
            probabilities = np.asarray(forward(recipe.prepare(photo)))[0]
            return np.argsort(-probabilities)[:5]

        return classify

    def alone(forward: Callable[[np.ndarray], np.ndarray]) -> Callable[[], np.ndarray]:
        return lambda: forward(x)

    return (
        {name: per_photo(forward) for name, forward in forwards.items()},
        {name: alone(forward) for name, forward in forwards.items()},
    )


def cache_export(weights: Path) -> None:
    """The app's ONNX export of the logits model, placed where its service looks for it."""
    import keras

    from vision_agent.core.onnx_export import export_path
    from vision_agent.engine.registry_models import onnx_exports

    model = keras.applications.ResNet50(weights=str(weights), classifier_activation=None)
    model(np.zeros((1, 224, 224, 3), np.float32))
    path = export_path(onnx_exports(), "ResNet50", weights)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.export(str(path), format="onnx", verbose=False)


IDLE_GAP_S = 0.05
ALONE = " alone"  # suffix of the forward-pass-alone paths


def idle_gap() -> None:
    """Let the window finish what it was asked to do (repaints), then leave the machine idle."""
    from PyQt5.QtWidgets import QApplication

    if QApplication.instance() is not None:
        QApplication.processEvents()
    time.sleep(IDLE_GAP_S)


def round_robin(calls: dict[str, Callable], runs: int) -> dict[str, list[float]]:
    """ms per path and round; the paths take turns, so a busy neighbour slows them all alike.

    Each call starts after a short idle gap: thread pools (onnxruntime, OpenCV, TensorFlow)
    spin for a while after a call, and would otherwise eat into whichever path runs next.
    The order is shuffled every round, so no path always follows the same other one.
    """
    for call in calls.values():
        for _ in range(3):
            call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    order = list(calls)
    shuffle = random.Random(0).shuffle
    for _ in range(runs):
        shuffle(order)
        for name in order:
            idle_gap()
            started = time.perf_counter()
            calls[name]()
            times[name].append((time.perf_counter() - started) * 1000)
    return times


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
        per_photo, forward_alone = alternatives(weights, photo, folder)
        cache_export(weights)  # what the app's service makes for itself in the background
        app = AppPath(weights, photo)
        try:
            app()  # waits for the model to load
            calls = {"app": app, "app service": app.service_only} | per_photo
            calls |= {name + ALONE: call for name, call in forward_alone.items()}
            times = round_robin(calls, args.runs)
            engine = app.engine
            stall_classify, repaint_ms = app.classify_stall(args.runs)
            stall_gradcam = app.gradcam_stall()
        finally:
            app.close()
    medians = {name: statistics.median(values) for name, values in times.items()}
    fastest = min(per_photo, key=medians.get)
    fastest_alone = min(forward_alone, key=lambda name: medians[name + ALONE]) + ALONE

    def per_round(other: str) -> float:
        """The app's ratio taken round by round (the runs of a round are a second or two
        apart, so a busy neighbour slows both): steadier than the ratio of the medians."""
        return statistics.median(a / b for a, b in zip(times["app"], times[other], strict=True))

    size = f"{photo.shape[1]}×{photo.shape[0]}"
    print(f"\nResNet50, one {size} photo, median of {args.runs} warm runs taken in turns")
    print(f"{'path':<14}{'ms per photo':>14}{'× fastest':>11}{'forward alone ms':>19}")
    for name in ("app", "app service", *per_photo):
        alone = f"{medians[name + ALONE]:>19.1f}" if name in forward_alone else ""
        ratio = medians[name] / medians[fastest]
        print(f"{name:<14}{medians[name]:>14.1f}{ratio:>11.2f}{alone}")
    inside = statistics.median(app.inside_ms[4:])
    print(f"\napp, inside classify (resize + forward + softmax + labels): {inside:.1f} ms")
    print(f"app engine: {engine}")
    print(f"app / fastest per photo ({fastest}): {medians['app'] / medians[fastest]:.2f}×", end="")
    print(f"  (per round {per_round(fastest):.2f}×; target ≤ 1.10×)")
    ratio_alone = medians["app"] / medians[fastest_alone]
    print(f"app / fastest forward pass alone ({fastest_alone}, no per-photo work): ", end="")
    print(f"{ratio_alone:.2f}×  (per round {per_round(fastest_alone):.2f}×)")
    print(f"then the window's repaint of the result: {repaint_ms:.1f} ms")
    print(f"GUI event loop, worst stall while classifying: {stall_classify:.1f} ms")
    print(f"GUI event loop, worst stall during Grad-CAM:   {stall_gradcam:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
