"""Awkward image files made from real photos: formats, EXIF rotation, gray, RGBA, 16-bit, huge,
Korean paths, and broken files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from PIL import Image

from tests.support.paths import asset

BANANA = ("photos", "objects", "banana_jetson_banana_0.jpg")
BANANA_CLASS = 954
ROBIN = ("photos", "objects", "robin_jetson_bird_0.jpg")
ROBIN_CLASS = 15


def photo(*parts: str) -> Image.Image:
    return Image.open(asset(*parts)).convert("RGB")


def in_format(folder: Path, suffix: str, parts=BANANA) -> Path:
    path = folder / f"banana{suffix}"
    photo(*parts).save(path)
    return path


def exif_rotated(folder: Path, parts=ROBIN) -> Path:
    """The photo stored sideways with EXIF orientation 6 ("rotate 90° clockwise to view")."""
    image = photo(*parts)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = folder / "rotated.jpg"
    image.transpose(Image.Transpose.ROTATE_90).save(path, exif=exif, quality=95)
    return path


def gray(folder: Path, parts=BANANA) -> Path:
    path = folder / "gray.png"
    photo(*parts).convert("L").save(path)
    return path


def gray16(folder: Path, parts=BANANA) -> Path:
    path = folder / "gray16.png"
    values = np.asarray(photo(*parts).convert("L"), np.uint16) * 257
    Image.fromarray(values).save(path)  # uint16 -> mode I;16
    return path


def rgba(folder: Path, parts=BANANA) -> Path:
    """The photo with a transparent border (alpha 0) around it."""
    image = photo(*parts).convert("RGBA")
    alpha = np.zeros((image.height, image.width), np.uint8)
    h, w = alpha.shape
    alpha[h // 10 : h - h // 10, w // 10 : w - w // 10] = 255
    image.putalpha(Image.fromarray(alpha))
    path = folder / "rgba.png"
    image.save(path)
    return path


def huge(folder: Path, parts=BANANA, size=(9000, 7000)) -> Path:
    path = folder / "huge.jpg"
    photo(*parts).resize(size, Image.Resampling.BILINEAR).save(path, quality=80)
    return path


def korean_path(folder: Path, parts=BANANA) -> Path:
    target = folder / "사진 폴더" / "바나나 사진.jpg"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(asset(*parts), target)
    return target


def broken_files(folder: Path) -> dict[str, Path]:
    """name -> a file no image reader should accept."""
    data = asset(*BANANA).read_bytes()
    files = {
        "empty": (folder / "empty.jpg", b""),
        "truncated": (folder / "truncated.jpg", data[: len(data) // 5]),
        "not_an_image": (folder / "notes.png", b"these are my notes, not a picture\n" * 20),
        "random_bytes": (folder / "noise.jpg", np.random.default_rng(1).bytes(5000)),
    }
    for path, content in files.values():
        path.write_bytes(content)
    return {name: path for name, (path, _) in files.items()}


def corrupt_exif(folder: Path, parts=BANANA) -> Path:
    """A good JPEG whose EXIF names a tag with 4000 bytes of data that are not there: Pillow
    warns "Possibly corrupt EXIF data" while the picture itself reads fine."""
    import struct

    entry = struct.pack("<HHII", 0x010E, 2, 4000, 26)  # ImageDescription, ASCII, past the end
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + entry + b"\x00" * 4
    app1 = b"Exif\x00\x00" + tiff
    data = asset(*parts).read_bytes()
    path = folder / "corrupt_exif.jpg"
    path.write_bytes(data[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + data[2:])
    return path
