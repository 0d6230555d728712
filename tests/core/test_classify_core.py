"""The classifier core: preprocessing per model, real photos with MobileNetV2, refusals."""

import csv

import numpy as np
import pytest

from tests.support import photo_files
from tests.support.paths import asset
from vision_agent.core.classify import (
    Classification,
    ImageClassifier,
    imagenet_labels,
)
from vision_agent.core.errors import ModelLoadError, UserError
from vision_agent.core.imageio import read_image
from vision_agent.core.imagenet_preprocess import as_rgb8, from_registry_entry, keras_mode
from vision_agent.engine.recipes import classifier_spec
from vision_agent.engine.registry_models import (
    classifier_with_weights,
    image_classifier,
    resolve_model_id,
)
from vision_agent.models import registry


@pytest.fixture(scope="module")
def mobilenet():
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    return image_classifier("mobilenet_v2_int8")


def labelled_photos() -> list[tuple[str, int]]:
    with open(asset("photos", "labels.csv"), encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [(r["file"], int(r["imagenet_class_index"])) for r in rows if r["imagenet_class_index"]]


def test_resnet50_recipe_is_keras_preprocess_input_on_rgb():
    from keras.applications.resnet50 import preprocess_input

    recipe = from_registry_entry(registry.get("resnet50_imagenet"))
    rgb = np.random.default_rng(0).integers(0, 256, (224, 224, 3), dtype=np.uint8)
    expected = preprocess_input(rgb.astype(np.float32)[None].copy())
    assert np.abs(recipe.prepare(rgb) - expected).max() < 1e-4
    assert np.abs(recipe.prepare(rgb[..., ::-1].copy()) - expected).max() > 10


def test_keras_modes_match_keras_preprocess_input():
    from keras.applications import densenet, mobilenet_v2

    rgb = np.random.default_rng(1).integers(0, 256, (224, 224, 3), dtype=np.uint8)
    x = rgb.astype(np.float32)[None]
    for mode, module in (("tf", mobilenet_v2), ("torch", densenet)):
        ours = keras_mode(mode, (224, 224)).prepare(rgb)
        assert np.abs(ours - module.preprocess_input(x.copy())).max() < 1e-4, mode


def test_mobilenet_recipe_resizes_the_shorter_side_and_crops_the_centre():
    recipe = from_registry_entry(registry.get("mobilenet_v2_int8"))
    wide = np.zeros((300, 600, 3), np.uint8)
    wide[:, 150:450] = 255  # the centre square is white, the sides black
    resized = recipe.resized(wide)
    assert resized.shape == (224, 224, 3)
    assert resized.min() == 255
    batch = recipe.prepare(wide)
    expected = (1.0 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    assert np.allclose(batch[0, 112, 112], expected, atol=1e-5)


def test_googlenet_recipe_is_the_course_caffe_mean_in_bgr():
    recipe = from_registry_entry(registry.get("googlenet_caffe"))
    rgb = np.zeros((224, 224, 3), np.uint8)
    rgb[..., 0] = 200  # red
    assert recipe.prepare(rgb)[0, 0, 0].tolist() == [-104.0, -117.0, 200.0 - 123.0]


def test_mobilenet_v2_gets_real_photos_right(mobilenet):
    photos = labelled_photos()
    assert len(photos) >= 30
    misses = []
    for name, true_class in photos:
        result = mobilenet.classify(read_image(asset("photos", name)))
        assert len(result.top) == 5
        assert result.probabilities.shape == (1000,)
        assert abs(float(result.probabilities.sum()) - 1.0) < 1e-4
        if true_class not in [s.index for s in result.top]:
            misses.append(name)
    assert misses == []


def test_labels_ship_with_the_app_in_keras_order(mobilenet):
    labels = imagenet_labels()
    assert len(labels) == 1000
    assert labels[207] == "golden retriever" and labels[954] == "banana" and labels[0] == "tench"
    assert mobilenet.labels == labels


def test_classification_json_and_text(mobilenet):
    result = mobilenet.classify(read_image(asset(*photo_files.BANANA)), top=3)
    record = result.to_json("banana.jpg")
    assert record["file"] == "banana.jpg" and record["model"] == result.model
    assert record["top"][0]["index"] == photo_files.BANANA_CLASS
    assert record["top"][0]["label"] == "banana" and 0 < record["top"][0]["probability"] <= 1
    assert "file" not in result.to_json()
    assert "banana" in result.as_text()
    assert isinstance(result, Classification) and len(result.top) == 3


def test_annotated_photo_has_the_labels_drawn(mobilenet):
    rgb = read_image(asset(*photo_files.BANANA))
    result = mobilenet.classify(rgb)
    annotated = result.annotated(rgb)
    assert annotated.shape == rgb.shape
    changed = np.any(annotated != rgb, axis=2)
    ys, xs = np.nonzero(changed)
    assert changed.mean() > 0.01
    assert ys.max() < rgb.shape[0] // 2 and xs.min() < 20  # a panel at the top left
    assert mobilenet.classify(rgb, annotate=False).annotated(rgb) is None
    small = read_image(asset(*photo_files.ROBIN))  # 368×500: drawn on an enlarged copy
    assert mobilenet.classify(small).annotated(small).shape == (720, 530, 3)


def test_array_inputs_of_every_kind(mobilenet):
    rgb = read_image(asset(*photo_files.BANANA))
    gray = rgb.mean(axis=2).astype(np.uint8)
    for array in (
        gray,
        gray[..., None],
        np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)]),
        rgb.astype(np.float32) / 255.0,
        rgb.astype(np.uint16) * 257,
    ):
        top = mobilenet.classify(array).top
        assert len(top) == 5
    assert np.array_equal(as_rgb8(rgb.astype(np.uint16) * 257), rgb)
    for bad in (np.zeros((5,), np.uint8), np.zeros((1, 1, 3), np.uint8), np.zeros((4, 4, 2))):
        with pytest.raises(UserError):
            mobilenet.classify(bad)
    with pytest.raises(UserError):
        mobilenet.classify(rgb, top=0)


def test_gradcam_refused_for_onnx_models(mobilenet):
    assert not mobilenet.has_gradcam
    with pytest.raises(UserError, match="Grad-CAM needs a Keras model"):
        mobilenet.gradcam(np.zeros((50, 50, 3), np.uint8), 1)


def test_specs_put_keras_in_a_child_process_and_onnx_in_the_thread(tmp_path):
    resnet = classifier_spec("resnet50")
    assert not resnet.in_process and resnet.model_id == "resnet50_imagenet"
    assert classifier_spec("mobilenet_v2").in_process
    assert classifier_spec("googlenet").in_process
    offline = classifier_spec("resnet50", download=False)
    assert offline.model_id is None and offline.kwargs["download"] is False
    own = classifier_spec(str(tmp_path / "mine.h5"))
    assert not own.in_process and own.kwargs["path"].name == "mine.h5"
    with_weights = classifier_spec("resnet50", tmp_path / "w.h5")
    assert with_weights.kwargs["architecture"] == "resnet50_imagenet"
    with pytest.raises(ModelLoadError):
        classifier_spec(str(tmp_path / "mine.h5"), tmp_path / "w.h5")
    assert resolve_model_id("googlenet") == "googlenet_caffe"
    assert resolve_model_id("res10_caffe_fp32") is None  # a face detector is no classifier


def test_missing_model_says_so_without_downloading(monkeypatch, tmp_path):
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", str(tmp_path))
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(UserError, match=r"bvlc_googlenet\.caffemodel"):
        image_classifier("googlenet_caffe", download=False)


def test_refusals_name_the_problem(tmp_path):
    from tests.support.model_files import SHIPPED_KERAS

    with pytest.raises(ModelLoadError, match="not found"):
        ImageClassifier.from_file(tmp_path / "nothing.h5")
    broken = tmp_path / "broken.h5"
    broken.write_bytes(b"not hdf5 at all" * 100)
    with pytest.raises(ModelLoadError, match=r"broken\.h5 is damaged or incomplete: an \.h5 model"):
        ImageClassifier.from_file(broken)
    with pytest.raises(ModelLoadError, match="not an image classifier"):
        ImageClassifier.from_file(SHIPPED_KERAS)  # the 28×28 digit model
    onnx = asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    with pytest.raises(ModelLoadError, match=r"no model_card\.json beside it"):
        ImageClassifier.from_file(onnx)  # an ONNX file not trained by Vision Agent
    with pytest.raises(ModelLoadError, match="does not hold ResNet50 weights"):
        classifier_with_weights(SHIPPED_KERAS, "resnet50")
    with pytest.raises(ModelLoadError, match="Unknown architecture"):
        classifier_with_weights(onnx, "alexnet")


def test_weights_for_an_architecture_use_the_registry_recipe():
    onnx = asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    classifier = classifier_with_weights(onnx, "mobilenet_v2")
    assert classifier.model_name.endswith("+ mobilenetv2-12-int8.onnx")
    result = classifier.classify(read_image(asset(*photo_files.ROBIN)))
    assert result.top[0].index == photo_files.ROBIN_CLASS
