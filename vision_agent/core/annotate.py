"""A classifier's top answers as a labels panel over the photo (what the tab shows and saves).

The panel is drawn on its own — dark translucent background, text on it — as a premultiplied
RGBA image (`LabelPanel`): the window paints it over the photo, and `laid_over` composes the
two into one picture for saving. Drawing it costs the same for any photo: the photo itself is
not copied or resized to draw on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

MAX_ANNOTATED_SIDE = 1600  # larger photos get their labels at this size (the text stays readable)
MIN_ANNOTATED_SIDE = 720  # smaller photos get them at this size (the text stays sharp)
PANEL_ALPHA = 166  # 65 % dark: the photo shows through at 35 %
FIRST_COLOR = (255, 200, 60)
TEXT_COLOR = (255, 255, 255)


@dataclass(frozen=True)
class LabelPanel:
    """Text to lay over a photo's top-left corner.

    `pixels` is (h, w, 4) uint8 RGBA, premultiplied (dark background at PANEL_ALPHA, text
    opaque); `scale` is panel pixels per photo pixel (the panel is drawn at the photo's size
    brought into MIN..MAX_ANNOTATED_SIDE).
    """

    pixels: np.ndarray
    scale: float


def annotation_scale(width: int, height: int) -> float:
    """Pixels of the annotated picture per photo pixel."""
    side = max(width, height)
    return min(max(side, MIN_ANNOTATED_SIDE), MAX_ANNOTATED_SIDE) / side


def top_label_texts(lines: Sequence[tuple[str, float]]) -> list[str]:
    """One "n. label  93.1%" line per (label, probability)."""
    return [f"{i}. {label}  {p * 100:.1f}%" for i, (label, p) in enumerate(lines, 1)]


def label_panel(
    photo_size: tuple[int, int],
    texts: Sequence[str],
    first_color: tuple[int, int, int] = FIRST_COLOR,
) -> LabelPanel:
    """The panel for a photo of `photo_size` (width, height) with `texts` (ASCII: OpenCV's
    fonts have no other glyphs); the first line in `first_color`, the others white. The text
    size follows the annotated picture's width."""
    scale = annotation_scale(*photo_size)
    w, h = (round(side * scale) for side in photo_size)
    if not texts:
        return LabelPanel(np.zeros((0, 0, 4), np.uint8), scale)
    font, size = cv2.FONT_HERSHEY_SIMPLEX, max(0.35, min(1.2, w / 700))
    thickness = max(1, round(size * 2))
    sizes = [cv2.getTextSize(t, font, size, thickness)[0] for t in texts]
    line_height = max(s[1] for s in sizes) + round(10 * size) + 2
    pad = round(8 * size) + 2
    panel_w = min(w, max(s[0] for s in sizes) + 2 * pad)
    panel_h = min(h, line_height * len(texts) + pad)
    pixels = np.zeros((panel_h, panel_w, 4), np.uint8)
    pixels[..., 3] = PANEL_ALPHA
    for row, text in enumerate(texts):
        y = pad + line_height * row + sizes[row][1]
        color = (*(first_color if row == 0 else TEXT_COLOR), 255)
        cv2.putText(pixels, text, (pad, y), font, size, color, thickness, cv2.LINE_AA)
    return LabelPanel(pixels, scale)


def laid_over(rgb: np.ndarray, panel: LabelPanel) -> np.ndarray:
    """The photo at the panel's scale with the panel composed over its top-left corner (RGB)."""
    image = np.ascontiguousarray(rgb[:, :, :3], dtype=np.uint8)
    h, w = image.shape[:2]
    size = (round(w * panel.scale), round(h * panel.scale))
    if size != (w, h):
        interpolation = cv2.INTER_AREA if panel.scale < 1 else cv2.INTER_LINEAR
        image = cv2.resize(image, size, interpolation=interpolation)
    else:
        image = image.copy()
    ph, pw = panel.pixels.shape[:2]
    if ph and pw:
        below = image[:ph, :pw].astype(np.uint16)
        alpha = panel.pixels[..., 3:].astype(np.uint16)
        # premultiplied "over": panel + photo × (1 − alpha), rounded
        under = (below * (255 - alpha) + 127) // 255
        image[:ph, :pw] = np.minimum(panel.pixels[..., :3] + under, 255).astype(np.uint8)
    return image
