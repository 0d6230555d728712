"""What the CLI says about bad inputs (issue 14, items 3, 10, 11, 12): each refusal names the
file and the reason, the good files beside it are answered, and nothing else reaches stderr
(no library warnings, no OpenCV or FFmpeg log lines, no tracebacks)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tests.support import photo_files
from tests.support.bad_inputs import fifo
from tests.support.model_files import constant_onnx_model
from tests.support.paths import REPO_ROOT, asset
from vision_agent.cli import main
from vision_agent.core.breed_names import MAX_CLASS_NAME_CHARS, read_class_names
from vision_agent.core.postal import SHIPPED_MODEL

FACE_PHOTO = ("photos", "faces", "grace_hopper_matplotlib.jpg")


def run_cli(*args: object) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    return subprocess.run(
        [sys.executable, "-m", "vision_agent", *map(str, args)],
        capture_output=True, text=True, env=env, timeout=180,
    )  # fmt: skip


def test_classify_reports_each_bad_input_by_name_and_answers_the_good_ones(tmp_path):
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    pipe = fifo(tmp_path / "pipe.jpg")
    empty = tmp_path / "no photos here"
    empty.mkdir()
    line = tmp_path / "line.png"
    Image.new("RGB", (1, 10000), (90, 90, 90)).save(line)
    exif = photo_files.corrupt_exif(tmp_path)
    good = photo_files.in_format(tmp_path, ".png")
    result = run_cli("classify", "--model", "mobilenet_v2", pipe, empty, line, exif, good)
    assert result.returncode == 1
    answered = [row.split(": ")[0] for row in result.stdout.splitlines()]
    assert answered == [str(exif), str(good)]
    assert result.stderr.splitlines() == [
        f"vision-agent: {pipe} is a named pipe (FIFO), not an image.",
        f"vision-agent: {empty} holds no images (.jpg .jpeg .png .bmp .webp .tif .tiff .gif).",
        f"vision-agent: {line} is too small (1×10000 pixels) to be a photo.",
    ]


def test_dog_refuses_an_unknown_classifier(capsys):
    photo = asset("photos", "dogs", "Beagle_01141.jpg")
    assert main(["dog", str(photo), "--classifier", "bogus"]) == 2
    err = capsys.readouterr().err
    assert "Unknown --classifier 'bogus' (known: resnet50, mobilenet_v2, googlenet)" in err


def test_a_face_model_of_the_wrong_shape_says_so_in_one_readable_line(capfd, tmp_path):
    model = constant_onnx_model(tmp_path / "digits.onnx", 0.5)
    assert main(["faces", str(asset(*FACE_PHOTO)), "--model", str(model)]) == 2
    err = capfd.readouterr().err
    assert err.splitlines() == [
        "vision-agent: digits.onnx is not a face detector this app can run: it does not take a "
        "300×300 colour image (OpenCV: DNN/MatMul: invalid dimension K (expected: 'K_A == K_B'),"
        " where 'K_A' is 270000 must be equal to 'K_B' is 784)."
    ]


def test_a_truncated_keras_file_is_called_damaged_not_missing(capsys, tmp_path):
    data = SHIPPED_MODEL.with_suffix(".keras").read_bytes()
    cut = tmp_path / "cut.keras"
    cut.write_bytes(data[: len(data) // 2])
    assert main(["postal", str(tmp_path / "any.png"), "--model", str(cut)]) == 2
    err = capsys.readouterr().err
    assert "cut.keras is damaged or incomplete" in err and "not found" not in err


def test_save_annotated_at_a_file_is_refused_in_words(capsys, tmp_path):
    target = tmp_path / "out.png"
    target.write_bytes(b"x")
    assert main(["faces", str(asset(*FACE_PHOTO)), "--save-annotated", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"--save-annotated {target}: this is a file; name a folder." in err
    assert "Errno" not in err


def test_a_truncated_video_is_reported_after_its_readable_frames(capfd, tmp_path):
    data = asset("photos", "video", "Megamind.avi").read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    photo = asset(*FACE_PHOTO)
    assert main(["faces", str(cut), str(photo), "--model", "res10-caffe"]) == 1
    out, err = capfd.readouterr()
    assert [row.split(": ")[0] for row in out.splitlines()] == [str(cut), str(photo)]
    assert len(err.splitlines()) == 1, err  # FFmpeg's own complaints stay out of stderr
    assert "vision-agent: cut.avi stopped after " in err
    assert " of 270 frames: the rest of the file is damaged or missing." in err


def test_a_huge_class_name_is_cut_short(tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("Chihuahua\n" + "x" * 15_000_000 + "\nbeagle\n", encoding="utf-8")
    read = read_class_names(names)
    assert read[0] == "Chihuahua" and read[2] == "beagle"
    assert len(read[1]) == MAX_CLASS_NAME_CHARS and read[1].endswith("…")


def test_train_digits_refuses_a_bad_data_file_in_words(capsys, tmp_path):
    pipe = fifo(tmp_path / "mnist.npz")
    assert main(["train", "digits", "--data", str(pipe)]) == 2
    assert f"{pipe} is a named pipe (FIFO), not an MNIST .npz file." in capsys.readouterr().err
    notes = tmp_path / "notes.npz"
    notes.write_text("not arrays")
    assert main(["train", "digits", "--data", str(notes), "--out", str(tmp_path / "out")]) == 2
    assert f"{notes} is not an MNIST .npz file (a NumPy zip archive)." in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arrays", "reason"),
    [
        (
            {"x_train": np.zeros((2000, 28, 28), np.uint8), "y_train": np.zeros(2000, np.uint8)},
            "holds 2000 training digits; at least 6000 are needed",
        ),
        (
            {"x_train": np.zeros((7000, 32, 32), np.uint8), "y_train": np.zeros(7000, np.uint8)},
            "x_train is 7000×32×32, not N×28×28 digits",
        ),
        (
            {"x_train": np.zeros((7000, 28, 28), np.uint8), "y_train": np.full(6999, 3, np.uint8)},
            "y_train has 6999 labels for 7000 digits",
        ),
        (
            {"x_train": np.zeros((7000, 28, 28), np.uint8), "y_train": np.full(7000, 12, np.uint8)},
            "y_train holds labels outside 0–9",
        ),
    ],
)
def test_train_digits_refuses_an_npz_that_is_not_mnist_shaped(capsys, tmp_path, arrays, reason):
    """A small or odd MNIST-like file is named with what is wrong, before TensorFlow starts."""
    data = tmp_path / "mnist_small.npz"
    test = {"x_test": np.zeros((10, 28, 28), np.uint8), "y_test": np.zeros(10, np.uint8)}
    np.savez(data, **arrays, **test)
    assert main(["train", "digits", "--data", str(data), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{data}: {reason}" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
