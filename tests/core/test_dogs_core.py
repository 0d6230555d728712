"""The default recognizer (ImageNet dog classes) on the shared real photos, and bad inputs."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.support.paths import asset
from vision_agent.core.breed_names import imagenet_display_name
from vision_agent.core.dogs import DOG_THRESHOLD, ImageNetDogRecognizer, dog_scores
from vision_agent.core.errors import UserError
from vision_agent.engine.registry_models import dog_recognizer

ONNX = ("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")


@pytest.fixture(scope="module")
def recognizer() -> ImageNetDogRecognizer:
    return dog_recognizer("mobilenet_v2_int8", files={"weights": asset(*ONNX)})


def _photos(kinds: tuple[str, ...]) -> list[dict]:
    labels = asset("photos", "labels.csv")
    with open(labels, encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["kind"] in kinds]


def test_every_dog_photo_is_a_dog_with_its_breed_in_the_top5(recognizer) -> None:
    dogs = _photos(("dog",))
    assert len(dogs) == 20
    for row in dogs:
        result = recognizer.recognize_file(asset("photos", row["file"]))
        expected = imagenet_display_name(row["label"])
        breeds = [s.breed for s in result.top]
        assert result.is_dog, (row["file"], result.dog_score)
        assert result.dog_score >= 0.9
        assert expected in breeds, (row["file"], breeds)
        assert len(result.top) == 5
        assert sum(s.probability for s in result.top) <= 1.0 + 1e-6
        assert result.annotated is not None and result.annotated.dtype == np.uint8


def test_no_other_photo_is_a_dog_and_the_tab_says_what_it_sees(recognizer) -> None:
    others = _photos(("object", "face", "noface"))
    assert len(others) == 25
    for row in others:
        result = recognizer.recognize_file(asset("photos", row["file"]))
        assert result.is_dog is False, (row["file"], result.dog_score)
        assert result.dog_score < DOG_THRESHOLD / 3
        assert result.seen
        assert result.headline().startswith("No dog found — this looks like")
    tabby = recognizer.recognize_file(asset("photos", "objects", "tabby_cat_jetson_cat_1.jpg"))
    assert tabby.seen in ("tabby", "tiger cat", "Egyptian cat")
    assert tabby.to_json("x")["seen"] == tabby.seen


def test_json_line_shape(recognizer) -> None:
    result = recognizer.recognize_file(asset("photos", "dogs", "Golden_retriever_05195.jpg"))
    data = result.to_json("golden.jpg")
    assert list(data)[:5] == ["file", "is_dog", "dog_score", "top", "latency_ms"]
    assert data["top"][0] == {
        "breed": "golden retriever",
        "probability": data["top"][0]["probability"],
    }
    assert data["is_dog"] is True and 0.9 <= data["dog_score"] <= 1.0


def test_dog_scores_renormalise_the_dog_classes() -> None:
    p = np.zeros(1000)
    p[207], p[208], p[281] = 0.3, 0.1, 0.6
    mass, breeds = dog_scores(p)
    assert mass == pytest.approx(0.4)
    assert breeds.sum() == pytest.approx(1.0)
    assert breeds[207 - 151] == pytest.approx(0.75)


def test_bad_inputs_give_messages_not_crashes(recognizer, tmp_path: Path) -> None:
    photo = asset("photos", "dogs", "Beagle_01141.jpg")
    rgb = cv2.cvtColor(cv2.imread(str(photo)), cv2.COLOR_BGR2RGB)
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "corrupt.jpg").write_bytes(photo.read_bytes()[:300])
    (tmp_path / "text.png").write_text("not an image")
    for name in ("empty.jpg", "corrupt.jpg", "text.png", "missing.jpg"):
        with pytest.raises(UserError):
            recognizer.recognize_file(tmp_path / name)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    cv2.imwrite(str(tmp_path / "gray.png"), gray)
    cv2.imwrite(str(tmp_path / "sixteen.png"), rgb[..., ::-1].astype(np.uint16) * 257)
    rgba = np.dstack([rgb[..., ::-1], np.full(rgb.shape[:2], 255, np.uint8)])
    cv2.imwrite(str(tmp_path / "rgba.png"), rgba)
    big = cv2.resize(rgb[..., ::-1], (6000, 4500))
    cv2.imwrite(str(tmp_path / "huge.jpg"), big)
    korean = tmp_path / "강아지 사진.jpg"
    shutil.copy(photo, korean)
    for name in ("gray.png", "sixteen.png", "rgba.png", "huge.jpg", korean.name):
        result = recognizer.recognize_file(tmp_path / name)
        assert result.is_dog, name
        assert "beagle" in [s.breed for s in result.top], name
    with pytest.raises(UserError, match="too small"):
        recognizer.recognize(np.full((1, 1, 3), 128, np.uint8))
    assert recognizer.recognize(np.full((8, 8, 3), 128, np.uint8)).is_dog is False


def test_annotation_text_is_ascii_so_opencv_can_draw_it(recognizer, monkeypatch) -> None:
    import vision_agent.core.annotate as annotate

    drawn: list[str] = []
    real = cv2.putText

    def spy(image, text, *args, **kwargs):
        drawn.append(text)
        return real(image, text, *args, **kwargs)

    monkeypatch.setattr(annotate.cv2, "putText", spy)
    cat = asset("photos", "objects", "tabby_cat_jetson_cat_1.jpg")
    recognizer.recognize_file(cat)
    assert drawn[0].startswith("? tabby") or drawn[0].startswith("? tiger cat")  # names only
    assert all(text.isascii() for text in drawn), drawn
