"""Per-user preprocessing: a few ways to redraw a normalised 28×28 digit, one chosen per profile.

Writers differ in ways the MNIST normalisation keeps: some write narrow, some slanted, some with
a fine pen. After teaching, each variant below is tried on the profile's own taught samples and
the one whose readings give the taught labels the highest mean log-probability is used for that
user's boxes from then on — only when it beats the digits as drawn by `margin` (see
`PostalRecognizer.variant_margin`), so a profile that gains nothing keeps the app's preprocessing.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from vision_agent.core.digits import MNIST_CENTER_OF_MASS, MNIST_SIZE

AS_DRAWN = "as drawn"
CHOICE_SAMPLES = 100  # the newest taught samples the choice is made on (keeps teaching quick)
CHOICE_FEWEST = 25  # no way of redrawing is chosen on fewer voting samples (five codes)


def _warp(image: np.ndarray, matrix: list[list[float]]) -> np.ndarray:
    size = (MNIST_SIZE, MNIST_SIZE)
    return cv2.warpAffine(image, np.float32(matrix), size, flags=cv2.INTER_LINEAR, borderValue=0.0)


def _stretched(factor: float) -> Callable[[np.ndarray], np.ndarray]:
    """Width × factor about the centre of mass's column."""
    return lambda image: _warp(image, [[factor, 0, (1 - factor) * MNIST_CENTER_OF_MASS], [0, 1, 0]])


def _upright(image: np.ndarray) -> np.ndarray:
    """Sheared so that its main axis stands vertical (deslanted by its image moments)."""
    moments = cv2.moments(image)
    if abs(moments["mu02"]) < 1e-2:
        return image
    skew = moments["mu11"] / moments["mu02"]
    return _warp(image, [[1, -skew, skew * MNIST_CENTER_OF_MASS], [0, 1, 0]])


def _bolder(image: np.ndarray) -> np.ndarray:
    return cv2.dilate(image, np.ones((2, 2), np.uint8))


VARIANTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    AS_DRAWN: lambda image: image,
    "wider": _stretched(1.25),
    "narrower": _stretched(0.8),
    "upright": _upright,
    "bolder": _bolder,
}


def reshaped(batch: np.ndarray, variant: str) -> np.ndarray:
    """(n, 28, 28, 1) model inputs redrawn the variant's way."""
    if variant == AS_DRAWN:
        return batch
    change = VARIANTS[variant]
    return np.array([change(x[..., 0])[..., None] for x in batch], np.float32)


def chosen_variant(scores: dict[str, float], margin: float | None) -> str:
    """The best-scoring variant when it beats the digits as drawn by `margin` (None: never)."""
    best = max(scores, key=scores.__getitem__)
    if margin is None or scores[best] <= scores[AS_DRAWN] + margin:
        return AS_DRAWN
    return best
