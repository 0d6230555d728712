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


def _ink_bounds(inks: np.ndarray) -> list[tuple[int, int, int, int] | None]:
    """(top, bottom, left, right) of the strokes in each of (n, h, w) boxes; None where there
    are too few or they are too small to be a digit."""
    bounds: list[tuple[int, int, int, int] | None] = []
    for mask in (inks >= INK_THRESHOLD).view(np.uint8):
        left, top, width, height = cv2.boundingRect(mask)
        digit = cv2.countNonZero(mask) >= MIN_INK_PIXELS and max(width, height) >= MIN_INK_EXTENT
        bounds.append((top, top + height, left, left + width) if digit else None)
    return bounds


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


def normalize_digits(inks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(n, h, w) ink crops (uint8, 0 = paper) as (n, 28, 28) float32 MNIST-style inputs, zeros
    for a blank box, and (n,) whether each box holds a digit. Each box comes out exactly as it
    would alone (`normalize_digit`): the boxes share only the arithmetic's passes."""
    bounds = _ink_bounds(inks)
    present = np.array([b is not None for b in bounds], bool)
    inputs = np.zeros((len(inks), MNIST_SIZE, MNIST_SIZE), np.float32)
    if present.any():
        crops = [ink[b[0] : b[1], b[2] : b[3]] for ink, b in zip(inks, bounds, strict=True) if b]
        inputs[present] = _centred(_fitted(crops))
    return inputs, present


def normalize_digit(ink: np.ndarray) -> np.ndarray | None:
    """An ink crop (uint8, 0 = paper) as a 28×28 float32 MNIST-style input; None if blank."""
    inputs, present = normalize_digits(ink[None])
    return inputs[0] if present[0] else None


def normalize_digit_steps(ink: np.ndarray) -> DigitSteps | None:
    """`normalize_digit` with its intermediate images; None if the box is blank."""
    bounds = _ink_bounds(ink[None])[0]
    if bounds is None:
        return None
    top, bottom, left, right = bounds
    crop = ink[top:bottom, left:right]
    fitted = _fitted([crop])
    return DigitSteps(crop.copy(), fitted[0], _centred(fitted)[0])


def _fitted(crops: list[np.ndarray]) -> np.ndarray:
    """Ink crops, each fitted into 20×20 (its aspect kept) in the middle of a 28×28 float32
    image: (n, 28, 28)."""
    fitted = np.zeros((len(crops), MNIST_SIZE, MNIST_SIZE), np.float32)
    for into, crop in zip(fitted, crops, strict=True):
        h, w = crop.shape
        scale = MNIST_FIT / max(h, w)
        new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        y0, x0 = (MNIST_SIZE - new_h) // 2, (MNIST_SIZE - new_w) // 2
        into[y0 : y0 + new_h, x0 : x0 + new_w] = cv2.resize(
            crop.astype(np.float32), (new_w, new_h), interpolation=interpolation
        )
    return fitted


_PLACES = np.indices((MNIST_SIZE, MNIST_SIZE)).reshape(2, -1)  # each pixel's (row, column)


def _centred(fitted: np.ndarray) -> np.ndarray:
    """(n, 28, 28) fitted digits, each moved so that its centre of mass is MNIST's and scaled
    to 0..1 by its brightest pixel. Each digit's sums run over its own 784 pixels in one pass,
    in the same order as a lone image's (`ndarray.sum`): its result is the same in any batch."""
    flat = fitted.reshape(len(fitted), -1)
    totals = flat.sum(axis=1).tolist()
    moments = (_PLACES * flat[:, None, :]).sum(axis=2).tolist()  # (n, 2): Σ row·ink, Σ column·ink
    centred = fitted.copy()
    for i, (total, (row, column)) in enumerate(zip(totals, moments, strict=True)):
        if total > 0:
            shift = [[1, 0, MNIST_CENTER_OF_MASS - column / total]]
            shift.append([0, 1, MNIST_CENTER_OF_MASS - row / total])
            centred[i] = cv2.warpAffine(
                fitted[i], np.float32(shift), (MNIST_SIZE, MNIST_SIZE),
                flags=cv2.INTER_LINEAR, borderValue=0.0,
            )  # fmt: skip
    peaks = centred.reshape(len(centred), -1).max(axis=1)[:, None, None]
    np.divide(centred, peaks, out=centred, where=peaks > 0)
    return np.clip(centred, 0.0, 1.0, out=centred)


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
