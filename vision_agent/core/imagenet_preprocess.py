"""Turning an RGB photo into exactly the input an ImageNet classifier was trained with.

Every model gets its own recipe, read from its registry entry: resize (straight to the input
size, or shorter side first and then a centre crop), channel order, and
``x = (pixel * scale - mean) / std`` per channel in that order. For ResNet50 this equals
`keras.applications.resnet50.preprocess_input` on RGB pixels ("caffe" mode: RGB->BGR, subtract
the BGR means). The course's program passed BGR pixels from `cv2.imread` to it; photos here are
always RGB when they arrive, and only the recipe swaps channels.

Resizing uses Pillow's bilinear filter (antialiased when shrinking), the same as
`PIL.Image.resize(size, Image.BILINEAR)` in a reference pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from vision_agent.core.errors import UserError

CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
TORCH_MEAN_RGB = (0.485, 0.456, 0.406)
TORCH_STD_RGB = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class Preprocessing:
    """How one model wants its input; `prepare` applies it to an RGB uint8 photo."""

    size: tuple[int, int]  # (width, height) fed to the model
    color_order: str = "RGB"  # "RGB" or "BGR"
    mean: tuple[float, ...] = (0.0, 0.0, 0.0)  # in `color_order`, after `scale`
    scale: float = 1.0
    std: tuple[float, ...] | None = None
    resize_shorter: int | None = None  # resize the shorter side to this, then centre-crop `size`

    def resized(self, rgb: np.ndarray) -> np.ndarray:
        """The photo at the model's input size (RGB uint8)."""
        image = Image.fromarray(as_rgb8(rgb))
        width, height = self.size
        if self.resize_shorter:
            factor = self.resize_shorter / min(image.size)
            scaled = (
                max(width, round(image.width * factor)),
                max(height, round(image.height * factor)),
            )
            image = image.resize(scaled, Image.Resampling.BILINEAR)
            left, top = (image.width - width) // 2, (image.height - height) // 2
            image = image.crop((left, top, left + width, top + height))
        elif image.size != (width, height):
            image = image.resize((width, height), Image.Resampling.BILINEAR)
        return np.asarray(image)

    def normalize(self, rgb_resized: np.ndarray) -> np.ndarray:
        """Float32 (H, W, 3) model input from a resized RGB uint8 image.

        Computed in as few passes as possible (it runs for every photo); the result is the
        same, bit for bit, as converting to float32 first and then applying each step.
        """
        pixels = rgb_resized
        if self.color_order == "BGR":
            pixels = cv2.cvtColor(np.ascontiguousarray(pixels), cv2.COLOR_RGB2BGR)
        x = np.empty(pixels.shape, np.float32)
        mean = np.asarray(self.mean, np.float32)
        if self.scale != 1.0:
            np.multiply(pixels, np.float32(self.scale), out=x, dtype=np.float32)
            x -= mean
        else:
            np.subtract(pixels, mean, out=x, dtype=np.float32)
        if self.std is not None:
            x /= np.asarray(self.std, np.float32)
        return x

    def prepare(self, rgb: np.ndarray) -> np.ndarray:
        """A batch of one, NHWC float32 (1, H, W, 3), channels in `color_order`."""
        return self.normalize(self.resized(rgb))[None]


def from_registry_entry(entry) -> Preprocessing:
    """The recipe of a registry `ModelEntry` (see `vision_agent.models.registry`)."""
    shorter = entry.extra.get("resize_shorter")
    return Preprocessing(
        size=tuple(entry.input_size),
        color_order=entry.color_order,
        mean=tuple(entry.mean),
        scale=float(entry.scale),
        std=None if entry.std is None else tuple(entry.std),
        resize_shorter=int(shorter) if shorter else None,
    )


def keras_mode(mode: str, size: tuple[int, int]) -> Preprocessing:
    """The recipe of a `keras.applications` preprocess mode for RGB input.

    "caffe" (ResNet50, VGG): BGR minus means. "tf" (MobileNet, Inception, Xception): -1..1.
    "torch" (DenseNet): 0..1 then ImageNet mean/std. "raw": 0..255 RGB, for models that rescale
    inside (EfficientNet, models with a Rescaling layer).
    """
    if mode == "caffe":
        return Preprocessing(size, "BGR", CAFFE_MEAN_BGR)
    if mode == "tf":
        return Preprocessing(size, "RGB", (1.0, 1.0, 1.0), scale=1 / 127.5)
    if mode == "torch":
        return Preprocessing(size, "RGB", TORCH_MEAN_RGB, scale=1 / 255, std=TORCH_STD_RGB)
    if mode == "raw":
        return Preprocessing(size, "RGB")
    raise ValueError(f"unknown preprocess mode {mode!r}")


def as_rgb8(image: np.ndarray) -> np.ndarray:
    """Any photo array the app may hold as RGB uint8 (H, W, 3): gray is repeated, alpha dropped.

    Raises UserError for arrays that are no image (wrong rank, empty, too small).
    """
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise UserError(f"Not an image: array of shape {array.shape}.")
    if array.shape[0] < 2 or array.shape[1] < 2:
        raise UserError(f"The image is too small ({array.shape[1]}×{array.shape[0]} pixels).")
    if array.dtype != np.uint8:
        array = np.nan_to_num(array.astype(np.float64))
        peak = float(array.max()) if array.size else 0.0
        if peak <= 1.0:
            array = array * 255.0
        elif peak > 255.0:
            array = array * (255.0 / 65535.0)
        array = np.clip(array + 0.5, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(array[:, :, :3])
