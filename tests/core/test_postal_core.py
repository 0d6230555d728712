"""The postal-code postal_recognizer on composed canvases, its regions and its JSON."""

import json

import numpy as np
import pytest

from tests.support.drawings import blank_canvas, place_mnist_digit, random_mnist_canvas
from vision_agent.core.digits import normalize_digit, normalize_digit_steps
from vision_agent.core.postal import box_ink, box_rect, canvas_inputs
from vision_agent.core.regions import region_for_code


@pytest.mark.parametrize(
    ("code", "english"),
    [
        ("01234", "Seoul"),
        ("10500", "Gyeonggi-do"),
        ("30100", "Sejong"),
        ("63000", "Jeju"),
        ("48058", "Busan"),
        ("61452", "Gwangju"),
    ],
)
def test_regions_of_plausible_codes(code, english):
    assert region_for_code(code).en == english


@pytest.mark.parametrize("code", ["00123", "64000", "69999", "70000", "99999", "1?345", "1234"])
def test_reserved_northern_or_incomplete_codes_have_no_region(code):
    assert region_for_code(code) is None


def test_mnist_test_digits_on_the_canvas_are_read(postal_recognizer, mnist):
    rng = np.random.default_rng(7)
    digits_right = codes_right = 0
    trials = 150
    for _ in range(trials):
        canvas, code = random_mnist_canvas(mnist["x_test"], mnist["y_test"], rng)
        read = postal_recognizer.recognize(canvas).code
        codes_right += read == code
        digits_right += sum(a == b for a, b in zip(read, code, strict=True))
    assert digits_right / (5 * trials) >= 0.985
    assert codes_right / trials >= 0.93


def test_blank_boxes_are_reported_as_blank(postal_recognizer, mnist):
    canvas = blank_canvas()
    place_mnist_digit(canvas, 0, mnist["x_test"][0], 80)  # a 7
    place_mnist_digit(canvas, 2, mnist["x_test"][1], 80)  # a 2
    reading = postal_recognizer.recognize(canvas)
    assert reading.code == "7?2??"
    assert reading.digits[1].digit is None and reading.digits[1].confidence == 0.0
    assert reading.region is None
    record = json.loads(json.dumps(reading.to_json("a.png")))
    assert record["file"] == "a.png" and record["code"] == "7?2??"
    assert record["digits"][1] == {"digit": None, "confidence": 0.0, "status": "blank"}
    assert record["digits"][0]["digit"] == 7 and record["digits"][0]["confidence"] > 0.9
    assert record["latency_ms"] >= 0


def test_that_was_teaches_the_boxes_holding_ink_with_their_digits(postal_recognizer, mnist):
    """'That was: 1?21?' on a canvas of a 7 (read 7) in box 1 and a 2 in box 3: the 7's box is
    taught a 1, box 2 is skipped by '?', box 3 its 2, and the blank boxes nothing."""
    canvas = blank_canvas()
    place_mnist_digit(canvas, 0, mnist["x_test"][0], 80)  # a 7
    place_mnist_digit(canvas, 2, mnist["x_test"][1], 80)  # a 2
    place_mnist_digit(canvas, 1, mnist["x_test"][2], 80)  # a 1
    reading = postal_recognizer.recognize(canvas)
    assert reading.taught_labels("1?21?") == {0: 1, 2: 2}  # box 4 is blank, box 5 skipped
    assert reading.taught_labels("1?2") is None and reading.taught_labels("1?2a1") is None
    inputs, labels = reading.taught_boxes({2: 2, 0: 1})
    assert labels.tolist() == [1, 2]
    assert np.array_equal(inputs, reading.inputs[[0, 2]]) and inputs.max() > 0.5


def test_box_guides_in_a_screenshot_are_not_ink(postal_recognizer, mnist):
    canvas, code = random_mnist_canvas(mnist["x_test"], mnist["y_test"], np.random.default_rng(3))
    for i in range(5):  # light guide outlines as a screenshot of the tab would have them
        x = 10 + 100 * i
        canvas[50, x : x + 100] = canvas[149, x : x + 100] = 200
        canvas[50:150, x] = canvas[50:150, x + 99] = 200
    assert postal_recognizer.recognize(canvas).code == code


def test_inputs_are_five_mnist_style_images(mnist):
    canvas, _ = random_mnist_canvas(mnist["x_test"], mnist["y_test"], np.random.default_rng(5))
    inputs, present = canvas_inputs(canvas)
    assert inputs.shape == (5, 28, 28) and present == [True] * 5
    assert inputs.max() == pytest.approx(1.0) and inputs.min() == 0.0
    for digit in inputs:  # fitted into 20×20: nearly all ink lies in the central 22×22
        assert digit[3:25, 3:25].sum() >= 0.97 * digit.sum()


def test_boxes_cut_together_are_each_exactly_as_cut_alone(mnist):
    """The five boxes are normalised in shared passes; each comes out bit for bit as it does
    alone, which is also what "Inside the network" shows for it (blank boxes and specks too)."""
    rng = np.random.default_rng(11)
    for _ in range(40):
        canvas, _ = random_mnist_canvas(mnist["x_test"], mnist["y_test"], rng)
        blank = int(rng.integers(6))
        if blank < 5:
            x, y, w, h = box_rect(blank)
            canvas[y : y + h, x : x + w] = 255
            canvas[y + 40 : y + 42, x + 40 : x + 42] = 0  # a speck, not a digit
        inputs, present = canvas_inputs(canvas)
        for i in range(5):
            alone = normalize_digit(box_ink(canvas, i))
            steps = normalize_digit_steps(box_ink(canvas, i))
            assert present[i] == (alone is not None) == (steps is not None) == (i != blank)
            if alone is None:
                assert not inputs[i].any()
            else:
                assert np.array_equal(inputs[i], alone)
                assert np.array_equal(inputs[i], steps.centered)
