"""Real mail: the USPS ZIP-code digits (LeCun et al. 1989), drawn the way the canvas holds them.

`zip.train.gz` (see the shared data's `datasets/usps/SOURCES.md`) is gzip'd text, one digit a
line: the label, then 256 grey values of a 16×16 image from -1 (paper) to 1 (ink). The digits were
deslanted and stretched to fill the 16×16 frame. Here each frame is scaled as a whole (its aspect
ratio kept) to the height a user draws at and put into a 100×100 box of white paper, so that the
app's own preprocessing (`core.digits.normalize_digit`: the ink's bounding box fitted into 20×20,
centred by centre of mass) sees it as it sees a drawing.

The file has no writer or envelope ids, and neighbouring lines come from the same pieces of mail,
so the groups for cross-validation are contiguous blocks (`usps_folds`), never a shuffle.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import cv2
import numpy as np

from vision_agent.core.errors import UserError
from vision_agent.training.pen_digits import BOX

USPS_SIDE = 16
USPS_FOLDS = 5
USPS_HEIGHT = 64  # the check draws them 64 px tall
TRAINED_FOLDS = (0, 1, 2)  # the shipped model's; set before training, never tuned
KEPT_OUT_FOLDS = (3, 4)  # for choosing the unsure rule and for the held-out figures
# The ways real mail is drawn for the checks: (height in canvas pixels, pen change in pixels).
USPS_WAYS = {"64 px": (64, 0), "small (40 px)": (40, 0), "thick pen (+2 px)": (64, 2)}


def read_usps(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(n, 16, 16) uint8 ink (0 = paper, 255 = full ink) and (n,) labels 0–9, in file order."""
    try:
        with gzip.open(path, "rt", encoding="ascii") as text:
            rows = np.loadtxt(text, dtype=np.float64, ndmin=2)
    except (OSError, ValueError, EOFError, UnicodeDecodeError) as exc:
        raise UserError(f"{path} is not a USPS zip file (gzip'd text rows): {exc}") from None
    if rows.shape[1] != 1 + USPS_SIDE * USPS_SIDE or not len(rows):
        raise UserError(f"{path}: rows of {rows.shape[1]} numbers, not a label and 256 values.")
    labels = rows[:, 0]
    if not np.all(np.isin(labels, np.arange(10))) or not np.isfinite(rows).all():
        raise UserError(f"{path}: labels outside 0–9 or values that are not numbers.")
    grey = np.clip((rows[:, 1:] + 1.0) * 127.5, 0, 255)
    return np.round(grey).astype(np.uint8).reshape(-1, USPS_SIDE, USPS_SIDE), labels.astype(int)


def usps_folds(count: int, folds: int = USPS_FOLDS) -> np.ndarray:
    """The fold (0..folds-1) of each of `count` digits: contiguous blocks in file order."""
    return np.minimum(np.arange(count) * folds // max(count, 1), folds - 1)


def usps_box(
    image: np.ndarray,
    height: float = USPS_HEIGHT,
    offset: tuple[int, int] = (0, 0),
    pen_change: int = 0,
) -> np.ndarray:
    """A USPS frame scaled to `height` canvas pixels (aspect kept) on a 100×100 box of paper;
    `pen_change` pixels thicken (> 0) or thin (< 0) its strokes as another pen would."""
    side = round(min(height, BOX - 8))
    ink = cv2.resize(image, (side, side), interpolation=cv2.INTER_LINEAR)
    if pen_change:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(pen_change) + 1,) * 2)
        changed = cv2.dilate(ink, kernel) if pen_change > 0 else cv2.erode(ink, kernel)
        ink = changed if (changed >= 128).sum() >= 12 else ink
    box = np.full((BOX, BOX), 255, np.uint8)
    slack = (BOX - side) // 2 - 4
    dx, dy = (int(np.clip(v, -slack, slack)) for v in offset)
    top, left = (BOX - side) // 2 + dy, (BOX - side) // 2 + dx
    box[top : top + side, left : left + side] = 255 - ink
    return box


def kept_out_usps_inputs(
    path: str | Path, trained_folds: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """The app's 28×28 inputs (n, 28, 28, 1) and labels of the folds not trained on, drawn
    64 px tall in the middle of a box."""
    from vision_agent.training.digit_corpus import normalized_box

    frames, labels = read_usps(path)
    kept = ~np.isin(usps_folds(len(labels)), trained_folds)
    inputs = [normalized_box(usps_box(frame)) for frame in frames[kept]]
    present = np.array([x is not None for x in inputs])
    x = np.array([x for x in inputs if x is not None], np.float32)[..., None]
    return x, labels[kept][present]
