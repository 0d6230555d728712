"""Five digits through the postal tab's model service: a digit model beside another, same run.

Writer 1's first ten codes (`pendigits-orig-writers1-6.tes`, drawn as on the canvas) are read.
Both models are loaded in their own service (as the tab hosts them); the same drawings are read
by each in turn, alternating, so that the machine's load falls on both alike. Prints the median
request → result time of each and their ratio.

    python bench/postal_speed.py NEW.onnx OLD.onnx [--repeats 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt5.QtWidgets import QApplication  # noqa: E402

from bench.postal_latency import wait_for  # noqa: E402
from vision_agent.core.postal import PostalRecognizer  # noqa: E402
from vision_agent.engine.recipes import digit_model_spec  # noqa: E402
from vision_agent.services.model_service import ModelService  # noqa: E402
from vision_agent.training.digit_checks import writer_codes  # noqa: E402
from vision_agent.training.pen_digits import read_unipen  # noqa: E402

WRITERS = ROOT.parent / "shared" / "datasets" / "pendigits" / "pendigits-orig-writers1-6.tes"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", type=Path, nargs=2, metavar="MODEL")
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    canvases = writer_codes(read_unipen(WRITERS))[0].canvases[:10]  # writer 1's first codes
    services = []
    for path in args.models:
        service = ModelService(path.name)
        service.load(digit_model_spec(path))
        wait_for(service.call(PostalRecognizer.recognize, canvases[0]))
        services.append(service)
    times: list[list[float]] = [[] for _ in services]
    for k in range(args.repeats):
        for service, own in zip(services, times, strict=True):
            started = time.perf_counter()
            wait_for(service.call(PostalRecognizer.recognize, canvases[k % len(canvases)]))
            own.append((time.perf_counter() - started) * 1000)
    medians = [statistics.median(own) for own in times]
    for path, median in zip(args.models, medians, strict=True):
        print(f"{path}: five digits through the service, median {median:.2f} ms")
    print(f"ratio {medians[0] / medians[1]:.3f} ({args.repeats} reads each, alternating)")
    for service in services:
        service.shutdown()
    del app


if __name__ == "__main__":
    main()
