"""`vision-agent postal`: JSON lines, blanks, bad files and bad models, as a user runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.support.drawings import blank_canvas, place_mnist_digit, random_mnist_canvas
from vision_agent.core.imageio import write_image

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "vision_agent", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


@pytest.fixture(scope="module")
def drawings(tmp_path_factory, mnist):
    folder = tmp_path_factory.mktemp("drawings 그림")
    rng = np.random.default_rng(4)
    files = {}
    for name in ("first.png", "두번째.png"):
        canvas, code = random_mnist_canvas(mnist["x_test"], mnist["y_test"], rng)
        write_image(folder / name, canvas)
        files[name] = (folder / name, code)
    partial = blank_canvas()
    place_mnist_digit(partial, 1, mnist["x_test"][0], 80)  # a 7 in the second box
    write_image(folder / "partial.png", partial)
    files["partial.png"] = (folder / "partial.png", "?7???")
    return files


def test_json_lines_for_each_file(drawings):
    paths = [str(path) for path, _ in drawings.values()]
    result = run_cli("postal", *paths, "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == paths
    for line, (_, code) in zip(lines, drawings.values(), strict=True):
        assert line["code"] == code
        assert len(line["digits"]) == 5 and line["latency_ms"] >= 0
    partial = lines[2]
    assert partial["digits"][0] == {"digit": None, "confidence": 0.0, "status": "blank"}
    assert partial["digits"][1]["digit"] == 7


def test_plain_output_names_the_region(drawings, tmp_path, mnist):
    canvas = blank_canvas()
    for index, k in enumerate([3, 2, 1, 30, 4]):  # MNIST test digits 0, 1, 2, 3, 4
        place_mnist_digit(canvas, index, mnist["x_test"][k], 80)
    write_image(tmp_path / "seoul.png", canvas)
    result = run_cli("postal", str(tmp_path / "seoul.png"))
    assert result.returncode == 0, result.stderr
    assert "01234" in result.stdout and "서울특별시 (Seoul)" in result.stdout


def test_bad_files_are_reported_and_the_rest_still_processed(drawings, tmp_path):
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    good, code = drawings["first.png"]
    result = run_cli(
        "postal", str(corrupt), str(good), str(empty), str(tmp_path / "gone.png"), "--json"
    )
    assert result.returncode == 1
    assert [json.loads(line)["code"] for line in result.stdout.splitlines()] == [code]
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 3
    assert "corrupt.png" in errors[0] and "empty" in errors[1] and "not found" in errors[2]
    assert "Traceback" not in result.stderr


def test_bad_model_exits_with_a_message(drawings, tmp_path):
    model = tmp_path / "model.onnx"
    model.write_text("not a network")
    result = run_cli("postal", str(drawings["first.png"][0]), "--model", str(model))
    assert result.returncode == 2
    assert "could not be read by OpenCV DNN" in result.stderr and "Traceback" not in result.stderr


def test_keras_model_option(drawings):
    path, code = drawings["first.png"]
    keras_model = REPO / "resources" / "models" / "digits" / "digits_cnn.keras"
    result = run_cli("postal", str(path), "--model", str(keras_model), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["code"] == code
