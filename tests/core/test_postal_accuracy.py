"""Accuracy on digits written by people who are not MNIST writers.

Two independent checks, both through the same path the tab uses (canvas -> boxes -> model):
mouse-like handwriting (strokes with per-writer jitter, slant, size, position and pen width;
see tests/drawings.py), and OpenCV's handwritten `digits.png` (Debian `opencv-doc`; skipped when
not installed — `.ci/run` provides it) placed at random sizes, thicknesses and positions.
"""

import numpy as np
import pytest

from tests.support.drawings import random_handwritten_canvas
from vision_agent.training.digit_checks import OPENCV_DIGITS, opencv_digit_canvases


def _score(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    digits = sum(a == b for truth, read in pairs for a, b in zip(truth, read, strict=True))
    return digits / (5 * len(pairs)), sum(t == r for t, r in pairs) / len(pairs)


def test_mouse_handwriting_meets_the_targets(postal_recognizer):
    rng = np.random.default_rng(2026)
    pairs = []
    for _ in range(300):
        canvas, code = random_handwritten_canvas(rng)
        pairs.append((code, postal_recognizer.recognize(canvas).code))
    per_digit, per_code = _score(pairs)
    assert per_digit >= 0.99, per_digit
    assert per_code >= 0.95, per_code


@pytest.mark.skipif(not OPENCV_DIGITS.is_file(), reason="opencv-doc digits.png not installed")
def test_opencv_handwritten_digits_sheet(postal_recognizer):
    rng = np.random.default_rng(11)
    pairs = [(code, postal_recognizer.recognize(c).code) for c, code in opencv_digit_canvases(rng)]
    per_digit, per_code = _score(pairs)
    assert per_digit >= 0.97, per_digit
    assert per_code >= 0.85, per_code


def test_mnist_test_reads_at_least_99_percent_as_the_card_says(postal_recognizer, mnist):
    """The shipped model on MNIST test as it is (argmax of all eleven outputs, "not a digit"
    included): at least 99 %, and the card states that same figure."""
    import json

    from tests.support.model_files import SHIPPED_MODEL

    x = mnist["x_test"].astype(np.float32)[..., None] / 255.0
    outputs = np.vstack(
        [postal_recognizer.predictor(x[k : k + 1000]) for k in range(0, len(x), 1000)]
    )
    right = float((outputs.argmax(axis=1) == mnist["y_test"]).mean())
    assert right >= 0.99, right
    card = json.loads(SHIPPED_MODEL.with_suffix(".card.json").read_text(encoding="utf-8"))
    assert card["mnist_test_accuracy"] == pytest.approx(right, abs=5e-5)
