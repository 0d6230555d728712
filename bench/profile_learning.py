"""Learning the user's hand: per-writer accuracy before and after teaching 10 codes.

For each real writer of `pendigits-orig-writers1-6.tes` (never in the model's training data), the
writer's digits are drawn onto the canvas as five-digit codes in the order they were written.
The first `--teach` codes are taught to an empty handwriting profile (all five boxes with their
true digits, as "That was: …" does in the tab), and the remaining codes are read with the general
model and with the profile. Also printed: how long teaching one code takes (features of five
boxes + index update) and reading five digits with a profile of that size, against without.

    python bench/profile_learning.py [--teach 10] [--model PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vision_agent.core.postal import (  # noqa: E402
    SHIPPED_MODEL,
    PostalRecognizer,
    canvas_inputs,
)
from vision_agent.training.digit_checks import writer_codes  # noqa: E402
from vision_agent.training.pen_digits import read_unipen  # noqa: E402

WRITERS = ROOT.parent / "shared" / "datasets" / "pendigits" / "pendigits-orig-writers1-6.tes"


def teach_codes(recognizer: PostalRecognizer, canvases, codes) -> float:
    """Teach each code's five boxes; the slowest single code's time in ms."""
    slowest = 0.0
    for canvas, code in zip(canvases, codes, strict=True):
        started = time.perf_counter()
        inputs, present = canvas_inputs(canvas)
        keep = [i for i in range(5) if present[i]]
        recognizer.teach(inputs[keep][..., None], np.array([int(code[i]) for i in keep]))
        slowest = max(slowest, (time.perf_counter() - started) * 1000)
    return slowest


def digits_right(recognizer: PostalRecognizer, canvases, codes) -> tuple[int, int, int]:
    right = changed = 0
    for canvas, code in zip(canvases, codes, strict=True):
        reading = recognizer.recognize(canvas)
        right += sum(a == b for a, b in zip(code, reading.code, strict=True))
        changed += sum(d.by_profile for d in reading.digits)
    return right, 5 * len(codes), changed


def read_time(recognizer: PostalRecognizer, canvas: np.ndarray, rounds: int = 200) -> float:
    recognizer.recognize(canvas)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        recognizer.recognize(canvas)
        times.append(time.perf_counter() - started)
    return float(np.median(times) * 1000)


def through_the_service(writer_canvases, writer_code_list, teach: int) -> None:
    """Teach → next reading, and five digits warm, timed through the tab's model service."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt5.QtWidgets import QApplication

    from bench.postal_latency import wait_for
    from vision_agent.engine.recipes import digit_model_spec
    from vision_agent.services.model_service import ModelService

    app = QApplication.instance() or QApplication([])
    service = ModelService("postal")
    service.load(digit_model_spec(SHIPPED_MODEL))
    wait_for(service.call(PostalRecognizer.recognize, writer_canvases[0]))

    def warm_median(rounds: int = 100) -> float:
        times = []
        for k in range(rounds):
            started = time.perf_counter()
            wait_for(service.call(PostalRecognizer.recognize, writer_canvases[k % teach]))
            times.append(time.perf_counter() - started)
        return float(np.median(times) * 1000)

    without = warm_median()
    effects = []
    for canvas, code, following in zip(
        writer_canvases[:teach],
        writer_code_list[:teach],
        writer_canvases[1 : teach + 1],
        strict=True,
    ):
        inputs, present = canvas_inputs(canvas)
        keep = [i for i in range(5) if present[i]]
        started = time.perf_counter()
        service.call(
            PostalRecognizer.teach, inputs[keep][..., None], np.array([int(code[i]) for i in keep])
        )
        wait_for(service.call(PostalRecognizer.recognize, following))
        effects.append((time.perf_counter() - started) * 1000)
    with_profile = warm_median()
    service.shutdown()
    del app
    print(
        f"through the service: teach one code → next reading {np.median(effects):.1f} ms median, "
        f"{max(effects):.1f} ms slowest; five digits warm {without:.2f} ms without a profile, "
        f"{with_profile:.2f} ms with {teach * 5} samples ({with_profile / without:.2f}×)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teach", type=int, default=10, help="codes taught per writer")
    parser.add_argument("--model", type=Path, default=SHIPPED_MODEL)
    args = parser.parse_args()
    recognizer = PostalRecognizer.from_file(args.model)
    print(f"model {args.model.name}; teach the first {args.teach} codes, read the rest")
    print(f"{'writer':>6} {'read':>5} {'before':>8} {'after':>8} {'changed':>8}  slowest teach")
    before_all, after_all, slowest_teach = [], [], 0.0
    writers = writer_codes(read_unipen(WRITERS))
    for writer in writers:
        taught = slice(0, args.teach)
        rest = slice(args.teach, None)
        recognizer.use_profile(np.zeros((0, 28, 28, 1)), np.zeros(0))
        b_right, total, _ = digits_right(recognizer, writer.canvases[rest], writer.codes[rest])
        slowest = teach_codes(recognizer, writer.canvases[taught], writer.codes[taught])
        a_right, _, changed = digits_right(recognizer, writer.canvases[rest], writer.codes[rest])
        before, after = b_right / total, a_right / total
        before_all.append(before)
        after_all.append(after)
        slowest_teach = max(slowest_teach, slowest)
        print(
            f"{writer.writer:>6} {total:>5} {before:8.2%} {after:8.2%} {changed:>8}  "
            f"{slowest:.1f} ms"
        )
    print(
        f"{'mean':>6} {'':>5} {np.mean(before_all):8.2%} {np.mean(after_all):8.2%}"
        f"   hardest writer after: {min(after_all):.2%}; "
        f"worse: {sum(a < b for a, b in zip(after_all, before_all, strict=True))} writers"
    )
    last = writers[-1]
    through_the_service(last.canvases, last.codes, args.teach)
    with_profile = read_time(recognizer, last.canvases[-1])
    size = len(recognizer.profile)
    recognizer.use_profile(np.zeros((0, 28, 28, 1)), np.zeros(0))
    without = read_time(recognizer, last.canvases[-1])
    print(
        f"five digits: {without:.2f} ms without a profile, {with_profile:.2f} ms with {size} "
        f"samples ({with_profile / without:.2f}×); slowest teach of one code "
        f"{slowest_teach:.1f} ms (core, no service)"
    )


if __name__ == "__main__":
    main()
