"""Reading any image a user may have into an RGB uint8 array, and writing images back.

Handles what `cv2.imread` gets wrong or refuses: non-ASCII paths, EXIF-rotated phone photos,
16-bit and 32-bit images, palette and alpha images (composited on white), CMYK, and huge files.
A file is checked (regular file, size) before it is opened, so a FIFO or /dev/zero is refused
instead of read. Large photos are decoded reduced when the caller needs only `max_side`
pixels: a JPEG at 1/2, 1/4 or 1/8 of its size while decoding (draft mode), other formats by
shrinking right after decoding, so a 20000×20000 JPEG costs 2500×2500 pixels of memory.
Pillow's own decompression-bomb limit is replaced by `MAX_DECODED_PIXELS`, checked against what
will actually be decoded, so the refusal says "too large" with the size.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from vision_agent.core.errors import ImageReadError
from vision_agent.core.image_metadata import bounded_metadata
from vision_agent.core.user_files import require_nonempty_file
from vision_agent.core.user_writes import write_user_file

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif")
MAX_FILE_BYTES = 1 << 30  # no photo this app reads is larger; /dev/zero-like inputs are
MAX_DECODED_PIXELS = 100_000_000  # 4 bytes a pixel, twice while an RGBA one shrinks: ~1.1 GB peak
MIN_SIDE = 2  # narrower images hold no picture any model here can use

# Pillow refuses above 179 Mpx with its own error; the check below replaces it (same purpose,
# a message with the size, and JPEGs that draft mode decodes small are allowed).
Image.MAX_IMAGE_PIXELS = None
# "Corrupt EXIF data", "Tag data larger than file" and the like: the picture still reads, and
# the user cannot act on them; they must not reach stderr.
warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")


@dataclass(frozen=True)
class Photo:
    """A decoded image and the size (width, height) of the file's picture, upright."""

    rgb: np.ndarray
    original_size: tuple[int, int]

    @property
    def reduced(self) -> bool:
        return (self.rgb.shape[1], self.rgb.shape[0]) != self.original_size

    @property
    def scale(self) -> float:
        """Original pixels per decoded pixel (1.0 when not reduced)."""
        return self.original_size[0] / self.rgb.shape[1]


def is_image_path(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def read_image(path: str | Path, max_side: int | None = None) -> np.ndarray:
    """Read `path` as an RGB uint8 array (H, W, 3), upright per EXIF.

    With `max_side`, the image is decoded (JPEG: at reduced resolution) and downscaled so its
    longer side is at most `max_side`. Raises ImageReadError with a message for the user.
    """
    return read_photo(path, max_side).rgb


def read_photo(path: str | Path, max_side: int | None = None) -> Photo:
    """`read_image` with the file's own size (to map results back to its pixels)."""
    path = Path(path)
    require_nonempty_file(path, "an image", MAX_FILE_BYTES, ImageReadError)
    try:
        with open(path, "rb") as handle:
            return _decode(handle, str(path), max_side)
    except OSError as exc:
        raise ImageReadError(f"Cannot read {path}: {exc.strerror or exc}") from None


def _decode(source: BinaryIO, name: str, max_side: int | None) -> Photo:
    try:
        image = Image.open(bounded_metadata(source))
        width, height = image.size
        if min(width, height) < MIN_SIDE:
            raise ImageReadError(f"{name} is too small ({width}×{height} pixels) to be a photo.")
        if max_side and image.format == "JPEG":
            image.draft("RGB", (max_side, max_side))
        decoded = image.size[0] * image.size[1]
        if decoded > MAX_DECODED_PIXELS:
            raise ImageReadError(
                f"{name} is too large ({width}×{height} pixels): this app reads photos of up to "
                f"{MAX_DECODED_PIXELS // 1_000_000} megapixels."
            )
        image.load()
        original = (height, width) if _upright(image) else (width, height)
        if max_side and max(image.size) > max_side:
            size = _fitted(image.size, max_side)
            image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    except ImageReadError:
        raise
    except UnidentifiedImageError:
        raise ImageReadError(_not_readable(name, source)) from None
    except MemoryError:
        raise ImageReadError(f"{name} is too large to decode in the memory available.") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageReadError(f"{name} is damaged or truncated ({exc}).") from None
    return Photo(_to_rgb8(image), original)


_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")


def _not_readable(name: str, source: BinaryIO) -> str:
    """Why a file Pillow does not know is not read: a HEIC/AVIF photo is named, with the way out."""
    try:
        source.seek(0)
        head = source.read(12)
    except (OSError, ValueError):
        head = b""
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return (
            f"{name} is a HEIC/HEIF or AVIF photo (the format of iPhones and some cameras), which "
            "this app cannot read: convert it to JPEG or PNG first."
        )
    return f"{name} is not an image this app can read (JPEG, PNG, BMP, WebP, TIFF or GIF)."


def _fitted(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """`size` shrunk so its longer side is `max_side`; no side below MIN_SIDE."""
    scale = max_side / max(size)
    return tuple(max(MIN_SIDE, round(side * scale)) for side in size)  # type: ignore[return-value]


def _upright(image: Image.Image) -> bool:
    """Rotate `image` in place per EXIF; True if it turned by 90° (width and height swap).

    A photo whose EXIF cannot be parsed is shown as stored rather than refused.
    """
    before = image.size
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:  # EXIF parsing fails in many ways on damaged files
        return False
    return image.size != before


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
    if image.mode != "RGB":
        image = image.convert("RGB")
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8))


def write_image(path: str | Path, rgb: np.ndarray) -> None:
    """Write an RGB (or gray) uint8 array; the format follows the file suffix. Encoded in
    memory, then written by the one writer (never over or through a link or a device)."""
    path = Path(path)
    encoded = io.BytesIO()
    try:
        kind = Image.registered_extensions().get(path.suffix.lower())
        if kind is None:
            raise ValueError(f"unknown file extension: {path.suffix or '(none)'}")
        Image.fromarray(np.ascontiguousarray(rgb)).save(encoded, format=kind)
    except (OSError, ValueError, KeyError) as exc:
        raise ImageReadError(f"Cannot save {path}: {exc}") from None
    write_user_file(path, encoded.getvalue(), ImageReadError)
