"""The "My classes" controller: training in a child process, runs saved, Try it, Cancel."""

import json

import pytest

from tests.support.colour_photos import colour_photos
from tests.support.paths import asset
from vision_agent.controllers.own_classes import OwnClassesController


@pytest.fixture(autouse=True)
def _mobilenet_available():
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")


@pytest.fixture
def controller(qtbot, tmp_path):
    controller = OwnClassesController(tmp_path / "project")
    controller.start()
    yield controller
    controller.shutdown()


def test_train_gives_a_right_confusion_matrix_and_try_it_answers(qtbot, controller, tmp_path):
    for name in ("red", "blue"):
        colour_photos(tmp_path / "photos" / name, name, 10)
        controller.add_photos(controller.add_class(name), [tmp_path / "photos" / name])
    controller.set_strategy(epochs=20)
    epochs = []
    controller.sig_epoch.connect(epochs.append)
    with qtbot.waitSignal(controller.sig_runs_changed, timeout=120_000):
        controller.train()
    run = controller.latest_run
    assert [f.epoch for f in epochs] == list(range(1, 21))
    assert run["confusion_matrix"] == [[2, 0], [0, 2]]
    assert run["validation_accuracy"] == 1.0
    saved = json.loads((tmp_path / "project" / "project.json").read_text(encoding="utf-8"))
    assert [c["name"] for c in saved["classes"]] == ["red", "blue"]
    assert saved["runs"][0]["number"] == 1

    probe = colour_photos(tmp_path / "probe", "blue", 1, seed=5)[0]
    with qtbot.waitSignal(controller.sig_tried, timeout=60_000) as tried:
        controller.try_photo(probe)
    assert tried.args[0].top[0].label == "blue"


def test_cancel_ends_the_training_process_at_once(qtbot, controller, tmp_path):
    import multiprocessing

    for name in ("red", "blue"):
        colour_photos(tmp_path / "photos" / name, name, 100)
        controller.add_photos(controller.add_class(name), [tmp_path / "photos" / name])
    controller.train()
    qtbot.waitUntil(lambda: controller.progress.startswith("Features"), timeout=120_000)
    assert controller.training and multiprocessing.active_children()
    controller.cancel()
    assert not controller.training
    assert multiprocessing.active_children() == []
    assert controller.project.runs == []
