"""Reading any image a user may have into an RGB uint8 array, and writing images back.

Handles what `cv2.imread` gets wrong or refuses: non-ASCII paths, EXIF-rotated phone photos,
16-bit and 32-bit images, palette and alpha images (composited on white), CMYK, and huge files
(decoded at reduced size when the caller only needs `max_side` pixels).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from vision_agent.core.errors import ImageReadError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif")
_MAX_PIXELS = 400_000_000  # refuse decompression bombs beyond this


def is_image_path(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def read_image(path: str | Path, max_side: int | None = None) -> np.ndarray:
    """Read `path` as an RGB uint8 array (H, W, 3), upright per EXIF.

    With `max_side`, the image is decoded (JPEG: at reduced resolution) and downscaled so its
    longer side is at most `max_side`. Raises ImageReadError with a message for the user.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageReadError(f"File not found: {path}") from None
    except IsADirectoryError:
        raise ImageReadError(f"{path} is a folder, not an image.") from None
    except OSError as exc:
        raise ImageReadError(f"Cannot read {path}: {exc.strerror or exc}") from None
    return decode_image(data, name=str(path), max_side=max_side)


def decode_image(data: bytes, name: str = "image", max_side: int | None = None) -> np.ndarray:
    """Decode encoded image bytes (see `read_image`)."""
    if not data:
        raise ImageReadError(f"{name} is empty (0 bytes).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > _MAX_PIXELS:
                raise ImageReadError(f"{name} is too large ({image.width}×{image.height} pixels).")
            if max_side and image.format == "JPEG":
                image.draft("RGB", (max_side, max_side))
            image.load()
            image = ImageOps.exif_transpose(image)
    except ImageReadError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise ImageReadError(f"{name} is not an image this app can read.") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageReadError(f"{name} is damaged or truncated ({exc}).") from None
    if max_side and max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return _to_rgb8(image)


def _to_rgb8(image: Image.Image) -> np.ndarray:
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        array = np.asarray(image, dtype=np.float64)
        high = 65535.0 if image.mode.startswith("I;16") else max(float(array.max()), 1.0)
        if image.mode in ("I", "F") and array.max() <= 255:
            high = 255.0
        gray = np.clip(array / high * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(rgb)


def write_image(path: str | Path, rgb: np.ndarray) -> None:
    """Write an RGB (or gray) uint8 array; the format follows the file suffix."""
    path = Path(path)
    try:
        Image.fromarray(np.ascontiguousarray(rgb)).save(path)
    except (OSError, ValueError, KeyError) as exc:
        raise ImageReadError(f"Cannot save {path}: {exc}") from None
