"""The postal tab on handwriting no setting was ever chosen on: two public UCI collections.

Writers the project never met, read through the tab's own path (canvas → five boxes → the app's
preprocessing → model → the card's calibrated status), by the shipped model and, in the same
run, the model it replaced (`postal_accuracy.BEFORE_COMMIT`). Nothing was fitted, chosen or
changed on them: the doubt rule is the shipped card's, the ways of drawing are USPS's.
- optdigits' writer-independent test file `optdigits-orig.windep` (13 writers, 1,797 digits);
  codes of five in file order (neighbouring digits come from the same form);
- Semeion's `semeion.data` (about 80 people, 1,593 digits); the file is sorted by digit in
  blocks, so codes of five are taken in one fixed shuffle (seed `SEMEION_SEED`, set before any
  reading).
Each is drawn as real mail is (`usps.USPS_WAYS`: 64 px tall, small 40 px, thicker pen).
A reading is flagged when the tab does not show it as sure (unsure, not a digit or blank).

Fetch the files from the UCI repository (or a public copy; see docs/postal_accuracy.md) outside
the checkout, never into it:

    python bench/postal_unseen.py --optdigits DIR/optdigits-orig.windep --semeion DIR/semeion.data
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.postal_accuracy import compared_models  # noqa: E402
from vision_agent.core.digit_status import DigitStatus  # noqa: E402
from vision_agent.core.errors import UserError  # noqa: E402
from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer  # noqa: E402
from vision_agent.training.uci_bitmaps import (  # noqa: E402
    bitmap_codes,
    read_optdigits,
    read_semeion,
)
from vision_agent.training.usps import USPS_WAYS  # noqa: E402

SEMEION_SEED = 21


def optdigits_in_file_order(path: Path) -> tuple[np.ndarray, np.ndarray]:
    return read_optdigits(path)


def semeion_shuffled(path: Path) -> tuple[np.ndarray, np.ndarray]:
    frames, labels = read_semeion(path)
    order = np.random.default_rng(SEMEION_SEED).permutation(len(labels))
    return frames[order], labels[order]


SOURCES: dict[str, Callable[[Path], tuple[np.ndarray, np.ndarray]]] = {
    "optdigits": optdigits_in_file_order,
    "semeion": semeion_shuffled,
}


def read_all(
    recognizer: PostalRecognizer, canvases: list[np.ndarray], codes: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per digit: true label, digit read (-1 for none), flagged; per code: read whole."""
    truth, read, flagged, whole = [], [], [], []
    for canvas, code in zip(canvases, codes, strict=True):
        reading = recognizer.recognize(canvas)
        whole.append(reading.code == code)
        for digit, box in zip(code, reading.digits, strict=True):
            truth.append(int(digit))
            read.append(-1 if box.digit is None else box.digit)
            flagged.append(box.status is not DigitStatus.OK)
    return np.array(truth), np.array(read), np.array(flagged), np.array(whole)


def report(name: str, model: str, figures: tuple[np.ndarray, ...]) -> str:
    truth, read, flagged, whole = figures
    right = truth == read
    wrong_flagged = flagged[~right].mean() if (~right).any() else 1.0
    per_digit = " ".join(f"{d}:{right[truth == d].mean():.1%}" for d in range(10))
    return (
        f"{name:<26} {model:<7} {len(truth):>6} {right.mean():7.2%} {whole.mean():7.2%} "
        f"{int((~right).sum()):>6} {wrong_flagged:8.1%} {flagged[right].mean():8.2%}   {per_digit}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--optdigits", type=Path, help="optdigits-orig.windep")
    parser.add_argument("--semeion", type=Path, help="semeion.data")
    parser.add_argument("--model", type=Path, default=SHIPPED_MODEL, help="default: shipped")
    parser.add_argument("--before", type=Path, help="the model to compare with (.onnx)")
    args = parser.parse_args()
    files = {"optdigits": args.optdigits, "semeion": args.semeion}
    files = {name: path for name, path in files.items() if path is not None}
    if not files:
        parser.error("give --optdigits and/or --semeion (files fetched outside the checkout)")
    try:
        sources = {name: SOURCES[name](path) for name, path in files.items()}
    except UserError as exc:
        sys.exit(str(exc))
    with tempfile.TemporaryDirectory() as folder:
        models = compared_models(args.model, args.before, Path(folder))
        print(
            f"{'source, drawn as':<26} {'model':<7} {'digits':>6} {'right':>7} {'codes':>7} "
            f"{'wrong':>6} {'w. flag':>8} {'r. flag':>8}   right per digit"
        )
        for name, (frames, labels) in sources.items():
            for way, size in USPS_WAYS.items():
                canvases, codes = bitmap_codes(frames, labels, size)
                for model, recognizer in models.items():
                    figures = read_all(recognizer, canvases, codes)
                    print(report(f"{name}, {way}", model, figures), flush=True)


if __name__ == "__main__":
    main()
