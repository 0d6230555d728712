"""Metadata is bounded before a picture is decoded: a JPEG with 52 MB of EXIF and a PNG whose
text chunk unpacks past 1 MB open as the pictures they hold (EXIF orientation still applied)."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin

from tests.support.bad_inputs import raised_in_child
from vision_agent.core.image_metadata import METADATA_BUDGET, bounded_metadata
from vision_agent.core.imageio import read_image


def picture() -> Image.Image:
    pixels = np.zeros((48, 80, 3), np.uint8)
    pixels[:, :40] = (220, 30, 30)
    pixels[:, 40:] = (30, 30, 220)
    return Image.fromarray(pixels)


def jpeg_with_exif_bomb(path: Path, megabytes: int) -> Path:
    """A JPEG whose EXIF says 'rotate 90°', followed by `megabytes` of further EXIF segments."""
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    buffer = io.BytesIO()
    picture().save(buffer, "JPEG", quality=95, exif=exif.tobytes())
    data = buffer.getvalue()
    segment = b"\xff\xe1" + struct.pack(">H", 65535) + b"Exif\x00\x00" + bytes(65527)
    scan = data.index(b"\xff\xda")
    count = (megabytes << 20) // len(segment)
    path.write_bytes(data[:scan] + segment * count + data[scan:])
    return path


def metadata_bytes(jpeg: bytes) -> int:
    total, at = 0, 2
    while jpeg[at + 1] != 0xDA:
        size = struct.unpack(">H", jpeg[at + 2 : at + 4])[0] + 2
        total += size if 0xE0 <= jpeg[at + 1] <= 0xEF else 0
        at += size
    return total


def test_a_jpeg_with_52_mb_of_exif_opens_upright_with_its_metadata_bounded(tmp_path):
    path = jpeg_with_exif_bomb(tmp_path / "exif.jpg", 52)
    with open(path, "rb") as handle:
        given = bounded_metadata(handle).read()
    assert metadata_bytes(given) <= METADATA_BUDGET < metadata_bytes(path.read_bytes())
    assert raised_in_child(20, lambda: read_image(path)) == ("returned", "")
    image = read_image(path)
    assert image.shape == (80, 48, 3)  # the orientation in the first EXIF segment applied
    top, bottom = image[5, 24], image[-5, 24]
    assert top[0] > 150 and bottom[2] > 150  # rotated clockwise: red on top, blue below


def test_a_png_whose_text_unpacks_past_a_megabyte_opens(tmp_path):
    info = PngImagePlugin.PngInfo()
    info.add_text("comment", "x" * (2 << 20), zip=True)
    info.add_text("Software", "kept or not, no matter")
    path = tmp_path / "text.png"
    picture().save(path, "PNG", pnginfo=info)
    assert path.stat().st_size < 10_000
    assert np.array_equal(read_image(path), np.asarray(picture()))


def test_ordinary_files_are_given_to_the_decoder_as_they_are(tmp_path):
    path = tmp_path / "plain.png"
    picture().save(path, "PNG")
    with open(path, "rb") as handle:
        assert bounded_metadata(handle) is handle and handle.tell() == 0
