"""Grad-CAM heat maps: where a convolutional network looked for one class (Selvaraju et al.).

The map is the ReLU of the last convolutional feature maps weighted by the mean gradient of the
class score with respect to each of them. The framework-specific part (the gradient) lives with
the Keras backend; this module turns the raw map into a 0..1 picture at the photo's size and
blends it over the photo. Qt-free and TensorFlow-free.
"""

from __future__ import annotations

import cv2
import numpy as np


def cam_from_gradients(activations: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """Raw Grad-CAM (h, w) from one image's feature maps and gradients, both (h, w, channels)."""
    weights = gradients.mean(axis=(0, 1))
    return np.maximum((activations * weights).sum(axis=-1), 0.0).astype(np.float32)


def heatmap_at_size(cam: np.ndarray, width: int, height: int) -> np.ndarray:
    """The raw map scaled to 0..1 (its maximum is 1 unless it is all zero) at width×height."""
    cam = np.nan_to_num(np.asarray(cam, np.float32))
    peak = float(cam.max()) if cam.size else 0.0
    cam = cam / peak if peak > 0 else np.zeros_like(cam)
    return np.clip(cv2.resize(cam, (width, height), interpolation=cv2.INTER_LINEAR), 0.0, 1.0)


def heatmap_rgba(heat: np.ndarray, width: int, height: int) -> np.ndarray:
    """The heat map in JET colours at width×height, RGBA uint8.

    Alpha follows the heat (35 % where cold, opaque where hot), so cold areas keep the photo
    visible beneath.
    """
    if heat.shape != (height, width):
        heat = cv2.resize(heat.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    heat = np.clip(heat, 0.0, 1.0)
    colored = cv2.applyColorMap(np.uint8(heat * 255), cv2.COLORMAP_JET)
    rgba = np.empty((height, width, 4), np.uint8)
    rgba[..., :3] = cv2.cvtColor(colored, cv2.COLOR_BGR2RGB)
    rgba[..., 3] = np.uint8((0.35 + 0.65 * heat) * 255)
    return rgba


def overlay_heatmap(rgb: np.ndarray, heat: np.ndarray, opacity: float) -> np.ndarray:
    """The photo with the heat map blended over it (`opacity` 0..1), as the window shows it."""
    h, w = rgb.shape[:2]
    rgba = heatmap_rgba(heat, w, h).astype(np.float32)
    alpha = float(np.clip(opacity, 0.0, 1.0)) * rgba[..., 3:] / 255.0
    blended = rgb[..., :3].astype(np.float32) * (1 - alpha) + rgba[..., :3] * alpha
    return np.clip(blended + 0.5, 0, 255).astype(np.uint8)
