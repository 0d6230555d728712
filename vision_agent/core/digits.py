"""MNIST-style normalisation of one hand-drawn digit.

MNIST digits were size-normalised to fit a 20×20 box (keeping their aspect ratio, anti-aliased)
and then placed in a 28×28 image so that their centre of mass lies at the centre. The course's
program resized the whole box to 28×28 instead, which ruins small or off-centre digits. Here the
ink of a box is found, fitted into 20×20, and centred by centre of mass: white on black, 0..1.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MNIST_SIZE = 28
MNIST_FIT = 20
INK_THRESHOLD = 64  # ink darker than paper by this much (0..255) counts as a stroke
MIN_INK_PIXELS = 12
MIN_INK_EXTENT = 6  # pixels: a dot smaller than this in both directions is a speck, not a digit
# Where MNIST puts the centre of mass: measured on the 10,000 test digits, (row, column) has
# mean (13.99, 14.01) and spread 0.29 — pixel (14, 14), not the geometric centre 13.5.
MNIST_CENTER_OF_MASS = 14.0


def ink_from_gray(gray: np.ndarray) -> np.ndarray:
    """Ink intensity (0 = paper, 255 = black ink) from a grayscale crop of white paper."""
    return 255 - gray.astype(np.uint8)


def has_digit(ink: np.ndarray) -> bool:
    return _ink_bounds(ink) is not None


def _ink_bounds(ink: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) of the strokes in a box; None when there are too few or they
    are too small to be a digit."""
    mask = ink >= INK_THRESHOLD
    if np.count_nonzero(mask) < MIN_INK_PIXELS:
        return None
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    return None if max(bottom - top, right - left) < MIN_INK_EXTENT else (top, bottom, left, right)


@dataclass(frozen=True)
class DigitSteps:
    """What normalisation makes of one box, step by step (shown in "Inside the network").

    `crop`: the ink's bounding box (uint8, 0 = paper, its own size); `fitted`: that crop fitted
    into 20×20 and placed in the middle of a 28×28 image (float32, ink 0..255); `centered`:
    moved so its centre of mass is at MNIST's and scaled to 0..1, which is the model's input.
    """

    crop: np.ndarray
    fitted: np.ndarray
    centered: np.ndarray


def normalize_digit(ink: np.ndarray) -> np.ndarray | None:
    """An ink crop (uint8, 0 = paper) as a 28×28 float32 MNIST-style input; None if blank."""
    steps = normalize_digit_steps(ink)
    return None if steps is None else steps.centered


def normalize_digit_steps(ink: np.ndarray) -> DigitSteps | None:
    """`normalize_digit` with its intermediate images; None if the box is blank."""
    bounds = _ink_bounds(ink)
    if bounds is None:
        return None
    top, bottom, left, right = bounds
    crop = ink[top:bottom, left:right]
    digit = crop.astype(np.float32)
    h, w = digit.shape
    scale = MNIST_FIT / max(h, w)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    fitted = cv2.resize(digit, (new_w, new_h), interpolation=interpolation)
    canvas = np.zeros((MNIST_SIZE, MNIST_SIZE), np.float32)
    y0, x0 = (MNIST_SIZE - new_h) // 2, (MNIST_SIZE - new_w) // 2
    canvas[y0 : y0 + new_h, x0 : x0 + new_w] = fitted
    centered = _center_by_mass(canvas)
    peak = float(centered.max())
    if peak > 0:
        centered = np.clip(centered / peak, 0.0, 1.0)
    return DigitSteps(crop.copy(), canvas, centered)


def _center_by_mass(image: np.ndarray) -> np.ndarray:
    total = float(image.sum())
    if total <= 0:
        return image
    ys, xs = np.indices(image.shape)
    cy, cx = float((ys * image).sum() / total), float((xs * image).sum() / total)
    center = MNIST_CENTER_OF_MASS
    shift = np.float32([[1, 0, center - cx], [0, 1, center - cy]])
    return cv2.warpAffine(
        image, shift, (MNIST_SIZE, MNIST_SIZE), flags=cv2.INTER_LINEAR, borderValue=0.0
    )


# What a drawing looks like: the tab's PNGs (and MNIST or handwritten test canvases) are >= 91 %
# light neutral paper, no colour and <= 2.4 % grey; each of the 45 test photos breaks one rule.
MIN_PAPER_SHARE = 0.6
MAX_COLOUR_SHARE = 0.05
MAX_GREY_SHARE = 0.2
_COLOURFUL_CHROMA = 48  # max(R, G, B) - min(R, G, B) of a coloured pixel


def drawing_problem(rgb: np.ndarray) -> str | None:
    """Why an RGB (or grey) image is not dark ink on light paper; None when it is.

    An all-black canvas read "00000" at 93 % and a colour photo "88885": the digit model sees
    anything as digits, so an image that is not a drawing is refused before it is read.
    """
    rgb = np.repeat(rgb[:, :, None], 3, axis=2) if rgb.ndim == 2 else rgb[:, :, :3]
    gray = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    chroma = rgb.max(axis=2).astype(np.int16) - rgb.min(axis=2)
    colourful = chroma >= _COLOURFUL_CHROMA
    if float(colourful.mean()) > MAX_COLOUR_SHARE:
        return "it is in colour"
    if float(((gray >= 128) & ~colourful).mean()) < MIN_PAPER_SHARE:
        return "it is mostly dark, not light paper"
    if float(((gray >= INK_THRESHOLD) & (gray < 255 - INK_THRESHOLD)).mean()) > MAX_GREY_SHARE:
        return "much of it is grey, neither ink nor paper (a photo?)"
    return None
