"""How well the postal tab reads real people's handwriting, and how honest its confidence is.

Every figure goes through the tab's own path (canvas → five boxes → MNIST-style preprocessing →
model → calibrated status), for the shipped model and, beside it, a baseline model (by default
the model shipped before the real-handwriting work, taken from git history):
- real writers kept out of training (UCI pen-digits trajectories, `pendigits-orig-writers1-6.tes`),
  each writer's digits drawn as five-digit codes in writing order; per writer and per way of
  drawing (default pen 8 px / 66 px tall, small 40 px, thick 14 px, thin 4 px, off-centre);
- the calibration: the share of wrong readings flagged (`unsure` or `not_digit`) and of right
  readings not `ok`, with the model's stored calibration and cross-validated over writers
  (leaving one writer out, and in halves every way), with the feature margin and with the confidence
  alone;
- MNIST test and OpenCV's `digits.png` (Debian opencv-doc; VISION_AGENT_OPENCV_DATA or its
  standard path).

    python bench/postal_accuracy.py [--baseline OLD.onnx]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vision_agent.core.digit_status import DigitStatus  # noqa: E402
from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer  # noqa: E402
from vision_agent.training.digit_calibration import (  # noqa: E402
    CalibrationFigures,
    calibration_set,
    cross_validated,
    every_half,
    leave_one_writer_out,
    reference_centres,
)
from vision_agent.training.digit_checks import (  # noqa: E402
    OPENCV_DIGITS,
    VARIANTS,
    opencv_digit_canvases,
    writer_codes,
)
from vision_agent.training.pen_digits import read_unipen  # noqa: E402

SHARED = ROOT.parent / "shared"
WRITERS = SHARED / "datasets" / "pendigits" / "pendigits-orig-writers1-6.tes"
PEN_ROWS = SHARED / "datasets" / "pendigits" / "pendigits.tra"  # the training writers
MNIST = SHARED / "assets" / "mnist" / "mnist.npz"
BASELINE_COMMIT = "a735654"  # the last commit with the MNIST-only model


def baseline_model(folder: Path) -> Path | None:
    target = folder / "baseline_digits_cnn.onnx"
    shown = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "show",
            f"{BASELINE_COMMIT}:resources/models/digits/digits_cnn.onnx",
        ],
        capture_output=True,
    )
    if shown.returncode != 0:
        return None
    target.write_bytes(shown.stdout)
    return target


def score(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    digits = sum(a == b for truth, read in pairs for a, b in zip(truth, read, strict=True))
    return digits / (5 * len(pairs)), sum(t == r for t, r in pairs) / len(pairs)


def read_codes(recognizer: PostalRecognizer, canvases, codes) -> list[tuple[str, str]]:
    return [(code, recognizer.recognize(c).code) for c, code in zip(canvases, codes, strict=True)]


def real_writers(models: dict[str, PostalRecognizer]) -> None:
    digits = read_unipen(WRITERS)
    print(f"\nReal writers kept out of training ({WRITERS.name}, {len(digits)} digits)")
    print(f"{'drawn as':<24} {'model':<10} {'digits':>7} {'codes':>7}   per writer (digits)")
    for variant, placement in VARIANTS.items():
        per_writer = writer_codes(digits, placement)
        for name, recognizer in models.items():
            everything, by_writer = [], []
            for writer in per_writer:
                pairs = read_codes(recognizer, writer.canvases, writer.codes)
                everything += pairs
                by_writer.append(f"{writer.writer}:{score(pairs)[0]:.1%}")
            d, c = score(everything)
            print(f"{variant:<24} {name:<10} {d:7.2%} {c:7.2%}   {' '.join(by_writer)}")


def calibration(models: dict[str, PostalRecognizer]) -> None:
    print(
        "\nCalibration on the real writers (every way of drawing; target: ≥ 80 % of wrong "
        "readings flagged, ≤ 3 % of right ones not ok)"
    )
    print(f"{'model':<10} {'readings':>8} {'wrong':>6} {'wrong flagged':>14} {'right not ok':>13}")

    def row(name: str, f: CalibrationFigures, how: str) -> None:
        print(
            f"{name:<10} {f.readings:>8} {f.wrong:>6} {f.wrong_flagged:>14.1%} "
            f"{f.right_flagged:>13.2%}   {how}"
        )

    for name, recognizer in models.items():
        data = calibration_set(recognizer, WRITERS)
        stored = recognizer.readings(data.probabilities, data.features)
        right = np.array([r.digit == y for r, y in zip(stored, data.labels, strict=True)])
        flagged = np.array([r.status is not DigitStatus.OK for r in stored])
        signal = "feature margin + confidence" if recognizer.calibration.doubt else "confidence"
        figures = CalibrationFigures(
            len(right), int((~right).sum()), flagged[~right].mean(), flagged[right].mean()
        )
        row(name, figures, f"stored calibration ({signal}), judged on the writers it was fitted on")
        signals = [(None, "confidence alone")]
        if PEN_ROWS.is_file():
            signals.insert(0, (reference_centres(recognizer, PEN_ROWS), "margin + confidence"))
        for doubt, label in signals:
            for held_out, how in (
                (leave_one_writer_out(data.writers), "fitted on 5 writers, judged on the 6th"),
                (
                    every_half(data.writers),
                    "fitted on 3 writers, judged on the other 3, all 20 ways",
                ),
            ):
                row(name, cross_validated(data, doubt, held_out), f"{label}: {how}")


def other_checks(models: dict[str, PostalRecognizer]) -> None:
    print("\nOther writers")
    if MNIST.is_file():
        with np.load(MNIST) as data:
            x, y = data["x_test"].astype(np.float32)[..., None] / 255.0, data["y_test"]
        for name, recognizer in models.items():
            accuracy = (recognizer.predictor(x).argmax(axis=1) == y).mean()
            print(f"MNIST test (10,000 digits)            {name:<10} digits {accuracy:7.2%}")
    if not OPENCV_DIGITS.is_file():
        print(f"digits.png not found at {OPENCV_DIGITS}: skipped")
        return
    canvases = opencv_digit_canvases(np.random.default_rng(1))
    for name, recognizer in models.items():
        pairs = [(code, recognizer.recognize(c).code) for c, code in canvases]
        d, c = score(pairs)
        print(f"OpenCV digits.png (1000 codes)        {name:<10} digits {d:7.2%}  codes {c:7.2%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another digit model to compare with")
    args = parser.parse_args()
    if not WRITERS.is_file():
        sys.exit(f"{WRITERS} not found: the real-writer check needs ../shared beside the checkout")
    with tempfile.TemporaryDirectory() as folder:
        baseline = args.baseline or baseline_model(Path(folder))
        models = {"shipped": PostalRecognizer.from_file(SHIPPED_MODEL)}
        if baseline is not None:
            models["baseline"] = PostalRecognizer.from_file(baseline)
        print(f"shipped: {SHIPPED_MODEL}; baseline: {baseline or 'none (git history missing)'}")
        real_writers(models)
        calibration(models)
        other_checks(models)


if __name__ == "__main__":
    main()
