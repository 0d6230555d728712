"""SharedChoices with a real model store: which ImageNet model a tab opens on, what is present,
and a model imported while the app runs becoming usable at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.imagenet_models import RESNET50_FILE, registry_with_resnet50
from tests.support.model_server import only_digits_shipped
from vision_agent.controllers.choices import CLASSIFIER_MODEL_KEY, SharedChoices
from vision_agent.core.settings import Settings
from vision_agent.models.registry import Registry
from vision_agent.models.store import ModelStore
from vision_agent.ui.widgets.model_combo import ModelCombo


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(tmp_path / "settings.json")


def choices_with(
    settings: Settings, search: list[Path], cache: Path, registry: Registry | None = None
) -> SharedChoices:
    return SharedChoices(
        settings, lambda: ModelStore(registry, search_path=search, cache_dir=cache)
    )


@pytest.fixture
def resnet50_folder(tmp_path) -> tuple[Path, Registry]:
    """A folder holding a file the registry takes for ResNet50's weights (its hash is listed)."""
    folder = tmp_path / "usb"
    folder.mkdir()
    weights = folder / RESNET50_FILE
    weights.write_bytes(b"weights")
    return folder, Registry(registry_with_resnet50(tmp_path, weights))


def test_the_saved_choice_is_used_when_its_model_is_here(qapp, settings, resnet50_folder, tmp_path):
    folder, registry = resnet50_folder
    settings.setValue(CLASSIFIER_MODEL_KEY, "resnet50")
    assert choices_with(settings, [folder], tmp_path, registry).imagenet_model() == "resnet50"


def test_without_a_choice_the_tabs_start_on_the_shipped_model(
    qapp, settings, resnet50_folder, tmp_path
):
    """MobileNetV2 int8 ships with the app: the tabs start on it even when ResNet50 is here."""
    folder, registry = resnet50_folder
    choices = choices_with(settings, [folder], tmp_path, registry)
    assert choices.is_present("resnet50_imagenet") and choices.is_present("mobilenet_v2_int8")
    assert choices.imagenet_model() == "mobilenet_v2"


def test_offline_a_missing_choice_gives_way_to_the_shipped_model(qapp, settings, tmp_path):
    settings.setValue(CLASSIFIER_MODEL_KEY, "googlenet")
    choices = choices_with(settings, [], tmp_path)
    assert choices.imagenet_model() == "mobilenet_v2"
    assert settings.value(CLASSIFIER_MODEL_KEY) == "googlenet"  # the user's choice is kept
    settings.remove(CLASSIFIER_MODEL_KEY)
    assert choices.imagenet_model() == "mobilenet_v2"


def test_with_no_model_here_the_choice_or_the_default_stays(qapp, settings, tmp_path):
    """A registry in which nothing but the digit model ships: nothing to give way to."""
    registry = Registry(only_digits_shipped(tmp_path))
    choices = choices_with(settings, [], tmp_path, registry)
    assert choices.imagenet_model() == "mobilenet_v2"
    settings.setValue(CLASSIFIER_MODEL_KEY, "googlenet")
    assert choices.imagenet_model() == "googlenet"


def test_a_users_keras_file_is_restored_while_it_exists(qapp, settings, tmp_path):
    own = tmp_path / "own.keras"
    own.write_bytes(b"x")
    settings.setValue(CLASSIFIER_MODEL_KEY, str(own))
    choices = choices_with(settings, [], tmp_path)
    assert choices.imagenet_model() == str(own)
    own.unlink()
    assert choices.imagenet_model() == "mobilenet_v2"


def test_a_choice_is_saved_and_announced(qtbot, settings, tmp_path):
    choices = choices_with(settings, [], tmp_path)
    with qtbot.waitSignal(choices.sig_imagenet_model_changed) as changed:
        choices.set_imagenet_model("googlenet")
    assert changed.args == ["googlenet"]
    assert settings.value(CLASSIFIER_MODEL_KEY) == "googlenet"


def test_an_imported_model_is_present_after_models_changed(
    qtbot, settings, resnet50_folder, tmp_path
):
    folder, registry = resnet50_folder
    cache = tmp_path / "cache"
    choices = choices_with(settings, [], cache, registry)
    assert not choices.is_present("resnet50_imagenet")
    ModelStore(registry, search_path=[], cache_dir=cache).import_dir(folder)
    assert not choices.is_present("resnet50_imagenet")  # remembered until told
    with qtbot.waitSignal(choices.sig_models_changed):
        choices.models_changed()
    assert choices.is_present("resnet50_imagenet")
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
    assert texts == ["MobileNetV2 — download 3.7 MB", "GoogLeNet — download 53.6 MB", "own.h5"]
    assert combo.currentData() == "googlenet"
    combo.fill(items, "mobilenet_v2", lambda model_id: True)
    assert combo.itemText(0) == "MobileNetV2" and combo.currentIndex() == 0
