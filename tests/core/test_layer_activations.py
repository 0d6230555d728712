"""Inside the network: every layer's values equal what Keras computes for the same input.

The reference is `keras.Model(model.inputs, layer.output)` on the same preprocessed input, for
the shipped digit model (its Keras file, and its ONNX file through onnxruntime) and for a small
ResNet-style classifier loaded as a user's own Keras model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support.drawings import random_handwritten_canvas
from tests.support.imagenet_models import save_small_resnet
from tests.support.model_files import SHIPPED_KERAS
from tests.support.paths import asset
from vision_agent.core.digit_explain import digit_layer_reader
from vision_agent.core.errors import ModelLoadError, UserError
from vision_agent.core.feature_mosaic import feature_mosaic, grid_shape, tile_index
from vision_agent.core.layer_activations import LayerOutput, stage_outputs
from vision_agent.core.postal import (
    DIGIT_INPUT_SHAPE,
    SHIPPED_MODEL,
    PostalRecognizer,
    canvas_inputs,
)

TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def digit_inputs() -> np.ndarray:
    """Three real preprocessed digits (28×28×1) from mouse-like handwriting."""
    canvas, _code = random_handwritten_canvas(np.random.default_rng(11))
    inputs, present = canvas_inputs(canvas)
    assert all(present)
    return inputs[:3, :, :, None]


@pytest.fixture(scope="module")
def keras_digits():
    import keras

    return keras.models.load_model(SHIPPED_KERAS)


def keras_reference(model, layer_name: str, batch: np.ndarray) -> np.ndarray:
    import keras

    return np.asarray(keras.Model(model.inputs, model.get_layer(layer_name).output)(batch))


def test_shipped_keras_digit_model_every_layer_equals_keras(keras_digits, digit_inputs):
    reader = digit_layer_reader(SHIPPED_KERAS, DIGIT_INPUT_SHAPE)
    expected_names = [layer.name for layer in keras_digits.layers]
    assert [layer.name for layer in reader.layers] == expected_names
    results = reader.outputs(digit_inputs)
    assert len(results) == len(digit_inputs)
    for index, layer in enumerate(reader.layers):
        reference = keras_reference(keras_digits, layer.name, digit_inputs)
        for sample, outputs in enumerate(results):
            got = outputs[index]
            assert got.name == layer.name and got.shape == reference.shape[1:]
            assert np.abs(got.values - reference[sample]).max() <= TOLERANCE, layer.name


def test_shipped_onnx_digit_model_every_layer_equals_keras(keras_digits, digit_inputs):
    """The ONNX file the app runs: its layers (found in the graph) are named after the Keras
    layers whose outputs they are, in Keras's order, with the same shapes and values (layers
    that compute nothing at inference, like Dropout, or that the export folds into the one
    before, like batch norm, are not in the graph)."""
    reader = digit_layer_reader(SHIPPED_MODEL, DIGIT_INPUT_SHAPE)
    keras_names = [layer.name for layer in keras_digits.layers]
    names = [layer.name for layer in reader.layers]
    assert names == [name for name in keras_names if name in names]
    assert names[-1] == keras_names[-1]
    pooling = [layer.name for layer in keras_digits.layers if "Pooling" in type(layer).__name__]
    assert set(pooling) <= set(names) and len(names) >= len(pooling) + 2
    results = reader.outputs(digit_inputs)
    for index, layer in enumerate(reader.layers):
        reference = keras_reference(keras_digits, layer.name, digit_inputs)
        declared = reader.layers[index].shape  # from ONNX shape inference, None if unknown
        assert all(d in (None, r) for d, r in zip(declared, reference.shape[1:], strict=True))
        for sample, outputs in enumerate(results):
            values = outputs[index].values
            assert values.shape == reference.shape[1:]
            assert np.abs(values - reference[sample]).max() <= TOLERANCE, layer.name


def test_first_filters_are_the_first_convolution_kernels(keras_digits):
    """Keras shows the kernel as trained; the ONNX export folds a following BatchNormalization
    into it (kernel · γ / √(σ² + ε) per channel), and shows that."""
    kernel = np.asarray(keras_digits.layers[0].kernel)
    folded = kernel
    follower = keras_digits.layers[1]
    if type(follower).__name__ == "BatchNormalization":
        gamma, variance = np.asarray(follower.gamma), np.asarray(follower.moving_variance)
        folded = kernel * gamma / np.sqrt(variance + follower.epsilon)
    for path, expected in ((SHIPPED_KERAS, kernel), (SHIPPED_MODEL, folded)):
        filters = digit_layer_reader(path, DIGIT_INPUT_SHAPE).first_kernels()
        assert filters.shape == expected.shape
        assert np.abs(filters - expected).max() <= TOLERANCE


def test_explaining_a_box_matches_recognizing_it():
    canvas, _code = random_handwritten_canvas(np.random.default_rng(5))
    recognizer = PostalRecognizer.from_file(SHIPPED_MODEL)
    reading = recognizer.recognize(canvas)
    explanation = recognizer.explain(canvas, 2)
    assert np.array_equal(explanation.steps.centered, reading.inputs[2])
    last = explanation.layers[-1]
    raw = recognizer.predictor(reading.inputs[2:3, ..., None])[0]  # before calibration
    assert last.shape == raw.shape
    assert np.abs(last.values - raw).max() <= TOLERANCE
    assert len(explanation.pictures) == len(explanation.layers)
    record = explanation.to_json()
    first = explanation.layers[0]
    assert record["box"] == 3 and record["layers"][0]["shape"] == list(first.shape)
    assert len(record["layers"][0]["channel_means"]) == first.shape[-1]


def test_blank_box_has_no_explanation():
    from tests.support.drawings import blank_canvas

    assert PostalRecognizer.from_file(SHIPPED_MODEL).explain(blank_canvas(), 0) is None


def test_models_opencv_runs_say_why_they_cannot_be_shown(tmp_path):
    with pytest.raises(ModelLoadError, match="OpenCV DNN"):
        digit_layer_reader(tmp_path / "mnist_cnn.pb", DIGIT_INPUT_SHAPE)


# ------------------------------------------------------------------ a small ResNet-style model


@pytest.fixture(scope="module")
def small_resnet_file(tmp_path_factory) -> Path:
    return save_small_resnet(tmp_path_factory.mktemp("resnet") / "small_resnet.keras")


def test_small_resnet_every_layer_equals_keras(small_resnet_file):
    import keras

    from tests.support import photo_files
    from vision_agent.core.classify import ImageClassifier
    from vision_agent.core.imageio import read_image

    classifier = ImageClassifier.from_file(small_resnet_file)
    model = keras.models.load_model(small_resnet_file)
    photo = read_image(asset(*photo_files.ROBIN))
    batch = classifier.preprocessing.prepare(photo)
    layers = classifier.network_layers()
    assert [layer.name for layer in layers] == [layer.name for layer in model.layers[1:]]
    for layer in layers:
        output, picture = classifier.layer_output(photo, layer.name)
        reference = keras_reference(model, layer.name, batch)[0]
        assert output.shape == reference.shape
        assert np.abs(output.values - reference).max() <= TOLERANCE, layer.name
        assert (picture is not None) == (reference.ndim in (1, 3))
    assert stage_outputs(layers) == {"s1_out", "s2_out"}


def test_small_resnet_exported_to_onnx_every_layer_equals_keras(small_resnet_file, tmp_path):
    """Batch norm folded into the convolutions, residual sums, global pooling: each layer the
    ONNX graph shows carries the name of the Keras layer whose output it is, and its values."""
    import keras

    from vision_agent.core.layer_activations import OnnxLayers

    model = keras.models.load_model(small_resnet_file)
    batch = np.random.default_rng(0).normal(size=(2, 64, 64, 3)).astype(np.float32)
    model(batch)
    model.export(tmp_path / "small_resnet.onnx", format="onnx", verbose=False)
    reader = OnnxLayers(tmp_path / "small_resnet.onnx", "NHWC")
    names = [layer.name for layer in reader.layers]  # the graph's order: a branch may come first
    assert set(names) <= {layer.name for layer in model.layers}
    assert {"s1_out", "s2_out", "avg_pool", "predictions"} <= set(names)
    results = reader.outputs(batch)
    for index, name in enumerate(names):
        reference = keras_reference(model, name, batch)
        for sample, outputs in enumerate(results):
            assert outputs[index].shape == reference.shape[1:], name
            assert np.abs(outputs[index].values - reference[sample]).max() <= TOLERANCE, name


def test_unknown_layer_names_the_layers_there_are(small_resnet_file):
    from vision_agent.core.classify import ImageClassifier

    classifier = ImageClassifier.from_file(small_resnet_file)
    with pytest.raises(UserError, match=r"no layer 'nope'.*stem_conv"):
        classifier.layer_output(np.zeros((64, 64, 3), np.uint8), "nope")


def test_resnet50_stage_outputs_are_marked():
    import keras

    from vision_agent.core.layer_activations import KerasLayers

    layers = KerasLayers(keras.applications.ResNet50(weights=None)).layers
    assert stage_outputs(layers) == {
        "conv1_relu",
        "conv2_block3_out",
        "conv3_block4_out",
        "conv4_block6_out",
        "conv5_block3_out",
    }


# ------------------------------------------------------------------ ONNX ImageNet model (int8)


def test_quantized_onnx_layers_are_dequantized_and_end_in_the_model_output():
    from tests.support import photo_files
    from vision_agent.core.imageio import read_image
    from vision_agent.engine.registry_models import image_classifier

    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    classifier = image_classifier("mobilenet_v2_int8", download=False)
    layers = classifier.network_layers()
    assert sum(layer.type == "Conv" for layer in layers) == 52
    photo = read_image(asset(*photo_files.ROBIN))
    first, picture = classifier.layer_output(photo, layers[0].name)
    assert first.shape == (112, 112, 32) and picture is not None
    # real values (scale × (q - zero point)), not the uint8 codes the graph holds
    assert first.values.dtype == np.float32 and 0 < first.values.max() < 20
    assert not np.allclose(first.values, np.round(first.values))
    last, _ = classifier.layer_output(photo, layers[-1].name)
    scores = classifier.backend.run(classifier.preprocessing.prepare(photo))[0]
    assert np.abs(last.values - scores).max() <= TOLERANCE


def test_googlenet_in_opencv_says_why_not(tmp_path):
    from vision_agent.core.classifier_backends import Backend
    from vision_agent.core.classify import ImageClassifier
    from vision_agent.core.imagenet_preprocess import keras_mode

    backend = Backend(
        run=lambda batch: np.ones((len(batch), 3)) / 3,
        outputs="probabilities",
        input_size=(8, 8),
        no_layers_reason="googlenet.caffemodel runs in OpenCV DNN, which cannot show its layers.",
    )
    classifier = ImageClassifier(backend, keras_mode("caffe", (8, 8)), ["a", "b", "c"], "GoogLeNet")
    with pytest.raises(UserError, match="OpenCV DNN"):
        classifier.network_layers()


# ------------------------------------------------------------------ pictures


def test_mosaic_scales_each_channel_and_hover_finds_the_channel():
    rng = np.random.default_rng(0)
    maps = rng.normal(size=(6, 5, 7)).astype(np.float32)
    maps[..., 3] *= 1000  # a loud channel does not drown the others
    maps[..., 4] = 2.0  # a constant channel
    mosaic = feature_mosaic(maps)
    rows, columns = grid_shape(7)
    assert mosaic.shape == (rows * 7 - 1, columns * 6 - 1, 3)
    for channel in range(7):
        row, column = divmod(channel, columns)
        top, left = row * 7, column * 6
        assert tile_index(maps.shape, left + 2, top + 3) == channel
        tile = mosaic[top : top + 6, left : left + 5].reshape(-1, 3).astype(int)
        brightness = tile.sum(axis=1)
        if channel == 4:
            assert len({tuple(p) for p in tile}) == 1
        else:
            assert brightness.max() - brightness.min() > 300  # full dark..bright range
    assert tile_index(maps.shape, 5, 0) is None  # the gap between tiles
    assert tile_index(maps.shape, -1, 0) is None


def test_layer_json_has_channel_means_in_channel_order():
    values = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    record = LayerOutput("c", "Conv2D", values).to_json()
    assert record["shape"] == [2, 3, 4]
    assert record["channel_means"] == pytest.approx(values.mean(axis=(0, 1)).tolist())
    vector = LayerOutput("d", "Dense", np.array([0.5, -1.0], np.float32)).to_json()
    assert vector["channel_means"] == [0.5, -1.0]
