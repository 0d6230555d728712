"""Real pen-written digits (UCI pen-digits) read from their files and drawn as the canvas draws.

Two formats (see `datasets/pendigits/SOURCES.md` of the shared data):
- the original UNIPEN trajectories (`.tes`): every stroke and point of each digit, tablet
  coordinates 0..500 with y pointing up;
- the preprocessed rows (`.tra`): 8 points resampled along the whole trajectory (strokes joined),
  scaled to 0..100, y up, then the label.

`render_digit` draws a digit's strokes the way the postal tab's canvas draws mouse strokes (black
round-capped polylines through whole-pixel points, anti-aliased) into a 100×100 box of white paper,
so that the measurement and the training images pass through exactly the app's preprocessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

Stroke = np.ndarray  # (n, 2) float, x right, y down


@dataclass(frozen=True)
class PenDigit:
    label: int
    writer: int
    strokes: tuple[Stroke, ...]


def read_unipen(path: str | Path) -> list[PenDigit]:
    """Every digit of a UNIPEN file, in file order, with y flipped to point down."""
    digits: list[PenDigit] = []
    label = writer = -1
    strokes: list[Stroke] = []
    points: list[tuple[float, float]] | None = None

    def close_digit() -> None:
        if label >= 0 and strokes:
            digits.append(PenDigit(label, writer, tuple(strokes)))

    for line in Path(path).read_text(encoding="ascii", errors="replace").splitlines():
        fields = line.split()
        if not fields:
            continue
        if fields[0] == ".SEGMENT":
            close_digit()
            label, writer, strokes = int(fields[-1].strip('"')), -1, []
        elif fields[0] == ".COMMENT" and len(fields) >= 3:
            writer = int(fields[2])
        elif fields[0] == ".PEN_DOWN":
            points = []
        elif fields[0] == ".PEN_UP" and points is not None:
            if points:
                stroke = np.array(points, np.float64)
                stroke[:, 1] *= -1
                strokes.append(stroke)
            points = None
        elif points is not None and len(fields) == 2 and fields[0].lstrip("-").isdigit():
            points.append((float(fields[0]), float(fields[1])))
    close_digit()
    return digits


def read_resampled(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """The `.tra` rows as (n, 8, 2) points (x right, y down, 0..100) and (n,) labels."""
    rows = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
    points = rows[:, :16].reshape(-1, 8, 2)
    points[:, :, 1] = 100.0 - points[:, :, 1]
    return points, rows[:, 16].astype(np.int64)


def smooth_curve(points: np.ndarray, per_segment: int = 8) -> np.ndarray:
    """A Catmull-Rom curve through `points` (n, 2): the pen's path between resampled points."""
    padded = np.vstack([points[:1], points, points[-1:]])
    t = np.linspace(0.0, 1.0, per_segment, endpoint=False)[:, None]
    pieces = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        pieces.append(
            0.5
            * (
                2 * p1
                + (p2 - p0) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (3 * p1 - p0 - 3 * p2 + p3) * t**3
            )
        )
    pieces.append(points[-1:])
    return np.vstack(pieces)


@dataclass(frozen=True)
class Placement:
    """How a digit is written into a box: its height and pen in canvas pixels, where it sits.

    `offset` moves the digit's centre from the box's centre (pixels); `slant` shears it (x moves
    by slant × height above the centre); `aspect` stretches its width.
    """

    height: float = 66.0
    pen: int = 8
    offset: tuple[float, float] = (0.0, 0.0)
    slant: float = 0.0
    aspect: float = 1.0


DEFAULT_PLACEMENT = Placement()
BOX = 100


def fit_strokes(strokes: tuple[Stroke, ...], placement: Placement) -> list[np.ndarray]:
    """The strokes scaled to the placement's height and centred (+ offset) in a 100×100 box."""
    every = np.vstack(strokes)
    low, high = every.min(axis=0), every.max(axis=0)
    span = np.maximum(high - low, 1e-6)
    scale = placement.height / span[1]
    width = span[0] * scale * placement.aspect
    if width > BOX - placement.pen - 8:  # wide shapes (a long dash, a flat 7) fit the box width
        scale *= (BOX - placement.pen - 8) / width
    centre = (low + high) / 2
    fitted = []
    for stroke in strokes:
        xy = (stroke - centre) * scale
        xy[:, 0] = xy[:, 0] * placement.aspect - placement.slant * xy[:, 1]
        xy += np.array([BOX / 2, BOX / 2]) + np.array(placement.offset)
        fitted.append(xy)
    return fitted


def render_digit(
    strokes: tuple[Stroke, ...], placement: Placement = DEFAULT_PLACEMENT
) -> np.ndarray:
    """A 100×100 box of white paper (uint8) with the strokes written in black at whole pixels."""
    box = np.full((BOX, BOX), 255, np.uint8)
    draw_strokes(box, fit_strokes(strokes, placement), placement.pen)
    return box


def draw_strokes(paper: np.ndarray, strokes: list[np.ndarray], pen: int) -> None:
    """Black round-capped strokes through whole-pixel points (mouse positions are integers)."""
    for xy in strokes:
        pixels = np.round(xy).astype(np.int32)
        if len(pixels) == 1 or np.all(pixels == pixels[0]):
            cv2.circle(
                paper, tuple(int(v) for v in pixels[0]), max(1, pen // 2), 0, -1, cv2.LINE_AA
            )
        else:
            cv2.polylines(paper, [pixels], False, 0, pen, cv2.LINE_AA)
