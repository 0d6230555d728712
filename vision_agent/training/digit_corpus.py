"""Training images for the postal-code digit model, each made the way the app will see it.

Every image is drawn into a 100×100 box of white paper at a random size, pen width, slant and
position — as a user draws on the canvas — and then goes through the app's own preprocessing
(`core.digits.normalize_digit`), so the network learns from exactly what it will be given:
- MNIST digits, cut out, scaled, re-inked with thinner or thicker pens (and some as they are);
- real pen trajectories of 30 writers (`pendigits.tra`: 8 points each, drawn as smooth curves);
- real mail: USPS ZIP-code digits (`usps.py`), scaled as a whole to a user's size, re-inked;
- stroke templates of the ways people write digits (`stroke_templates.py`: one-stroke 4s, tiny
  9 loops, flagged 1s, crossed 7s …), jittered;
- ink that is no digit (class 10): dashes, dots, zigzags, scribbles, crosses and letters;
- optionally, digits of the sources above as a form scanner leaves them (`scanned_frame`: cut
  out, stretched to fill a square or scaled 32 tall, sometimes thickened as a broad pen,
  thresholded to black and white), then drawn as real mail is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from vision_agent.core.digit_status import DIGIT_CLASSES
from vision_agent.core.digits import MNIST_SIZE, ink_from_gray, normalize_digit
from vision_agent.core.handwriting_profile import NOT_A_DIGIT_LABEL
from vision_agent.training.pen_digits import (
    BOX,
    Placement,
    draw_strokes,
    fit_strokes,
    smooth_curve,
)
from vision_agent.training.stroke_templates import DIGIT_STROKES, ellipse
from vision_agent.training.usps import usps_box

CLASS_COUNT = DIGIT_CLASSES + 1  # the ten digits and 'not a digit'
MARGIN = 3  # the app ignores 3 px inside each box edge
PEN_RANGE = (3, 15)  # canvas pixels, upper bound exclusive
SIZE_RANGE = (34.0, 86.0)  # the digit's larger side in canvas pixels
# Letters that no digit resembles closely (no O, I, l, S, Z, B, G, q, g, b, T, J …).
LETTERS = "AEFHKMNRWXYkmnwxh#*%+"


@dataclass(frozen=True)
class CorpusSizes:
    """How many images of each source go into one epoch."""

    mnist: int = 40000
    pen_rows: int = 7494 * 3
    templates: int = 8000
    non_digits: int = 10000
    usps: int = 12000
    bitmaps: int = 8000  # other writers' scanned bitmaps (`uci_bitmaps`), when given
    mnist_as_is: int = 20000  # MNIST digits as they are (already MNIST-normalised), not redrawn
    scanned: int = 0  # MNIST, pen-row and USPS digits as scanned forms (`scanned_frame`)

    def scaled(self, share: float) -> CorpusSizes:
        """Every source's count times `share` (a shorter epoch, e.g. for fine-tuning)."""
        return CorpusSizes(**{k: round(v * share) for k, v in dataclasses.asdict(self).items()})


def normalized_box(box: np.ndarray) -> np.ndarray | None:
    """The app's 28×28 input for a 100×100 box of paper (None when it holds no ink)."""
    return normalize_digit(ink_from_gray(box[MARGIN : BOX - MARGIN, MARGIN : BOX - MARGIN]))


def drawn_inputs(
    sources: np.ndarray,
    labels: np.ndarray,
    draw: Callable[[np.ndarray, np.random.Generator], np.ndarray],
    copies: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Each source drawn `copies` times by `draw` into a box and cut by the app's preprocessing:
    (N×28×28×1 inputs in 0..1, their labels); a box left without ink is dropped."""
    inputs, kept = [], []
    for _ in range(copies):
        for source, label in zip(sources, labels, strict=True):
            box = normalized_box(draw(source, rng))
            if box is not None:
                inputs.append(box)
                kept.append(label)
    return np.array(inputs, np.float32)[..., None], np.array(kept)


def random_placement(
    strokes: list[np.ndarray], rng: np.random.Generator, slant: bool = True
) -> tuple[list[np.ndarray], int]:
    """Strokes at a random size, pen, slant, stretch and position inside the box."""
    every = np.vstack(strokes)
    span = np.maximum(every.max(axis=0) - every.min(axis=0), 1e-6)
    size = float(rng.uniform(*SIZE_RANGE))
    pen = int(rng.integers(*PEN_RANGE))
    placement = Placement(
        height=max(size * span[1] / span.max(), 1e-3),
        pen=pen,
        slant=float(rng.uniform(-0.35, 0.35)) if slant else 0.0,
        aspect=float(rng.uniform(0.7, 1.3)),
    )
    fitted = fit_strokes(tuple(strokes), placement)
    every = np.vstack(fitted)
    reach = pen / 2 + MARGIN + 1
    low_shift = reach - every.min(axis=0)
    high_shift = BOX - reach - every.max(axis=0)
    shift = np.where(
        high_shift > low_shift, rng.uniform(low_shift, np.maximum(high_shift, low_shift)), 0.0
    )
    return [xy + shift for xy in fitted], pen


def drawn(strokes: list[np.ndarray], rng: np.random.Generator, slant: bool = True) -> np.ndarray:
    box = np.full((BOX, BOX), 255, np.uint8)
    placed, pen = random_placement(strokes, rng, slant)
    draw_strokes(box, placed, pen)
    return box


def _jittered(template: list[list[tuple[float, float]]], rng: np.random.Generator, sigma: float):
    strokes = []
    for stroke in template:
        points = np.array(stroke, np.float64)
        points = points + rng.normal(0, sigma, points.shape)
        strokes.append(points)
    return strokes


def template_digit(label: int, rng: np.random.Generator) -> np.ndarray:
    variants = DIGIT_STROKES[label]
    template = variants[int(rng.integers(len(variants)))]
    return drawn(_jittered(template, rng, 0.03), rng)


def pen_row_digit(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    jittered = points + rng.normal(0, 1.2, points.shape)
    return drawn([smooth_curve(jittered)], rng)


def mnist_digit(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An MNIST digit cut out, scaled to a canvas size, re-inked with a random pen, on paper."""
    ys, xs = np.nonzero(image > 40)
    digit = image[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    size = float(rng.uniform(*SIZE_RANGE))
    scale = size / max(digit.shape)
    scale = min(scale, (BOX - 2 * MARGIN - 16) / max(digit.shape))
    ink = cv2.resize(digit, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    # MNIST strokes are about 2.5 px wide at 20 px: at this scale ~2.5·scale/1.4. Re-ink to a pen.
    native = 2.5 * scale / 1.4 * (20 / max(digit.shape))
    pen = int(rng.integers(*PEN_RANGE))
    mask = (ink > 100).astype(np.uint8)
    change = round((pen - native) / 2)
    if change:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(change) + 1,) * 2)
        mask = cv2.dilate(mask, kernel) if change > 0 else cv2.erode(mask, kernel)
        if not mask.any():
            mask = (ink > 100).astype(np.uint8)
    ink = cv2.GaussianBlur(mask * 255, (3, 3), 0)
    box = np.full((BOX, BOX), 255, np.uint8)
    h, w = ink.shape
    h, w = min(h, BOX - 2 * MARGIN - 2), min(w, BOX - 2 * MARGIN - 2)
    top = int(rng.integers(MARGIN + 1, BOX - MARGIN - h))
    left = int(rng.integers(MARGIN + 1, BOX - MARGIN - w))
    box[top : top + h, left : left + w] = 255 - ink[:h, :w]
    return box


def usps_digit(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A USPS frame at a random canvas size, pen and place in the box."""
    height = float(rng.uniform(*SIZE_RANGE))
    slack = int((BOX - height) // 2)
    offset = (int(rng.integers(-slack, slack + 1)), int(rng.integers(-slack, slack + 1)))
    return usps_box(image, height, offset, int(rng.integers(-1, 4)))


SCAN_SQUARE = 16  # a frame stretched to fill this square (aspect lost), as Semeion's
SCAN_TALL = 32  # a frame scaled this tall, aspect kept, as optdigits'


def scanned_frame(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`ink` (0 paper .. 255 ink, any size) as a form scanner leaves a digit: its ink box cut
    out and either stretched to fill a 16×16 square or scaled 32 tall (aspect kept, centred in
    32×32); half the time thickened by a pixel as a broad pen; thresholded at a random level to
    0/255 (the lightest ink kept when the threshold would leave none)."""
    ys, xs = np.nonzero(ink > 40)
    digit = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    if rng.random() < 0.5:
        frame = cv2.resize(digit, (SCAN_SQUARE, SCAN_SQUARE), interpolation=cv2.INTER_AREA)
    else:
        h, w = digit.shape
        scale = SCAN_TALL / max(h, w)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        fitted = cv2.resize(digit, size, interpolation=cv2.INTER_AREA)
        frame = np.zeros((SCAN_TALL, SCAN_TALL), np.uint8)
        top, left = (SCAN_TALL - size[1]) // 2, (SCAN_TALL - size[0]) // 2
        frame[top : top + size[1], left : left + size[0]] = fitted
    if rng.random() < 0.5:
        frame = cv2.dilate(frame, np.ones((2, 2), np.uint8))
    level = float(rng.uniform(60, 190))
    if not (frame >= level).any():
        level = float(frame.max())
    return np.where(frame >= level, 255, 0).astype(np.uint8)


def scanned_digit(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A digit's ink as a scanned form (`scanned_frame`), drawn in a box as real mail is."""
    return usps_digit(scanned_frame(ink, rng), rng)


def _dash(rng: np.random.Generator) -> list[np.ndarray]:
    angle = np.radians(rng.uniform(-15, 15))
    return [np.array([[0.0, 0.0], [np.cos(angle), np.sin(angle)]])]


def _dot(rng: np.random.Generator) -> list[np.ndarray]:
    if rng.random() < 0.5:
        return [np.zeros((1, 2))]
    loops = ellipse(0, 0, 1, 1, 0, 360 * int(rng.integers(2, 5)), 40)
    return [np.array(loops) * rng.uniform(0.3, 1.0, size=(40, 1))]  # a filled blob


def _zigzag(rng: np.random.Generator) -> list[np.ndarray]:
    n = int(rng.integers(4, 9))
    xs = np.linspace(0, 1, n + 1)
    ys = np.where(np.arange(n + 1) % 2 == 0, 0.0, rng.uniform(0.3, 1.0))
    points = np.column_stack([xs, ys]) + rng.normal(0, 0.03, (n + 1, 2))
    return [points if rng.random() < 0.7 else points[:, ::-1]]


def _scribble(rng: np.random.Generator) -> list[np.ndarray]:
    return [smooth_curve(rng.uniform(0, 1, (int(rng.integers(12, 22)), 2)))]


def _cross(rng: np.random.Generator) -> list[np.ndarray]:
    a = rng.uniform(-0.1, 0.1, 4)
    if rng.random() < 0.5:  # ×
        return [np.array([[0, 0], [1, 1 + a[0]]]), np.array([[1, a[1]], [a[2], 1]])]
    return [np.array([[0, 0.5 + a[0]], [1, 0.5 + a[1]]]), np.array([[0.5 + a[2], 0], [0.5, 1]])]


def _letter(rng: np.random.Generator) -> np.ndarray:
    fonts = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX)
    font = fonts[int(rng.integers(len(fonts)))]
    text = LETTERS[int(rng.integers(len(LETTERS)))]
    pen = int(rng.integers(*PEN_RANGE))
    scale = float(rng.uniform(1.2, 2.6))
    (w, h), _ = cv2.getTextSize(text, font, scale, pen)
    box = np.full((BOX, BOX), 255, np.uint8)
    x = int(rng.integers(MARGIN + 2, max(MARGIN + 3, BOX - MARGIN - w - 2)))
    y = int(rng.integers(min(h + MARGIN + 2, BOX - MARGIN - 3), BOX - MARGIN - 2))
    cv2.putText(box, text, (x, y), font, scale, 0, pen, cv2.LINE_AA)
    return box


NON_DIGIT_SHAPES: tuple[Callable[[np.random.Generator], list[np.ndarray]], ...] = (
    _dash,
    _dot,
    _zigzag,
    _scribble,
    _cross,
)


def non_digit(rng: np.random.Generator) -> np.ndarray:
    kind = int(rng.integers(len(NON_DIGIT_SHAPES) + 1))
    if kind == len(NON_DIGIT_SHAPES):
        return _letter(rng)
    return drawn(NON_DIGIT_SHAPES[kind](rng), rng, slant=kind not in (0, 1))


def build_epoch(
    mnist_images: np.ndarray,
    mnist_labels: np.ndarray,
    pen_points: np.ndarray | None,
    pen_labels: np.ndarray | None,
    rng: np.random.Generator,
    sizes: CorpusSizes = CorpusSizes(),
    usps: tuple[np.ndarray, np.ndarray] | None = None,
    bitmaps: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One epoch of freshly drawn images: (n, 28, 28, 1) uint8 and (n,) labels 0..10, shuffled.
    `usps`: USPS frames and labels to draw from (none: no real mail in this epoch); `bitmaps`:
    other scanned frames and labels, drawn the same way (none: none in this epoch)."""
    boxes: list[tuple[np.ndarray, int]] = []
    for frames, count in ((usps, sizes.usps), (bitmaps, sizes.bitmaps)):
        if frames is not None and len(frames[1]):
            for k in rng.choice(len(frames[1]), count):
                boxes.append((usps_digit(frames[0][k], rng), int(frames[1][k])))
    for k in rng.choice(len(mnist_images), sizes.mnist, replace=sizes.mnist > len(mnist_images)):
        boxes.append((mnist_digit(mnist_images[k], rng), int(mnist_labels[k])))
    pen_ok = pen_points is not None and pen_labels is not None and len(pen_points)
    if pen_ok:
        for k in rng.choice(len(pen_points), sizes.pen_rows):
            boxes.append((pen_row_digit(pen_points[k], rng), int(pen_labels[k])))
    usps_ok = usps is not None and len(usps[1])
    for kind in rng.integers(0, 3, sizes.scanned):  # MNIST, pen rows, real mail in turn
        if kind == 1 and pen_ok:
            k = int(rng.integers(len(pen_points)))
            ink = 255 - pen_row_digit(pen_points[k], rng)
            label = int(pen_labels[k])
        elif kind == 2 and usps_ok:
            k = int(rng.integers(len(usps[1])))
            ink, label = usps[0][k], int(usps[1][k])
        else:
            k = int(rng.integers(len(mnist_images)))
            ink, label = mnist_images[k], int(mnist_labels[k])
        boxes.append((scanned_digit(ink, rng), label))
    for label in rng.integers(0, 10, sizes.templates):
        boxes.append((template_digit(int(label), rng), int(label)))
    for _ in range(sizes.non_digits):
        boxes.append((non_digit(rng), NOT_A_DIGIT_LABEL))
    images = np.zeros((len(boxes), MNIST_SIZE, MNIST_SIZE), np.uint8)
    labels = np.zeros(len(boxes), np.int64)
    kept = 0
    for box, label in boxes:
        normalized = normalized_box(box)
        if normalized is None:
            continue
        images[kept] = np.round(normalized * 255)
        labels[kept] = label
        kept += 1
    picked = rng.choice(len(mnist_images), sizes.mnist_as_is)
    images = np.concatenate([images[:kept], mnist_images[picked].astype(np.uint8)])
    labels = np.concatenate([labels[:kept], mnist_labels[picked].astype(np.int64)])
    order = rng.permutation(len(labels))
    return images[order][..., None], labels[order]
