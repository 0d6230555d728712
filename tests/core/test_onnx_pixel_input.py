"""The normalisation folded into an ONNX graph gives the model the same numbers as numpy's."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime
import pytest

from vision_agent.checks.onnx_export import PROBE_CLASSES as CLASSES
from vision_agent.checks.onnx_export import PROBE_SIZE as SIZE
from vision_agent.checks.onnx_export import colour_probe_graph as tiny_classifier
from vision_agent.checks.onnx_export import pixel_input_difference
from vision_agent.core.classify import ImageClassifier
from vision_agent.core.errors import ModelLoadError
from vision_agent.core.imagenet_preprocess import keras_mode
from vision_agent.core.onnx_export import cpu_session
from vision_agent.core.onnx_pixel_input import PIXELS_INPUT, with_pixel_input


def session(model: onnx.ModelProto) -> onnxruntime.InferenceSession:
    return cpu_session(model.SerializeToString())


@pytest.mark.parametrize("conv_first", [True, False], ids=["swap-in-weights", "gather"])
@pytest.mark.parametrize("mode", ["caffe", "tf", "torch", "raw"])
def test_the_graph_takes_pixels_and_normalises_them_as_numpy_does(mode, conv_first):
    recipe = keras_mode(mode, (SIZE, SIZE))
    pixels = np.random.default_rng(0).integers(0, 256, (2, SIZE, SIZE, 3), np.uint8)
    plain = session(tiny_classifier(conv_first))
    expected = plain.run(None, {"image": np.stack([recipe.normalize(p) for p in pixels])})[0]

    model = with_pixel_input(tiny_classifier(conv_first), recipe)
    folded = session(model)
    assert [(i.name, i.type) for i in folded.get_inputs()] == [(PIXELS_INPUT, "tensor(uint8)")]
    scores = folded.run(None, {PIXELS_INPUT: pixels})[0]

    assert np.abs(scores - expected).max() <= 1e-5 * max(1.0, np.abs(expected).max())
    if recipe.color_order == "BGR":  # the channel swap is really there, where it should be
        unswapped = plain.run(
            None, {"image": np.stack([recipe.normalize(p[..., ::-1]) for p in pixels])}
        )[0]
        assert np.abs(scores - unswapped).max() > 1.0
        gathers = [node for node in model.graph.node if node.op_type == "Gather"]
        assert len(gathers) == (0 if conv_first else 1)


def test_a_graph_that_is_not_one_colour_image_is_refused():
    model = tiny_classifier()
    model.graph.input[0].type.tensor_type.shape.dim[3].dim_value = 1
    with pytest.raises(ValueError, match="NHWC colour"):
        with_pixel_input(model, keras_mode("caffe", (SIZE, SIZE)))


def test_the_in_process_classifier_checks_the_folded_graph_against_the_expected_scores(
    tmp_path,
):
    path = tmp_path / "tiny.onnx"
    onnx.save(tiny_classifier(), str(path))
    recipe = keras_mode("caffe", (SIZE, SIZE))
    probe = np.random.default_rng(0).integers(0, 256, (1, SIZE, SIZE, 3), np.uint8)
    right = session(tiny_classifier()).run(None, {"image": recipe.normalize(probe[0])[None]})[0]
    labels = [f"class {i}" for i in range(CLASSES)]

    classifier = ImageClassifier.from_onnx_export(
        path, recipe, labels, "tiny", "logits", probe, right
    )
    photo = np.random.default_rng(2).integers(0, 256, (30, 40, 3), np.uint8)
    reference = session(tiny_classifier()).run(None, {"image": recipe.prepare(photo)})[0][0]
    assert classifier.classify(photo, top=1).top[0].index == int(np.argmax(reference))

    with pytest.raises(ModelLoadError, match="other scores"):
        ImageClassifier.from_onnx_export(
            path, recipe, labels, "tiny", "logits", probe, right + 0.01
        )


def test_the_bundle_self_test_of_the_folded_graph_passes():
    assert pixel_input_difference() <= 1e-5
