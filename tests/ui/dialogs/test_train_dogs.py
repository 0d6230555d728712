"""Training phases: a pretrained backbone stays frozen in phase 1 and is tuned in phase 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support.breed_folders import BREEDS, tiny_breed_folders
from vision_agent.core.errors import UserError
from vision_agent.engine.events import listening
from vision_agent.training.dogs import DogTrainingOptions, build_model, train_dog_breeds

keras = pytest.importorskip("keras")

TWO_BREEDS = BREEDS[:2]


def _pretrained_tiny_backbone(tmp_path: Path) -> tuple[Path, list[np.ndarray]]:
    options = DogTrainingOptions("", "", backbone="tiny", backbone_weights="none", image_size=32)
    _, backbone = build_model(options, 2)
    path = tmp_path / "tiny_backbone.weights.h5"
    backbone.save_weights(path)
    return path, [w.copy() for w in backbone.get_weights()]


def _trained_backbone_weights(report) -> list[np.ndarray]:
    model = keras.models.load_model(report.model_path, compile=False)
    return model.get_layer("tiny_backbone").get_weights()


def _options(tmp_path: Path, weights: Path, fine_tune_epochs: int) -> DogTrainingOptions:
    return DogTrainingOptions(
        data_dir=str(tiny_breed_folders(tmp_path / f"data{fine_tune_epochs}", TWO_BREEDS)),
        out_dir=str(tmp_path / f"out{fine_tune_epochs}"),
        epochs=1,
        fine_tune_epochs=fine_tune_epochs,
        backbone="tiny",
        backbone_weights=str(weights),
        image_size=32,
        batch_size=4,
    )


def test_frozen_phase_keeps_the_pretrained_backbone(tmp_path: Path) -> None:
    weights, before = _pretrained_tiny_backbone(tmp_path)
    events: list = []
    with listening(events.append):
        report = train_dog_breeds(_options(tmp_path, weights, fine_tune_epochs=0))
    after = _trained_backbone_weights(report)
    kernels = [i for i, w in enumerate(before) if w.ndim == 4]
    for i in kernels:
        np.testing.assert_array_equal(after[i], before[i])
    assert report.history["phase"] == ["frozen"]
    assert [e["kind"] for e in events].count("epoch") == 1
    assert events[-1] == {"kind": "done", "model_path": report.model_path}


def test_fine_tuning_changes_the_backbone(tmp_path: Path) -> None:
    weights, before = _pretrained_tiny_backbone(tmp_path)
    report = train_dog_breeds(_options(tmp_path, weights, fine_tune_epochs=1))
    after = _trained_backbone_weights(report)
    assert report.history["phase"] == ["frozen", "fine-tune"]
    assert any(not np.array_equal(a, b) for a, b in zip(after, before, strict=True) if b.ndim == 4)


def test_densenet121_with_the_course_head() -> None:
    options = DogTrainingOptions("", "", backbone_weights="none", head="course", image_size=64)
    model, backbone = build_model(options, 120)
    assert backbone.name == "densenet121"
    assert model.output_shape == (None, 120)
    assert any(type(layer).__name__ == "Flatten" for layer in model.layers)
    names = [type(layer).__name__ for layer in model.layers]
    assert names.index("Rescaling") < names.index("Normalization") < names.index("Functional")


def test_bad_options_and_weights(tmp_path: Path) -> None:
    data = str(tiny_breed_folders(tmp_path / "data", TWO_BREEDS))
    with pytest.raises(UserError, match="densenet121 backbone only"):
        train_dog_breeds(DogTrainingOptions(data, str(tmp_path), backbone="tiny", image_size=32))
    with pytest.raises(UserError, match="not found"):
        train_dog_breeds(
            DogTrainingOptions(data, str(tmp_path), backbone="tiny", backbone_weights="x.h5")
        )
    wrong = tmp_path / "wrong.weights.h5"
    keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]).save_weights(wrong)
    with pytest.raises(UserError, match="do not fit"):
        train_dog_breeds(
            DogTrainingOptions(
                data, str(tmp_path), backbone="tiny", backbone_weights=str(wrong), image_size=32
            )
        )
    with pytest.raises(UserError, match="image size"):
        train_dog_breeds(DogTrainingOptions(data, str(tmp_path), image_size=8))
