"""`vision-agent train classes`: real photos in, an ONNX model that `classify` reads out."""

import json

import pytest

from tests.support.class_folders import dogs_and_objects
from tests.support.paths import asset
from vision_agent.cli import main


@pytest.fixture(autouse=True)
def _mobilenet_available():
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_trained_model_classifies_photos_it_never_saw(capsys, tmp_path):
    data, dogs, objects = dogs_and_objects(tmp_path / "data")
    out = tmp_path / "model"
    code = main(["train", "classes", str(data), "--out", str(out), "--epochs", "5", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    records = json_lines(captured.out)
    assert [r["epoch"] for r in records if r["event"] == "epoch"] == [1, 2, 3, 4, 5]
    done = records[-1]
    assert done["event"] == "done" and done["classes"] == ["dog", "object"]
    assert done["photos"] == {"dog": 18, "object": 10}
    assert done["validation_photos"] == 4 + 2
    assert 0.0 <= done["plain_logistic_regression_validation_accuracy"] <= 1.0
    assert 0.0 <= done["plain_with_gaussians_validation_accuracy"] <= 1.0  # every candidate's
    card = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    assert card["strategy"] == "head" and card["backbone_id"] == "mobilenet_v2_int8"
    assert json.loads((out / "classes.json").read_text(encoding="utf-8")) == ["dog", "object"]

    code = main(
        ["classify", "--model", str(out / "own_classes.onnx"), "--json", "--top", "2"]
        + [str(p) for p in dogs + objects]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    tops = [r["top"][0]["label"] for r in json_lines(captured.out)]
    truth = ["dog"] * len(dogs) + ["object"] * len(objects)
    # The run keeps the plain logistic regression here (its folds show the head no clear gain);
    # on 22 training photos (8 objects) it takes the held-out strawberry for a dog (75 %), the
    # dogs and the cat it gets right. Accuracy on many unseen photos: bench/own_classes.py.
    assert tops[: len(dogs)] == truth[: len(dogs)]
    assert sum(t == r for t, r in zip(tops, truth, strict=True)) >= 3


def test_second_run_reuses_the_cached_features(capsys, tmp_path):
    from vision_agent.engine.registry_models import features_cache

    data, _, _ = dogs_and_objects(tmp_path / "data")
    cache = features_cache()
    counts, runs = [], []
    for out in ("first", "second"):
        before = len(list(cache.glob("*.npy")))
        args = ["train", "classes", str(data), "--out", str(tmp_path / out), "--epochs", "1"]
        assert main([*args, "--json"]) == 0
        runs.append(json_lines(capsys.readouterr().out)[-1])
        counts.append(len(list(cache.glob("*.npy"))) - before)
    assert counts == [28, 0]
    assert runs[0]["validation_accuracy"] == runs[1]["validation_accuracy"]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda root: root / "absent", "is not a folder"),
        (
            lambda root: (root / "one" / "only").mkdir(parents=True) or root / "one",
            "two subfolders",
        ),
    ],
)
def test_unusable_data_folder_is_named(capsys, tmp_path, make, words):
    folder = make(tmp_path)
    code = main(["train", "classes", str(folder), "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err
    assert code == 2 and str(folder) in err and words in err


def test_unreadable_photo_is_skipped_and_named(capsys, tmp_path):
    data, _, _ = dogs_and_objects(tmp_path / "data")
    broken = data / "dog" / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    code = main(["train", "classes", str(data), "--out", str(tmp_path / "m"), "--epochs", "1"])
    captured = capsys.readouterr()
    assert code == 0 and f"skipped {broken}" in captured.err


def test_onnx_file_without_a_card_is_refused_with_its_name(capsys, tmp_path):
    stray = tmp_path / "stray.onnx"
    stray.write_bytes(
        asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx").read_bytes()
    )
    photo = asset("photos", "objects", "banana_jetson_banana_0.jpg")
    code = main(["classify", "--model", str(stray), str(photo)])
    err = capsys.readouterr().err
    assert code == 2 and "stray.onnx" in err and "model_card.json" in err
