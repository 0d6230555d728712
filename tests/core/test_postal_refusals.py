"""`vision-agent postal` refuses what it cannot read truthfully (issue 14, items 8 and 9): a digit
model that gives NaN, a result that is not a number (never printed as bare NaN), and images that
are not dark ink on light paper."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.support.drawings import random_mnist_canvas
from tests.support.model_files import constant_onnx_model
from tests.support.paths import asset
from vision_agent.cli import main
from vision_agent.commands.common import emit, for_each_file
from vision_agent.core.imageio import write_image


def strict_json(line: str) -> dict:
    """json.loads, but NaN and Infinity (which Python accepts and JSON does not) are refused."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(line, parse_constant=refuse)


@pytest.fixture
def drawing(tmp_path, mnist):
    canvas, code = random_mnist_canvas(mnist["x_test"], mnist["y_test"], np.random.default_rng(9))
    path = tmp_path / "good.png"
    write_image(path, canvas)
    return path, code


@pytest.mark.parametrize(
    ("name", "weight"),
    [("diverged.onnx", float("nan")), ("overflowing.onnx", 1e38)],  # 1e38: finite on blank only
)
def test_a_model_that_gives_nan_is_refused(capsys, tmp_path, drawing, name, weight):
    model = constant_onnx_model(tmp_path / name, weight)
    assert main(["postal", str(drawing[0]), "--model", str(model), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and f"{name} gives NaN or infinite outputs" in err


def test_a_result_that_is_not_a_number_is_never_printed(capsys, tmp_path):
    photo = tmp_path / "photo.jpg"

    def handle(path):
        emit({"file": str(path), "confidence": float("nan")}, True, f"{path}: nan")

    assert for_each_file([photo], handle) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert (
        err == f"vision-agent: {photo}: the model gave a score that is not a number (NaN or "
        "infinity); no result for it.\n"
    )


def test_pictures_that_are_not_ink_on_paper_are_refused_by_name(capsys, tmp_path, drawing):
    black = tmp_path / "black.png"
    write_image(black, np.zeros((200, 520), np.uint8))
    photo = asset("photos", "dogs", "Beagle_01141.jpg")
    good, code = drawing
    assert main(["postal", str(black), str(photo), str(good), "--json"]) == 1
    out, err = capsys.readouterr()
    assert [strict_json(line)["code"] for line in out.splitlines()] == [code]
    errors = err.splitlines()
    assert len(errors) == 2
    assert f"{black} is not a drawing of dark ink on light paper: it is mostly dark" in errors[0]
    assert f"{photo} is not a drawing of dark ink on light paper: it is in colour" in errors[1]
