"""Large photos (issue 14, item 7): read reduced, refused with their size when too large, and
never more than 1.5 GB of memory for any command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.support.paths import REPO_ROOT, asset
from vision_agent.core.errors import ImageReadError
from vision_agent.core.imageio import read_image, read_photo
from vision_agent.engine.registry_models import face_detector

PEAK_LIMIT_BYTES = 1_500_000_000


def drawn(mode: str, size: tuple[int, int]) -> Image.Image:
    """A light picture with a dark disc (ink on paper for the postal reader)."""
    image = Image.new(mode, size, 235 if mode == "L" else (235, 235, 235))
    width, height = size
    ImageDraw.Draw(image).ellipse((width // 3, height // 3, width // 2, height // 2), fill=30)
    return image


@pytest.fixture(scope="module")
def beyond_pillow(tmp_path_factory) -> dict[str, Path]:
    """14000×13000 (182 Mpx, over Pillow's 179 Mpx bomb limit) as JPEG and PNG."""
    folder = tmp_path_factory.mktemp("beyond")
    image = drawn("L", (14000, 13000))
    files = {"jpeg": folder / "wide.jpg", "png": folder / "wide.png"}
    image.save(files["jpeg"], quality=80)
    image.save(files["png"], compress_level=1)
    return files


def test_a_jpeg_beyond_pillows_limit_is_read_reduced(beyond_pillow):
    photo = read_photo(beyond_pillow["jpeg"], max_side=1600)
    assert photo.original_size == (14000, 13000)
    assert max(photo.rgb.shape[:2]) == 1600 and photo.reduced


def test_a_png_too_large_is_refused_with_its_name_and_size(beyond_pillow):
    with pytest.raises(ImageReadError, match=r"wide\.png is too large \(14000×13000 pixels\)"):
        read_image(beyond_pillow["png"], max_side=1600)


def test_a_one_pixel_wide_image_is_refused_with_its_real_size(tmp_path):
    path = tmp_path / "line.png"
    Image.new("RGB", (1, 10000), (200, 0, 0)).save(path)
    with pytest.raises(ImageReadError, match=r"line\.png is too small \(1×10000 pixels\)"):
        read_image(path, max_side=1600)


def test_faces_in_a_reduced_photo_are_reported_in_the_photos_pixels(tmp_path):
    small = asset("photos", "faces", "zidane_ultralytics.jpg")  # skips without ../shared/assets
    detector = face_detector("res10_caffe_fp32")  # found there, never downloaded
    large = tmp_path / "zidane_large.jpg"
    factor = 5
    with Image.open(small) as image:
        image.resize((image.width * factor, image.height * factor)).save(large, quality=90)
        tolerance = 0.01 * image.width * factor
    reduced = detector.detect_file(large)
    assert reduced.scale > 1
    plain = detector.detect_file(small)
    boxes = sorted(face["box"] for face in reduced.to_json()["faces"])
    expected = sorted([v * factor for v in face["box"]] for face in plain.to_json()["faces"])
    assert len(boxes) == len(expected) == 2
    assert np.abs(np.array(boxes) - np.array(expected)).max() <= tolerance


def peak_rss_of(*args: str) -> tuple[int, subprocess.CompletedProcess]:
    """(peak resident bytes, result) of `vision-agent ARGS` run in a fresh child."""
    measure = (
        "import resource, subprocess, sys, json;"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "print(json.dumps([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
        " r.returncode, r.stdout, r.stderr]))"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    out = subprocess.run(
        [sys.executable, "-c", measure, sys.executable, "-m", "vision_agent", *args],
        capture_output=True, text=True, env=env, timeout=300, check=True,
    )  # fmt: skip
    peak_kb, code, stdout, stderr = json.loads(out.stdout)
    return peak_kb * 1024, subprocess.CompletedProcess(args, code, stdout, stderr)


@pytest.mark.parametrize("command", ["postal", "faces"])
def test_a_144_megapixel_colour_jpeg_stays_under_1_5_gb(tmp_path, command):
    asset("face_detector", "res10_300x300_ssd_iter_140000.caffemodel")
    path = tmp_path / "big.jpg"
    drawn("RGB", (12000, 12000)).save(path, quality=80)
    peak, result = peak_rss_of(command, str(path))
    assert result.returncode == 0, result.stderr
    assert str(path) in result.stdout
    assert peak < PEAK_LIMIT_BYTES, f"{command}: peak {peak / 1e9:.2f} GB"
