"""Every reader of user files refuses FIFOs, devices, folders, link loops and huge files by name,
at once, without opening them (issue 14, item 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.bad_inputs import fifo, link_loop, raised_in_child, sparse_file
from tests.support.paths import asset
from vision_agent.core.breed_names import read_class_names
from vision_agent.core.classify import ImageClassifier
from vision_agent.core.errors import UserError
from vision_agent.core.faces import FaceDetector
from vision_agent.core.imageio import read_image
from vision_agent.core.postal import read_canvas
from vision_agent.core.predictors import load_predictor
from vision_agent.core.safe_pickle import load_plain_pickle
from vision_agent.core.video_source import iter_video_frames

READERS = {
    "image": (".jpg", read_image),
    "drawing": (".png", read_canvas),
    "class names": (".txt", read_class_names),
    "pickle": (".pkl", load_plain_pickle),
    "digit model": (".onnx", lambda path: load_predictor(path, (28, 28, 1))),
    "keras model": (".h5", lambda path: ImageClassifier.from_file(path)),
    "face model": (".onnx", FaceDetector.from_user_file),
    "video": (".avi", lambda path: list(iter_video_frames(path))),
}
USER_ERRORS = ("UserError", "ImageReadError", "ModelLoadError", "SourceError")


def refusal(seconds: float, read, path: Path) -> str:
    kind, message = raised_in_child(seconds, lambda: read(path))
    assert kind in USER_ERRORS, f"{kind}: {message}"
    return message


@pytest.mark.parametrize("reader", READERS)
def test_a_fifo_is_refused_without_blocking(tmp_path, reader):
    suffix, read = READERS[reader]
    pipe = fifo(tmp_path / f"pipe{suffix}")
    assert f"{pipe} is a named pipe (FIFO)" in refusal(10, read, pipe)


@pytest.mark.parametrize("reader", READERS)
def test_a_device_is_refused(reader):
    _, read = READERS[reader]
    assert "/dev/zero is a device" in refusal(10, read, Path("/dev/zero"))


@pytest.mark.parametrize("reader", READERS)
def test_a_folder_and_a_link_loop_are_refused_by_name(tmp_path, reader):
    suffix, read = READERS[reader]
    folder = tmp_path / f"folder{suffix}"
    folder.mkdir()
    with pytest.raises(UserError, match=r"folder.* is a folder"):
        read(folder)
    loop = link_loop(tmp_path, f"loop{suffix}")
    with pytest.raises(UserError, match=r"loop.*symbolic links"):
        read(loop)


@pytest.mark.parametrize(
    ("reader", "size"), [("image", 2 << 30), ("class names", 20 << 20), ("pickle", 20 << 20)]
)
def test_a_huge_file_is_refused_before_it_is_read(tmp_path, reader, size):
    suffix, read = READERS[reader]
    huge = sparse_file(tmp_path / f"huge{suffix}", size)
    assert f"{huge} is too large (" in refusal(10, read, huge)


def test_a_broken_link_says_where_it_points(tmp_path):
    link = tmp_path / "photo.jpg"
    link.symlink_to(tmp_path / "gone.jpg")
    with pytest.raises(UserError, match="link to a file that does not exist"):
        read_image(link)


def test_a_good_photo_still_reads():
    photo = asset("photos", "objects", "banana_jetson_banana_0.jpg")
    assert read_image(photo).ndim == 3
