"""Accuracy of the postal-code path on non-MNIST writers, and what MNIST-style normalisation buys.

Prints per-digit and per-code accuracy, and per-digit error counts, for
  1. mouse-like handwriting (tests/drawings.py),
  2. OpenCV's handwritten digits.png (Debian opencv-doc; set VISION_AGENT_OPENCV_DATA),
each through the app's preprocessing and through the course's plain resize of the whole box
to 28×28 (program 8-4), with the same shipped model.

    python bench/postal_accuracy.py [--codes 1000]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.drawings import random_handwritten_canvas
from tests.test_postal_accuracy import OPENCV_DIGITS, opencv_digit_canvases
from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer, box_rect


def course_read(recognizer: PostalRecognizer, canvas: np.ndarray) -> str:
    """Program 8-4: crop each box, invert, resize to 28×28, classify — no normalisation."""
    batch = []
    for i in range(5):
        x, y, w, h = box_rect(i)
        crop = 255 - canvas[y + 1 : y + h - 1, x + 1 : x + w - 1]
        batch.append(cv2.resize(crop, (28, 28), interpolation=cv2.INTER_AREA) / 255.0)
    probabilities = recognizer.predictor(np.array(batch, np.float32)[..., None])
    return "".join(str(int(d)) for d in probabilities.argmax(axis=1))


def report(name: str, pairs: list[tuple[str, str]]) -> None:
    errors, totals = Counter(), Counter()
    for truth, read in pairs:
        for a, b in zip(truth, read, strict=True):
            totals[a] += 1
            errors[a] += a != b
    per_digit = 1 - sum(errors.values()) / sum(totals.values())
    per_code = sum(t == r for t, r in pairs) / len(pairs)
    worst = ", ".join(f"{d}:{errors[d]}/{totals[d]}" for d in sorted(totals) if errors[d])
    print(f"{name:<44} digits {per_digit:7.2%}  codes {per_code:7.2%}  errors {worst or '-'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=1000)
    args = parser.parse_args()
    recognizer = PostalRecognizer.from_file(SHIPPED_MODEL)
    rng = np.random.default_rng(1)
    app, course = [], []
    for _ in range(args.codes):
        canvas, code = random_handwritten_canvas(rng)
        app.append((code, recognizer.recognize(canvas).code))
        course.append((code, course_read(recognizer, canvas)))
    print(f"model: {SHIPPED_MODEL.name}; {args.codes} five-digit codes per set")
    report("mouse handwriting, app preprocessing", app)
    report("mouse handwriting, course resize (8-4)", course)
    if not OPENCV_DIGITS.is_file():
        print(f"digits.png not found at {OPENCV_DIGITS}: skipped")
        return
    app, course = [], []
    for canvas, truth in opencv_digit_canvases(rng):
        app.append((truth, recognizer.recognize(canvas).code))
        course.append((truth, course_read(recognizer, canvas)))
    report("OpenCV digits.png, app preprocessing", app)
    report("OpenCV digits.png, course resize (8-4)", course)


if __name__ == "__main__":
    main()
