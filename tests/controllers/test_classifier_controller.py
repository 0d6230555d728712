"""The ImageNet tab's controller without its widgets: a real MobileNetV2 (ONNX) in its service,
real settings and a real model store."""

from __future__ import annotations

import pytest

from tests.support import photo_files
from tests.support.paths import asset
from vision_agent.controllers.choices import CLASSIFIER_MODEL_KEY, SharedChoices
from vision_agent.controllers.classifier import ClassifierController
from vision_agent.core.imageio import read_image
from vision_agent.core.settings import Settings

TIMEOUT = 60_000


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(tmp_path / "settings.json")


@pytest.fixture
def controller(qtbot, settings):
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    controller = ClassifierController(SharedChoices(settings), "mobilenet_v2")
    controller.start()
    qtbot.waitUntil(lambda: controller.service.state == "ready", timeout=TIMEOUT)
    yield controller
    controller.shutdown()


def classify(qtbot, controller: ClassifierController, name: str) -> None:
    controller.show_photo(read_image(asset(*photo_files.BANANA)), name)
    qtbot.waitUntil(
        lambda: controller.result is not None and not controller.is_busy(), timeout=TIMEOUT
    )
    assert controller.result.top[0].label == "banana" and controller.photo_name == name


def test_a_missing_model_is_not_loaded_and_the_one_in_use_keeps_answering(qtbot, controller):
    classify(qtbot, controller, "before")
    controller.load_model("googlenet")
    assert controller.slot.refusal.missing_id == "googlenet_caffe"
    assert controller.service.state == "ready" and controller.model == "mobilenet_v2"
    classify(qtbot, controller, "after")


def test_the_shared_choice_changes_only_when_the_model_loaded(
    qtbot, controller, settings, tmp_path
):
    announced: list[str] = []
    controller.choices.sig_imagenet_model_changed.connect(announced.append)
    broken = tmp_path / "own.h5"
    broken.write_bytes(b"not a Keras file")
    controller.load_model(str(broken))
    qtbot.waitUntil(lambda: controller.slot.refusal is not None, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: controller.service.state == "ready", timeout=TIMEOUT)
    assert announced == [] and settings.value(CLASSIFIER_MODEL_KEY) == ""
    assert controller.model == "mobilenet_v2" and not controller.is_keras_model()
    classify(qtbot, controller, "still answering")
    controller.load_model("mobilenet_v2")  # the user picks it: remembered once it works
    qtbot.waitUntil(lambda: announced == ["mobilenet_v2"], timeout=TIMEOUT)
    assert settings.value(CLASSIFIER_MODEL_KEY) == "mobilenet_v2"
    assert controller.slot.refusal is None
