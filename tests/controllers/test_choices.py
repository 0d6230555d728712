"""SharedChoices with a real model store: which ImageNet model a tab opens on, what is present,
and a model imported while the app runs becoming usable at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import asset
from vision_agent.controllers.choices import CLASSIFIER_MODEL_KEY, SharedChoices
from vision_agent.core.settings import Settings
from vision_agent.models.store import ModelStore
from vision_agent.ui.widgets.model_combo import ModelCombo


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(tmp_path / "settings.json")


def choices_with(settings: Settings, search: list[Path], cache: Path) -> SharedChoices:
    return SharedChoices(settings, lambda: ModelStore(search_path=search, cache_dir=cache))


@pytest.fixture
def mobilenet_folder() -> Path:
    return asset("imagenet_small", "mobilenetv2-12-int8_onnx")


def test_the_saved_choice_is_used_when_its_model_is_here(
    qapp, settings, mobilenet_folder, tmp_path
):
    settings.setValue(CLASSIFIER_MODEL_KEY, "mobilenet_v2")
    assert choices_with(settings, [mobilenet_folder], tmp_path).imagenet_model() == "mobilenet_v2"


def test_offline_a_missing_choice_gives_way_to_a_model_that_is_here(
    qapp, settings, mobilenet_folder, tmp_path
):
    settings.setValue(CLASSIFIER_MODEL_KEY, "googlenet")
    choices = choices_with(settings, [mobilenet_folder], tmp_path)
    assert choices.imagenet_model() == "mobilenet_v2"
    assert settings.value(CLASSIFIER_MODEL_KEY) == "googlenet"  # the user's choice is kept
    settings.remove(CLASSIFIER_MODEL_KEY)
    assert choices.imagenet_model() == "mobilenet_v2"


def test_with_no_model_here_the_choice_or_the_default_stays(qapp, settings, tmp_path):
    choices = choices_with(settings, [], tmp_path)
    assert choices.imagenet_model() == "resnet50"
    settings.setValue(CLASSIFIER_MODEL_KEY, "googlenet")
    assert choices.imagenet_model() == "googlenet"


def test_a_users_keras_file_is_restored_while_it_exists(qapp, settings, tmp_path):
    own = tmp_path / "own.keras"
    own.write_bytes(b"x")
    settings.setValue(CLASSIFIER_MODEL_KEY, str(own))
    choices = choices_with(settings, [], tmp_path)
    assert choices.imagenet_model() == str(own)
    own.unlink()
    assert choices.imagenet_model() == "resnet50"


def test_a_choice_is_saved_and_announced(qtbot, settings, tmp_path):
    choices = choices_with(settings, [], tmp_path)
    with qtbot.waitSignal(choices.sig_imagenet_model_changed) as changed:
        choices.set_imagenet_model("googlenet")
    assert changed.args == ["googlenet"]
    assert settings.value(CLASSIFIER_MODEL_KEY) == "googlenet"


def test_an_imported_model_is_present_after_models_changed(
    qtbot, settings, mobilenet_folder, tmp_path
):
    cache = tmp_path / "cache"
    choices = choices_with(settings, [], cache)
    assert not choices.is_present("mobilenet_v2_int8")
    ModelStore(search_path=[], cache_dir=cache).import_dir(mobilenet_folder)
    assert not choices.is_present("mobilenet_v2_int8")  # remembered until told
    with qtbot.waitSignal(choices.sig_models_changed):
        choices.models_changed()
    assert choices.is_present("mobilenet_v2_int8")
    assert not choices.is_present("no_such_model")


def test_the_model_list_marks_what_needs_a_download_and_its_size(qtbot):
    combo = ModelCombo()
    qtbot.addWidget(combo)
    items = [
        ("mobilenet_v2", "MobileNetV2", "mobilenet_v2_int8"),
        ("googlenet", "GoogLeNet", "googlenet_caffe"),
        ("/x/own.h5", "own.h5", None),
    ]
    combo.fill(items, "googlenet", lambda model_id: False)
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert texts == ["MobileNetV2 — download 3.7 MB", "GoogLeNet — download needed", "own.h5"]
    assert combo.currentData() == "googlenet"
    combo.fill(items, "mobilenet_v2", lambda model_id: True)
    assert combo.itemText(0) == "MobileNetV2" and combo.currentIndex() == 0
