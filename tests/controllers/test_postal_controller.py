"""The postal tab's controller without widgets: the shipped digit model in its service thread,
real drawings, the signals a view would render."""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest

from tests.support.model_files import constant_onnx_model
from vision_agent.controllers.postal import PostalController
from vision_agent.core.postal import SHIPPED_MODEL, box_rect
from vision_agent.training.digit_checks import blank_canvas

TIMEOUT = 15000


def ones(boxes: int) -> np.ndarray:
    """A drawing with a firm vertical stroke (a 1) in each of the first `boxes` boxes."""
    canvas = blank_canvas()
    for index in range(boxes):
        x, y, w, h = box_rect(index)
        cv2.line(canvas, (x + w // 2, y + 15), (x + w // 2, y + h - 15), 0, 9, cv2.LINE_AA)
    return canvas


@pytest.fixture
def controller(qtbot):
    controller = PostalController()
    readings = []
    controller.sig_recognized.connect(lambda reading: readings.append(reading.code))
    controller.readings = readings  # what a view would have been given, in order
    yield controller
    controller.shutdown()


def load(qtbot, controller, path=SHIPPED_MODEL) -> None:
    controller.load_model(path)
    qtbot.waitUntil(lambda: controller.slot.state == "ready", timeout=TIMEOUT)


def test_the_newest_drawing_wins(qtbot, controller):
    load(qtbot, controller)
    for boxes in (1, 2, 3):
        controller.recognize(ones(boxes))
    qtbot.waitUntil(lambda: controller.readings == ["111??"], timeout=TIMEOUT)
    assert controller.reading.code == "111??"


def test_a_forgotten_drawing_is_never_read(qtbot, controller):
    load(qtbot, controller)
    controller.recognize(ones(1))
    controller.forget_drawing()  # Erase: its reading must not arrive after it
    assert controller.reading is None
    controller.recognize(ones(2))
    qtbot.waitUntil(lambda: controller.readings == ["11???"], timeout=TIMEOUT)


def test_a_drawing_sent_before_any_model_is_read_once_one_is_ready(qtbot, controller):
    controller.recognize(ones(1))  # `vision-agent gui drawing.png`: the drawing comes first
    controller.load_model(SHIPPED_MODEL)
    qtbot.waitUntil(lambda: controller.readings == ["1????"], timeout=TIMEOUT)


def test_a_refused_model_brings_back_the_one_before(qtbot, controller, tmp_path):
    load(qtbot, controller)
    refusals = []
    controller.slot.sig_refused.connect(refusals.append)
    controller.recognize(ones(2))
    qtbot.waitUntil(lambda: controller.readings == ["11???"], timeout=TIMEOUT)
    controller.load_model(constant_onnx_model(tmp_path / "five.onnx", 0.1, outputs=5))
    qtbot.waitUntil(lambda: bool(refusals), timeout=TIMEOUT)
    assert "five.onnx" in refusals[0].message and controller.slot.refusal == refusals[0]
    assert controller.model_path == SHIPPED_MODEL
    qtbot.waitUntil(lambda: controller.slot.state == "ready", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: controller.readings == ["11???", "11???"], timeout=TIMEOUT)


def test_looking_inside_asks_the_model_only_while_on(qtbot, controller, monkeypatch):
    load(qtbot, controller)
    methods = []
    call = controller.service.call
    monkeypatch.setattr(
        controller.service,
        "call",
        lambda m, *a, **k: (methods.append(m.__name__), call(m, *a, **k))[1],
    )
    explained = []
    controller.sig_explained.connect(explained.append)
    controller.choose_box(1)
    controller.recognize(ones(2))
    qtbot.waitUntil(lambda: controller.readings == ["11???"], timeout=TIMEOUT)
    assert "explain" not in methods
    controller.look_inside(True)
    qtbot.waitUntil(lambda: bool(explained), timeout=TIMEOUT)
    assert explained[0].box == 1 and methods.count("explain") == 1
    controller.choose_box(0)
    qtbot.waitUntil(lambda: len(explained) == 2, timeout=TIMEOUT)
    assert explained[1].box == 0
    controller.forget_drawing()
    assert not controller.explaining()
    controller.look_inside(False)
    controller.recognize(ones(1))
    qtbot.waitUntil(lambda: controller.readings[-1] == "1????", timeout=TIMEOUT)
    assert methods.count("explain") == 2


def test_code_labels_skip_blank_boxes_and_refuse_bad_codes(qtbot, controller):
    load(qtbot, controller)
    assert controller.code_labels("11???") is None  # nothing read yet
    controller.recognize(ones(2))
    qtbot.waitUntil(lambda: controller.reading is not None, timeout=TIMEOUT)
    assert controller.code_labels("4?799") == {0: 4}  # box 2 skipped, boxes 3-5 are blank
    assert controller.code_labels("4799") is None
    assert controller.code_labels("47a99") is None


def test_a_drawing_sent_while_the_model_loads_is_read_once(
    qtbot, controller, monkeypatch, tmp_path
):
    methods = []
    call = controller.service.call
    monkeypatch.setattr(
        controller.service,
        "call",
        lambda m, *a, **k: (methods.append(m.__name__), call(m, *a, **k))[1],
    )
    controller.load_model(SHIPPED_MODEL)
    controller.recognize(ones(1))  # waits for the model, which then reads it: no second read
    qtbot.waitUntil(lambda: controller.readings == ["1????"], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: controller.slot.state == "ready", timeout=TIMEOUT)
    assert methods.count("recognize") == 1
    for twin in SHIPPED_MODEL.parent.glob(SHIPPED_MODEL.stem + ".*"):
        shutil.copy(twin, tmp_path)
    controller.load_model(tmp_path / SHIPPED_MODEL.name)  # another model reads it too
    qtbot.waitUntil(lambda: controller.readings == ["1????", "1????"], timeout=TIMEOUT)
    assert methods.count("recognize") == 2
