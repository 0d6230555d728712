"""Five digits through the postal tab's model service beside the fastest engine, same run.

The shipped ONNX digit model, three ways, alternating so that the machine's load falls on each
alike: (1) through a `ModelService` (request → worker thread → result signal, as the tab asks
it), (2) `PostalRecognizer.recognize` called directly on this thread (the same work without the
service), (3) a bare onnxruntime session running the five 28×28 inputs (the engine alone, no
reading of the drawing). Prints each median and the service's ratio to the other two; figures
are reported, never asserted.

    python bench/service_overhead.py [--repeats 300]
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
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import onnxruntime  # noqa: E402
from PyQt5.QtWidgets import QApplication  # noqa: E402

from bench.postal_latency import wait_for  # noqa: E402
from vision_agent.checks.postal import draw_code  # noqa: E402
from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer, canvas_inputs  # noqa: E402
from vision_agent.engine.recipes import digit_model_spec  # noqa: E402
from vision_agent.services.model_service import ModelService  # noqa: E402

CODES = ("10701", "70110", "01710", "11007", "77001")  # draw_code knows 0, 1 and 7


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    canvases = [draw_code(code) for code in CODES]
    batches = [canvas_inputs(c)[0][..., None].astype(np.float32) for c in canvases]
    service = ModelService("bench")
    service.load(digit_model_spec(SHIPPED_MODEL))
    wait_for(service.call(PostalRecognizer.recognize, canvases[0]))
    direct = PostalRecognizer.from_file(SHIPPED_MODEL)
    session = onnxruntime.InferenceSession(str(SHIPPED_MODEL), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    ways = {
        "through the service": lambda k: wait_for(
            service.call(PostalRecognizer.recognize, canvases[k])
        ),
        "PostalRecognizer.recognize, same thread": lambda k: direct.recognize(canvases[k]),
        "bare onnxruntime, five inputs": lambda k: session.run(None, {name: batches[k]}),
    }
    times: dict[str, list[float]] = {way: [] for way in ways}
    for k in range(args.repeats + 10):
        for way, call in ways.items():
            started = time.perf_counter()
            call(k % len(CODES))
            if k >= 10:  # the first rounds warm up
                times[way].append((time.perf_counter() - started) * 1000)
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    medians = {way: statistics.median(own) for way, own in times.items()}
    for way, median in medians.items():
        print(f"  {way:<42} {median:7.3f} ms (median of {args.repeats})")
    through = medians["through the service"]
    for way, median in list(medians.items())[1:]:
        print(f"  service / {way}: {through / median:.2f}×")
    service.shutdown()
    del app


if __name__ == "__main__":
    main()
