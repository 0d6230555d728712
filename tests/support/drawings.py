"""Postal-code canvases for tests: MNIST digits or mouse-like strokes placed in the boxes."""

from __future__ import annotations

import cv2
import numpy as np

from vision_agent.core.postal import box_rect
from vision_agent.training.digit_checks import blank_canvas
from vision_agent.training.stroke_templates import DIGIT_STROKES


def place_mnist_digit(
    canvas: np.ndarray, index: int, digit28: np.ndarray, size: int, dx: int = 0, dy: int = 0
) -> None:
    """Draw an MNIST digit (white on black 28×28) as black ink, scaled to `size`, into box `index`.

    The digit's 28×28 frame is centred in the box, then moved by (dx, dy) pixels.
    """
    x, y, w, h = box_rect(index)
    ink = cv2.resize(digit28, (size, size), interpolation=cv2.INTER_CUBIC)
    left = x + (w - size) // 2 + dx
    top = y + (h - size) // 2 + dy
    region = canvas[top : top + size, left : left + size]
    np.minimum(region, 255 - ink, out=region)


def random_mnist_canvas(
    images: np.ndarray, labels: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, str]:
    """Five random MNIST test digits at random sizes (50-95 px) and offsets -> (canvas, code)."""
    canvas = blank_canvas()
    code = ""
    for index in range(5):
        k = int(rng.integers(len(images)))
        size = int(rng.integers(50, 96))
        slack = (100 - size) // 2 - 3
        dx, dy = (int(v) for v in rng.integers(-slack, slack + 1, size=2)) if slack > 0 else (0, 0)
        place_mnist_digit(canvas, index, images[k], size, dx, dy)
        code += str(int(labels[k]))
    return canvas, code


# --- mouse-like handwriting -------------------------------------------------------------------
# Each digit is written as one or more strokes through control points in a unit box (x right,
# y down), in the shapes people draw with a mouse. Writers differ by jitter, slant, proportions,
# size, position and pen width.


def draw_handwritten_digit(
    canvas: np.ndarray, index: int, digit: int, rng: np.random.Generator
) -> None:
    """Write `digit` into box `index` as a random mouse writer would."""
    variants = DIGIT_STROKES[digit]
    strokes = variants[int(rng.integers(len(variants)))]
    height = float(rng.uniform(42, 90))
    width = height * float(rng.uniform(0.55, 0.85))
    slant = float(rng.uniform(-0.25, 0.25))
    angle = np.radians(rng.uniform(-8, 8))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    pen = int(rng.integers(5, 13))
    x, y, w, h = box_rect(index)
    margin = pen // 2 + 4
    left = x + margin + float(rng.uniform(0, max(0.0, w - 2 * margin - width)))
    top = y + margin + float(rng.uniform(0, max(0.0, h - 2 * margin - height)))
    for stroke in strokes:
        points = np.array(stroke, dtype=np.float64)
        points = points + rng.normal(0, 0.025, points.shape)
        points[:, 0] += slant * (0.5 - points[:, 1])
        points = (points - 0.5) @ rotation.T + 0.5
        pixels = np.column_stack([left + points[:, 0] * width, top + points[:, 1] * height])
        pixels = np.clip(pixels, [x + 2, y + 2], [x + w - 3, y + h - 3])
        cv2.polylines(
            canvas, [np.round(pixels * 4).astype(np.int32)], False, 0, pen, cv2.LINE_AA, shift=2
        )


def random_handwritten_canvas(rng: np.random.Generator) -> tuple[np.ndarray, str]:
    canvas = blank_canvas()
    code = "".join(str(int(d)) for d in rng.integers(0, 10, size=5))
    for index, char in enumerate(code):
        draw_handwritten_digit(canvas, index, int(char), rng)
    return canvas, code
