"""Strategies (1) all and (2) partial end to end on a tiny set of real photos, with a small
Keras backbone (MobileNetV2 alpha 0.35 at 64×64, its weights saved to a file: no download)."""

import json

import pytest

from tests.support.class_folders import dogs_and_objects
from tests.support.small_keras_backbone import keras_summary_counts, save_small_backbone
from vision_agent.cli import main

SMALL = ["--backbone", "mobilenet_v2", "--alpha", "0.35", "--image-size", "64"]


@pytest.fixture(scope="module")
def backbone_weights(tmp_path_factory):
    return save_small_backbone(tmp_path_factory.mktemp("weights"))


def train(capsys, data, out, *args) -> dict:
    code = main(["train", "classes", str(data), "--out", str(out), "--json", *SMALL, *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["epoch"] for r in records[:-1]] == [1, 2]
    return records[-1]


@pytest.mark.parametrize("strategy", ["partial", "all"])
def test_keras_strategy_end_to_end(capsys, tmp_path, backbone_weights, strategy):
    from vision_agent.training.own_classes_keras import KerasOptions

    data, dogs, objects = dogs_and_objects(tmp_path / "data", held_out=1)
    out = tmp_path / strategy
    extra = ["--backbone-weights", str(backbone_weights)] if strategy == "partial" else []
    done = train(
        capsys, data, out, "--strategy", strategy, "--unfreeze", "2", "--epochs", "2", *extra
    )
    assert done["strategy"] == strategy and done["classes"] == ["dog", "object"]
    options = KerasOptions(
        "mobilenet_v2", strategy, 2, weights=str(backbone_weights), image_size=64, alpha=0.35
    )
    trainable, frozen = keras_summary_counts(options)
    assert done["parameters"] == {"trainable": trainable, "non_trainable": frozen}
    if strategy == "partial":
        head = 2 * 1280 + 2  # the new Dense layer on MobileNetV2's 1280 pooled features
        assert trainable > head and frozen > head  # the last two stages train, the rest not
    assert (out / "own_classes.keras").is_file()
    card = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    assert card["strategy"] == strategy and card["preprocessing"]["layout"] == "NHWC"

    code = main(
        ["classify", "--model", str(out / "own_classes.onnx"), "--json"]
        + [str(p) for p in dogs + objects]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    for line in captured.out.splitlines():
        record = json.loads(line)
        assert {t["label"] for t in record["top"]} == {"dog", "object"}


def refused(capsys, tmp_path, *args) -> str:
    """stderr of a `train classes` on dogs and objects that must exit 2."""
    data, _, _ = dogs_and_objects(tmp_path / "data")
    code = main(["train", "classes", str(data), "--out", str(tmp_path / "m"), *args])
    err = capsys.readouterr().err
    assert code == 2, err
    return err


def test_partial_without_weights_says_where_to_get_them(capsys, tmp_path):
    assert "--backbone-weights" in refused(capsys, tmp_path, *SMALL, "--strategy", "partial")


def test_weights_of_another_network_are_refused_with_the_file_name(
    capsys, tmp_path, backbone_weights
):
    args = ["--strategy", "partial", "--image-size", "64"]  # alpha 1.0: other shapes
    err = refused(capsys, tmp_path, *args, "--backbone-weights", str(backbone_weights))
    assert backbone_weights.name in err
