"""MNIST-style normalisation: blank detection, 20×20 fit keeping aspect, centre of mass."""

import cv2
import numpy as np

from vision_agent.core.digits import normalize_digit


def _ink(height: int = 94, width: int = 94) -> np.ndarray:
    return np.zeros((height, width), np.uint8)


def _center_of_mass(image: np.ndarray) -> tuple[float, float]:
    ys, xs = np.indices(image.shape)
    total = image.sum()
    return float((ys * image).sum() / total), float((xs * image).sum() / total)


def _extent(image: np.ndarray, threshold: float = 0.1) -> tuple[int, int]:
    ys, xs = np.nonzero(image > threshold)
    return int(ys.max() - ys.min() + 1), int(xs.max() - xs.min() + 1)


def test_empty_box_is_blank():
    assert normalize_digit(_ink()) is None


def test_a_speck_is_blank():
    ink = _ink()
    cv2.circle(ink, (40, 40), 1, 255, -1)
    assert normalize_digit(ink) is None


def test_small_off_centre_digit_is_fitted_into_20_and_centred_by_mass():
    ink = _ink()
    cv2.line(ink, (8, 6), (8, 30), 255, 3)  # a small "1" in the top-left corner
    cv2.line(ink, (8, 6), (3, 11), 255, 3)
    digit = normalize_digit(ink)
    assert digit is not None and digit.shape == (28, 28) and digit.dtype == np.float32
    height, width = _extent(digit)
    assert 19 <= height <= 21
    assert width < height  # aspect ratio kept: a "1" stays thin
    cy, cx = _center_of_mass(digit)
    assert abs(cy - 14.0) < 0.5 and abs(cx - 14.0) < 0.5  # where MNIST puts it
    assert digit.max() == 1.0 and digit.min() >= 0.0


def test_wide_stroke_keeps_its_aspect_ratio():
    ink = _ink()
    cv2.line(ink, (10, 50), (80, 50), 255, 8)
    digit = normalize_digit(ink)
    height, width = _extent(digit, threshold=0.3)
    assert width >= 19 and height <= 5


def test_enlarged_mnist_digit_comes_back_close_to_the_original(mnist):
    for k in range(20):
        original = mnist["x_test"][k].astype(np.float32) / 255
        big = cv2.resize(mnist["x_test"][k], (84, 84), interpolation=cv2.INTER_CUBIC)
        ink = _ink()
        ink[2:86, 6:90] = big
        digit = normalize_digit(ink)
        correlation = np.corrcoef(digit.ravel(), original.ravel())[0, 1]
        assert correlation > 0.85, (k, correlation)
