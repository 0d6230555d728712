"""Drawing a classifier's top answers onto a copy of the photo (what the tab and CLI save)."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

MAX_ANNOTATED_SIDE = 1600  # larger photos are drawn on a reduced copy (the text stays readable)
MIN_ANNOTATED_SIDE = 720  # smaller photos are drawn on an enlarged copy (the text stays sharp)


def draw_top_labels(rgb: np.ndarray, lines: Sequence[tuple[str, float]]) -> np.ndarray:
    """A copy of `rgb` with one "n. label  93.1%" line per (label, probability), top left."""
    texts = [f"{i}. {label}  {p * 100:.1f}%" for i, (label, p) in enumerate(lines, 1)]
    return draw_text_panel(rgb, texts)


def draw_text_panel(
    rgb: np.ndarray, texts: Sequence[str], first_color: tuple[int, int, int] = (255, 200, 60)
) -> np.ndarray:
    """A copy of `rgb` with `texts` (ASCII: OpenCV's fonts have no other glyphs), top left.

    The text sits on a dark translucent panel so it reads on any photo; its size follows the
    image width. Photos outside MIN..MAX_ANNOTATED_SIDE are drawn on a resized copy. The first
    line is drawn in `first_color`, the others in white.
    """
    image = np.ascontiguousarray(rgb[:, :, :3], dtype=np.uint8)
    h, w = image.shape[:2]
    side = min(max(max(h, w), MIN_ANNOTATED_SIDE), MAX_ANNOTATED_SIDE)
    if side != max(h, w):
        factor = side / max(h, w)
        interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
        size = (round(w * factor), round(h * factor))
        image = cv2.resize(image, size, interpolation=interpolation)
    else:
        image = image.copy()
    h, w = image.shape[:2]
    if not texts:
        return image
    font, scale = cv2.FONT_HERSHEY_SIMPLEX, max(0.35, min(1.2, w / 700))
    thickness = max(1, round(scale * 2))
    sizes = [cv2.getTextSize(t, font, scale, thickness)[0] for t in texts]
    line_height = max(s[1] for s in sizes) + round(10 * scale) + 2
    pad = round(8 * scale) + 2
    panel_w = min(w, max(s[0] for s in sizes) + 2 * pad)
    panel_h = min(h, line_height * len(texts) + pad)
    panel = image[:panel_h, :panel_w]
    cv2.convertScaleAbs(panel, dst=panel, alpha=0.35)  # darkened in place
    for row, text in enumerate(texts):
        y = pad + line_height * row + sizes[row][1]
        color = first_color if row == 0 else (255, 255, 255)
        cv2.putText(image, text, (pad, y), font, scale, color, thickness, cv2.LINE_AA)
    return image
