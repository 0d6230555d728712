"""The checks a digit model is measured on, each through the app's own canvas preprocessing.

- real writers: pen trajectories of writers kept out of training (`pendigits-orig-*.tes`),
  drawn into the canvas boxes at a placement (default pen 8 px, digits 66 px tall), read in the
  writer's own order five at a time as postal codes;
- OpenCV's handwritten `digits.png` (Debian `opencv-doc`): 5000 20×20 cells placed in boxes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vision_agent.core.postal import BOX_COUNT, CANVAS_HEIGHT, CANVAS_WIDTH, box_rect
from vision_agent.training.digit_corpus import normalized_box
from vision_agent.training.pen_digits import (
    DEFAULT_PLACEMENT,
    PenDigit,
    Placement,
    read_unipen,
    render_digit,
)

OPENCV_DIGITS = (
    Path(os.environ.get("VISION_AGENT_OPENCV_DATA", "/usr/share/doc/opencv-doc/examples/data"))
    / "digits.png"
)

# How the real-writer check draws: the tab's default, then the harder ways people write.
VARIANTS: dict[str, Placement] = {
    "default (pen 8, 66 px)": DEFAULT_PLACEMENT,
    "small (40 px)": Placement(height=40),
    "thick (pen 14)": Placement(pen=14),
    "thin (pen 4)": Placement(pen=4),
    "off-centre (52 px)": Placement(height=52, offset=(18, 17)),
}


@dataclass(frozen=True)
class WriterCodes:
    """One writer's digits drawn as five-digit codes, in the order they were written."""

    writer: int
    canvases: list[np.ndarray]
    codes: list[str]


def blank_canvas() -> np.ndarray:
    return np.full((CANVAS_HEIGHT, CANVAS_WIDTH), 255, np.uint8)


def canvas_of(boxes: list[np.ndarray]) -> np.ndarray:
    """A canvas with these 100×100 boxes of paper in boxes 0, 1, … in turn."""
    canvas = blank_canvas()
    for index, box in enumerate(boxes):
        x, y, w, h = box_rect(index)
        canvas[y : y + h, x : x + w] = box
    return canvas


def offset_for(index: int, placement: Placement) -> Placement:
    """Off-centre placements point a different way in each box (corners in turn)."""
    dx, dy = placement.offset
    if not dx and not dy:
        return placement
    signs = [(1, 1), (-1, -1), (1, -1), (-1, 1), (1, 1)][index % 5]
    return Placement(
        placement.height, placement.pen, (dx * signs[0], dy * signs[1]), placement.slant
    )


def writer_codes(
    digits: list[PenDigit], placement: Placement = DEFAULT_PLACEMENT
) -> list[WriterCodes]:
    """Each writer's digits, five at a time in writing order, drawn onto canvases."""
    by_writer: dict[int, list[PenDigit]] = {}
    for digit in digits:
        by_writer.setdefault(digit.writer, []).append(digit)
    result = []
    for writer, own in sorted(by_writer.items()):
        canvases, codes = [], []
        for start in range(0, len(own) - BOX_COUNT + 1, BOX_COUNT):
            group = own[start : start + BOX_COUNT]
            boxes = [render_digit(d.strokes, offset_for(i, placement)) for i, d in enumerate(group)]
            canvases.append(canvas_of(boxes))
            codes.append("".join(str(d.label) for d in group))
        result.append(WriterCodes(writer, canvases, codes))
    return result


def real_writer_inputs(
    path: str | Path, placement: Placement = DEFAULT_PLACEMENT
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every digit of a trajectory file as the app's 28×28 input: (inputs, labels, writers)."""
    digits = read_unipen(path)
    inputs = [normalized_box(render_digit(d.strokes, placement)) for d in digits]
    kept = [i for i, x in enumerate(inputs) if x is not None]
    x = np.array([inputs[i] for i in kept], np.float32)[..., None]
    labels = np.array([digits[i].label for i in kept])
    writers = np.array([digits[i].writer for i in kept])
    return x, labels, writers


def opencv_digit_cells(path: Path = OPENCV_DIGITS) -> tuple[np.ndarray, np.ndarray]:
    """digits.png: 50 rows × 100 columns of 20×20 cells, 500 per digit, white on black."""
    sheet = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    cells = sheet.reshape(50, 20, 100, 20).swapaxes(1, 2).reshape(-1, 20, 20)
    return cells, np.repeat(np.arange(10), 500)


def place_cell(canvas: np.ndarray, index: int, cell: np.ndarray, rng: np.random.Generator) -> None:
    """A digits.png cell as black ink at a random size, thickness and position in box `index`."""
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


def opencv_digit_canvases(
    rng: np.random.Generator, path: Path = OPENCV_DIGITS
) -> list[tuple[np.ndarray, str]]:
    """All 5000 digits of digits.png, shuffled, five to a canvas: (canvas, true code)."""
    cells, labels = opencv_digit_cells(path)
    order = rng.permutation(len(cells))
    result = []
    for start in range(0, len(order) - BOX_COUNT + 1, BOX_COUNT):
        canvas = blank_canvas()
        picked = order[start : start + BOX_COUNT]
        for index, k in enumerate(picked):
            place_cell(canvas, index, cells[k], rng)
        result.append((canvas, "".join(str(labels[k]) for k in picked)))
    return result
