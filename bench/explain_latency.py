"""What "Inside the network" costs a postal recognition, and how long the GUI stalls for it.

Drives the real postal tab (offscreen) with a five-digit drawing and box 1 selected, and prints,
as medians in one run, with ratios to the bare service call:
  * the bare service: `service.call(PostalRecognizer.recognize)` until its result signal;
  * the tab's recognition with the panel hidden (until the reading is shown);
  * the tab's recognition with the panel shown (until the panel shows every layer of box 1);
the longest GUI event-loop stall while the shown panel updates; and, to see where the time
goes, `explain` alone (this thread) and the panel's update of its widgets alone. For the shipped
ONNX model (service thread) and its Keras twin (child process).

With --imagenet, also the ImageNet tab with ResNet50 (seeded random weights, loaded as a user's
Keras file, in its child process): for a few layers, the time from choosing the layer to its
feature maps on screen, and the longest GUI stall meanwhile.

    python bench/explain_latency.py [--repeats 100] [--no-keras] [--imagenet]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from postal_latency import StallMeter, wait_for  # noqa: E402
from PyQt5.QtWidgets import QApplication  # noqa: E402

from vision_agent.checks.postal import draw_code  # noqa: E402
from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer  # noqa: E402
from vision_agent.ui.tabs.postal_tab import PostalTab  # noqa: E402

TIMEOUT_S = 120


def process_until(done: Callable[[], bool]) -> None:
    deadline = time.perf_counter() + TIMEOUT_S
    while not done():
        QApplication.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError("no result in time")


def timed(call: Callable[[], None], done: Callable[[], bool], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        process_until(done)
        QApplication.processEvents()  # the update is painted
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(model: Path, repeats: int) -> dict[str, float]:
    tab = PostalTab(model_path=model)
    tab.resize(1400, 800)
    tab.show()
    tab.controls.live_check.setChecked(False)
    tab.start()
    controller, panel = tab.controller, tab.network_panel
    process_until(lambda: controller.service.state == "ready")
    drawing = draw_code("10701")
    tab.canvas.set_drawing(drawing)
    tab.select_box(0)

    def bare() -> None:
        wait_for(controller.service.call(PostalRecognizer.recognize, drawing))

    def recognize() -> None:
        last[0] = controller.reading
        tab.recognize()

    last = [controller.reading]
    bare()
    bare_ms = timed(bare, lambda: True, repeats)
    hidden_ms = timed(recognize, lambda: controller.reading is not last[0], repeats)
    tab.controls.network_button.setChecked(True)
    process_until(lambda: panel.explanation is not None)
    meter = StallMeter()
    meter.start()
    shown_ms = timed(
        recognize,
        lambda: controller.reading is not last[0] and not controller.explaining(),
        repeats,
    )
    stall = meter.stop()
    layers = len(panel.shown_layers())
    recognizer = PostalRecognizer.from_file(model)
    explain_ms = timed(lambda: recognizer.explain(drawing, 0), lambda: True, repeats)
    explanation = panel.explanation
    update_ms = timed(lambda: panel.set_explanation(explanation), lambda: True, repeats)
    tab.shutdown()
    tab.deleteLater()
    return {
        "bare": statistics.median(bare_ms),
        "hidden": statistics.median(hidden_ms),
        "shown": statistics.median(shown_ms),
        "stall": stall,
        "layers": layers,
        "explain": statistics.median(explain_ms),
        "update": statistics.median(update_ms),
    }


IMAGENET_LAYERS = ("conv1_relu", "conv2_block3_out", "conv3_block4_out", "conv5_block3_out")


def measure_imagenet(repeats: int) -> None:
    import tempfile

    import keras

    from vision_agent.core.imageio import read_image
    from vision_agent.ui.tabs.classifier_tab import ClassifierTab

    keras.utils.set_random_seed(7)
    path = Path(tempfile.mkdtemp()) / "resnet50_random.keras"
    keras.applications.ResNet50(weights=None).save(path)
    tab = ClassifierTab(model=str(path))
    tab.resize(1600, 900)
    tab.show()
    tab.start()
    photo = REPO.parent / "shared" / "assets" / "photos" / "dogs" / "Beagle_01141.jpg"
    tab.controller.show_photo(read_image(photo, max_side=1600), photo.name)
    process_until(lambda: tab.controller.result is not None)
    tab.network_button.setChecked(True)
    panel = tab.network_panel
    process_until(lambda: panel.layers is not None and not panel._pending_output)
    print(f"\nImageNet tab, ResNet50 (Keras, child process), {photo.name}, median of {repeats}:")
    meter = StallMeter()
    for name in IMAGENET_LAYERS:
        panel.choose_layer(name)
        process_until(lambda: not panel._pending_output)
        meter.start()
        times = timed(lambda: panel.follow(panel.photo), lambda: not panel._pending_output, repeats)
        shape = "×".join(str(d) for d in panel.view.output.shape)
        print(
            f"  {name:<18} {shape:>11}: {statistics.median(times):7.1f} ms to the screen, "
            f"longest GUI stall {meter.stop():4.0f} ms"
        )
    tab.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--no-keras", action="store_true", help="skip the Keras model")
    parser.add_argument("--imagenet", action="store_true", help="also the ImageNet tab's panel")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    models = [SHIPPED_MODEL] + ([] if args.no_keras else [SHIPPED_MODEL.with_suffix(".keras")])
    for model in models:
        figures = measure(model, args.repeats)
        bare = figures["bare"]
        print(f"\n{model.name}: recognize five digits, median of {args.repeats}")
        for key, caption in (
            ("bare", "service call alone"),
            ("hidden", "tab, panel hidden"),
            ("shown", f"tab, panel shown ({figures['layers']} layers of box 1)"),
        ):
            ms = figures[key]
            print(f"  {caption:<42} {ms:8.2f} ms   {ms / bare:6.2f}× bare   +{ms - bare:6.2f} ms")
        print(f"  longest GUI stall while the panel updates: {figures['stall']:.0f} ms")
        print(f"  of which: explain() alone {figures['explain']:.2f} ms (this thread), ", end="")
        print(f"panel widgets update + paint {figures['update']:.2f} ms (GUI thread)")
    if args.imagenet:
        measure_imagenet(max(3, args.repeats // 10))
    del app


if __name__ == "__main__":
    main()
