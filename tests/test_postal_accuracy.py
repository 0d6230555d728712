"""Accuracy on digits written by people who are not MNIST writers.

Two independent checks, both through the same path the tab uses (canvas -> boxes -> model):
mouse-like handwriting (strokes with per-writer jitter, slant, size, position and pen width;
see tests/drawings.py), and OpenCV's handwritten `digits.png` (Debian `opencv-doc`; skipped when
not installed — `.ci/run` provides it) placed at random sizes, thicknesses and positions.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.drawings import blank_canvas, random_handwritten_canvas
from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer, box_rect

OPENCV_DIGITS = (
    Path(os.environ.get("VISION_AGENT_OPENCV_DATA", "/usr/share/doc/opencv-doc/examples/data"))
    / "digits.png"
)


@pytest.fixture(scope="module")
def recognizer() -> PostalRecognizer:
    return PostalRecognizer.from_file(SHIPPED_MODEL)


def _score(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    digits = sum(a == b for truth, read in pairs for a, b in zip(truth, read, strict=True))
    return digits / (5 * len(pairs)), sum(t == r for t, r in pairs) / len(pairs)


def test_mouse_handwriting_meets_the_targets(recognizer):
    rng = np.random.default_rng(2026)
    pairs = []
    for _ in range(300):
        canvas, code = random_handwritten_canvas(rng)
        pairs.append((code, recognizer.recognize(canvas).code))
    per_digit, per_code = _score(pairs)
    assert per_digit >= 0.99, per_digit
    assert per_code >= 0.95, per_code


def opencv_digit_cells() -> tuple[np.ndarray, np.ndarray]:
    """digits.png: 50 rows × 100 columns of 20×20 cells, 500 per digit, white on black."""
    sheet = cv2.imread(str(OPENCV_DIGITS), cv2.IMREAD_GRAYSCALE)
    cells = sheet.reshape(50, 20, 100, 20).swapaxes(1, 2).reshape(-1, 20, 20)
    labels = np.repeat(np.arange(10), 500)
    return cells, labels


def place_cell(canvas: np.ndarray, index: int, cell: np.ndarray, rng: np.random.Generator) -> None:
    size = int(rng.integers(45, 96))
    ink = cv2.resize(cell, (size, size), interpolation=cv2.INTER_CUBIC)
    thickness = int(rng.integers(-1, 3))
    if thickness:
        kernel = np.ones((abs(thickness) * 2 + 1,) * 2, np.uint8)
        ink = cv2.dilate(ink, kernel) if thickness > 0 else cv2.erode(ink, kernel)
    x, y, w, h = box_rect(index)
    slack = (w - size) // 2 - 3
    dx, dy = rng.integers(-slack, slack + 1, size=2) if slack > 0 else (0, 0)
    left, top = x + (w - size) // 2 + dx, y + (h - size) // 2 + dy
    region = canvas[top : top + size, left : left + size]
    np.minimum(region, 255 - ink, out=region)


def opencv_digit_canvases(rng: np.random.Generator) -> Iterator[tuple[np.ndarray, str]]:
    """All 5000 digits of digits.png, shuffled, five to a canvas: (canvas, true code)."""
    cells, labels = opencv_digit_cells()
    order = rng.permutation(len(cells))
    for start in range(0, len(order) - 4, 5):
        canvas = blank_canvas()
        picked = order[start : start + 5]
        for index, k in enumerate(picked):
            place_cell(canvas, index, cells[k], rng)
        yield canvas, "".join(str(labels[k]) for k in picked)


@pytest.mark.skipif(not OPENCV_DIGITS.is_file(), reason="opencv-doc digits.png not installed")
def test_opencv_handwritten_digits_sheet(recognizer):
    rng = np.random.default_rng(11)
    pairs = [(code, recognizer.recognize(c).code) for c, code in opencv_digit_canvases(rng)]
    per_digit, per_code = _score(pairs)
    assert per_digit >= 0.97, per_digit
    assert per_code >= 0.85, per_code
