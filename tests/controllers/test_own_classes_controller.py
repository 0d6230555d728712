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
    assert tried.args[0].classification.top[0].label == "blue"


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


def test_the_imagenet_tab_opens_a_model_trained_here(qtbot, tmp_path):
    from tests.support.class_folders import dogs_and_objects
    from vision_agent.cli import main
    from vision_agent.controllers.choices import SharedChoices
    from vision_agent.controllers.classifier import ClassifierController
    from vision_agent.core.imageio import read_image
    from vision_agent.core.settings import Settings

    data, dogs, _ = dogs_and_objects(tmp_path / "data")
    assert main(["train", "classes", str(data), "--out", str(tmp_path / "m"), "--epochs", "5"]) == 0
    choices = SharedChoices(Settings(tmp_path / "settings.json"))
    imagenet = ClassifierController(choices, "mobilenet_v2")
    imagenet.start()
    try:
        imagenet.load_model(str(tmp_path / "m" / "own_classes.onnx"))
        qtbot.waitUntil(lambda: imagenet.service.state == "ready", timeout=60_000)
        imagenet.show_photo(read_image(dogs[0]), dogs[0].name)
        qtbot.waitUntil(lambda: imagenet.result is not None, timeout=60_000)
        assert imagenet.result.top[0].label == "dog" and not imagenet.is_keras_model()
    finally:
        imagenet.shutdown()


def test_partial_strategy_trains_in_the_child_with_keras_counts(qtbot, controller, tmp_path):
    from tests.support.small_keras_backbone import (
        ALPHA,
        SIZE,
        keras_summary_counts,
        save_small_backbone,
    )

    weights = save_small_backbone(tmp_path)
    for name in ("red", "blue"):
        colour_photos(tmp_path / "photos" / name, name, 6)
        controller.add_photos(controller.add_class(name), [tmp_path / "photos" / name])
    controller.set_strategy(
        strategy="partial", unfreeze=2, epochs=2, weights=str(weights), image_size=SIZE, alpha=ALPHA
    )
    qtbot.waitUntil(lambda: controller.network is not None, timeout=120_000)
    expected = keras_summary_counts(controller.request.keras_options())
    shown = controller.network
    assert (shown.trainable, shown.non_trainable) == expected
    assert [s.trainable for s in shown.stages][-3:] == [True, True, True]  # block 16, top, head
    assert not shown.stages[0].trainable
    with qtbot.waitSignal(controller.sig_runs_changed, timeout=300_000):
        controller.train()
    run = controller.latest_run
    assert run["strategy"] == "partial" and run["epochs"] == 2
    assert run["parameters"] == {"trainable": expected[0], "non_trainable": expected[1]}


def test_an_unreadable_project_file_is_named_and_never_overwritten(qtbot, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "project.json").write_text('{"classes": [', encoding="utf-8")
    controller = OwnClassesController(folder)
    errors = []
    controller.sig_error.connect(errors.append)
    try:
        controller.start()
        assert errors and "project.json" in errors[0]
        controller.add_class("cats")
        assert (folder / "project.json").read_text(encoding="utf-8") == '{"classes": ['
        assert [c.name for c in controller.classes] == ["cats"]
    finally:
        controller.shutdown()
