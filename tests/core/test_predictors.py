"""Loading digit models: Keras .h5/.keras and OpenCV DNN .onnx/.pb, and refusing misfits."""

import numpy as np
import pytest

from tests.support.model_files import SHIPPED_KERAS, course_h5, frozen_graph_pb, keras_model_file
from vision_agent.core.errors import ModelLoadError
from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer
from vision_agent.core.predictors import load_predictor

DIGIT = (28, 28, 1)


@pytest.fixture(scope="module")
def mnist_batch(mnist):
    return (mnist["x_test"][:300].astype(np.float32) / 255)[..., None], mnist["y_test"][:300]


@pytest.fixture(scope="module")
def reference(mnist_batch):
    return load_predictor(SHIPPED_KERAS, DIGIT)(mnist_batch[0])


def test_shipped_onnx_matches_the_keras_model_it_was_exported_from(mnist_batch, reference):
    onnx = load_predictor(SHIPPED_MODEL, DIGIT)
    assert onnx.kind == "opencv-dnn"
    np.testing.assert_allclose(onnx(mnist_batch[0]), reference, atol=1e-4)
    assert (reference.argmax(axis=1) == mnist_batch[1]).mean() >= 0.99


def test_course_h5_file_loads_and_agrees(tmp_path, mnist_batch, reference):
    predictor = load_predictor(course_h5(tmp_path / "cnn_v2.h5"), DIGIT)
    assert predictor.kind == "keras"
    np.testing.assert_allclose(predictor(mnist_batch[0]), reference, atol=1e-5)


def test_course_frozen_pb_runs_through_opencv_dnn(tmp_path, mnist_batch, reference):
    predictor = load_predictor(frozen_graph_pb(tmp_path / "mnist_cnn.pb"), DIGIT)
    assert predictor.kind == "opencv-dnn"
    np.testing.assert_allclose(predictor(mnist_batch[0][:20]), reference[:20], atol=1e-4)


def test_model_without_channel_axis_is_fed_correctly(tmp_path):
    path = keras_model_file(tmp_path / "flat.keras", (28, 28), 10)
    out = load_predictor(path, DIGIT)(np.zeros((3, 28, 28, 1), np.float32))
    assert out.shape == (3, 10)


def test_colour_model_is_refused_with_its_input_shape(tmp_path):
    path = keras_model_file(tmp_path / "rgb.keras", (32, 32, 3), 10)
    with pytest.raises(ModelLoadError, match=r"expects input 32×32×3.*28×28×1"):
        PostalRecognizer.from_file(path)


def test_model_with_wrong_number_of_outputs_is_refused(tmp_path):
    path = keras_model_file(tmp_path / "five.h5", (28, 28, 1), 5)
    with pytest.raises(ModelLoadError, match="gives 5 outputs; a digit model must give 10"):
        PostalRecognizer.from_file(path)


def test_logits_are_turned_into_probabilities(tmp_path, mnist):
    path = keras_model_file(tmp_path / "logits.keras", (28, 28, 1), 10, activation=None)
    recognizer = PostalRecognizer.from_file(path)
    from tests.support.drawings import random_mnist_canvas

    canvas, _ = random_mnist_canvas(mnist["x_test"], mnist["y_test"], np.random.default_rng(0))
    for digit in recognizer.recognize(canvas).digits:
        assert sum(digit.probabilities) == pytest.approx(1.0)
        assert 0.0 <= digit.confidence <= 1.0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cnn.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 64, "is damaged or incomplete: HDF5 says"),
        ("cnn.keras", b"PK\x03\x04 not really a zip", "is damaged or incomplete"),
        ("mnist.onnx", b"this is text, not a network", "could not be read by OpenCV DNN"),
        ("mnist.pb", b"", "is empty"),
        ("weights.bin", b"1234", "unknown model type"),
    ],
)
def test_corrupt_or_foreign_files_are_refused(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ModelLoadError, match=message):
        PostalRecognizer.from_file(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ModelLoadError, match="not found"):
        PostalRecognizer.from_file(tmp_path / "nowhere.h5")
