"""Files saved by Keras 2 (tests/support/keras2_files.py) open with Keras 2's outputs; code in
a file never runs; a file that cannot be opened says which layer and what to do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import h5py
import numpy as np
import pytest

from tests.support import keras2_files as k2
from tests.support.paths import asset
from vision_agent.core.errors import ModelLoadError
from vision_agent.core.keras_breeds import KerasBreedRecognizer
from vision_agent.core.keras_files import load_keras_model
from vision_agent.core.predictors import load_predictor

BREED_MODELS = [*k2.NESTED, k2.TUTORIAL, k2.TUTORIAL_CAFFE, k2.RESCALING]


@pytest.fixture(scope="module")
def reference(keras2_files) -> dict[str, np.ndarray]:
    with np.load(keras2_files / "reference.npz") as data:
        return dict(data)


def photo_rgb() -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(asset(*k2.PHOTO))), cv2.COLOR_BGR2RGB)


@pytest.mark.parametrize("name", [*k2.DIGITS, "cnn_v2_savedmodel/saved_model.pb"])
def test_program_8_3_cnn_in_every_keras_2_format_gives_keras_2s_outputs(
    keras2_files, reference, name
):
    predictor = load_predictor(keras2_files / name, (28, 28, 1))
    assert type(predictor.keras_model).__module__.startswith("tf_keras")
    outputs = predictor(reference["digits/input"])
    np.testing.assert_allclose(outputs, reference["digits/output"], atol=1e-5)
    assert outputs.argmax(1).tolist() == [7, 2, 1, 0, 4, 1, 4, 9]  # MNIST's first test digits


@pytest.mark.parametrize("name", BREED_MODELS)
def test_course_and_tutorial_breed_models_give_keras_2s_probabilities(
    keras2_files, reference, name
):
    """The app's own preprocessing (read from the model) against the course's, fed to Keras 2."""
    recognizer = KerasBreedRecognizer(keras2_files / name, keras2_files / k2.NAMES_FILE)
    expected = reference[f"{name}/output"][0]
    assert expected.max() > 0.4  # the test could tell a wrong preprocessing apart
    np.testing.assert_allclose(recognizer.probabilities(photo_rgb()), expected, atol=1e-5)
    if name in (k2.TUTORIAL, k2.TUTORIAL_CAFFE):
        assert "tf." in recognizer.preprocessing.description  # preprocess_input is inside


@pytest.mark.parametrize("name", k2.LAMBDA_FILES)
def test_lambda_code_is_refused_and_never_runs(keras2_files, name):
    with pytest.raises(ModelLoadError) as refused:
        KerasBreedRecognizer(keras2_files / name, keras2_files / k2.NAMES_FILE)
    message = str(refused.value)
    assert message.startswith(f"{name} was not opened: its layer 'lambda' is a Lambda layer")
    assert message.endswith("new_model.save('model.keras').")
    assert "Is the file complete" not in message
    assert not (keras2_files / k2.MARKER).exists()


def test_tf_keras_itself_refuses_the_lambda_without_our_check(keras2_files):
    """The second guard: tf_keras runs in its safe mode (it would rebuild a legacy HDF5
    Lambda from its bytecode otherwise)."""
    from vision_agent.core.keras_files import _load_with_tf_keras, read_keras_file

    with pytest.raises(ModelLoadError, match="Lambda"):
        _load_with_tf_keras(read_keras_file(keras2_files / "lambda.h5"))
    assert not (keras2_files / k2.MARKER).exists()


def _with_config(source: Path, target: Path, old: str, new: str) -> Path:
    """A copy of an HDF5 model whose config has `old` replaced by `new`."""
    shutil.copyfile(source, target)
    with h5py.File(target, "r+") as handle:
        config = handle.attrs["model_config"]
        config = config.decode() if isinstance(config, bytes) else config
        assert old in config
        handle.attrs["model_config"] = config.replace(old, new)
    return target


def test_tensorflow_functions_beyond_maths_are_refused(keras2_files, tmp_path):
    path = _with_config(
        keras2_files / k2.TUTORIAL, tmp_path / "writer.h5", '"math.truediv"', '"io.write_file"'
    )
    with pytest.raises(ModelLoadError) as refused:
        load_keras_model(path)
    assert "calls tf.io.write_file, which Vision Agent does not run" in str(refused.value)


def test_a_layer_keras_does_not_know_is_named_with_the_two_lines_to_run(keras2_files, tmp_path):
    path = _with_config(
        keras2_files / k2.RESCALING,
        tmp_path / "custom.h5",
        '"class_name": "SeparableConv2D"',
        '"class_name": "MySeparableConv"',
    )
    with pytest.raises(ModelLoadError) as refused:
        load_keras_model(path)
    message = str(refused.value)
    assert message.startswith("custom.h5 (saved by Keras 2.")
    assert "MySeparableConv" in message
    assert message.endswith(
        "model = keras.models.load_model('custom.h5', compile=False); model.save('model.keras')"
    )
    assert "Is the file complete" not in message


def test_weights_only_and_bare_saved_models_say_what_to_save(keras2_files, tmp_path):
    weights = tmp_path / "weights.h5"
    with h5py.File(keras2_files / k2.RESCALING) as source, h5py.File(weights, "w") as target:
        source.copy("model_weights", target)
    with pytest.raises(ModelLoadError, match=r"weights\.h5 holds weights only"):
        load_keras_model(weights)
    bare = shutil.copytree(keras2_files / "cnn_v2_savedmodel", tmp_path / "exported")
    (bare / "keras_metadata.pb").unlink()
    with pytest.raises(ModelLoadError, match="exported is a TensorFlow SavedModel without"):
        load_keras_model(bare)


def test_keras_3_files_still_open_in_keras_3(tmp_path):
    from tests.support.model_files import course_h5

    model = load_keras_model(course_h5(tmp_path / "cnn_v3.h5"))
    assert type(model).__module__.startswith("keras")


def test_layer_activations_and_gradcam_of_keras_2_models(keras2_files, reference):
    from vision_agent.core.classify import ImageClassifier
    from vision_agent.core.digit_explain import digit_layer_reader

    reader = digit_layer_reader(keras2_files / "cnn_v2.h5", (28, 28, 1))
    layers = reader.outputs(reference["digits/input"][:1])[0]
    assert [layer.name for layer in layers][-1] == "probabilities"
    np.testing.assert_allclose(layers[-1].values, reference["digits/output"][0], atol=1e-5)
    import tf_keras

    from vision_agent.core.imagenet_preprocess import keras_mode

    for name, mode in (
        ("cnn_for_stanford_dogs_densenet121.h5", "torch"),
        (k2.TUTORIAL_CAFFE, "raw"),
    ):
        classifier = ImageClassifier.from_file(keras2_files / name)
        assert classifier.preprocessing == keras_mode(mode, (k2.SIZE, k2.SIZE))
        # the ImageNet tab resizes its own way: Keras 2 is given the same input
        batch = classifier.preprocessing.prepare(photo_rgb())
        expected = tf_keras.models.load_model(keras2_files / name).predict(batch, verbose=0)[0]
        np.testing.assert_allclose(classifier.probabilities(photo_rgb()), expected, atol=1e-5)
        assert classifier.has_gradcam
        cam = classifier.gradcam(photo_rgb(), int(expected.argmax()))
        assert cam.shape == photo_rgb().shape[:2] and np.isfinite(cam).all() and cam.max() > 0
        first = classifier.network_layers()[1].name
        output, _ = classifier.layer_output(photo_rgb(), first)
        assert output.values.size > 0


def test_config_of_every_file_is_json_the_check_reads(keras2_files):
    """The check reads the same config Keras rebuilds from (a guard against reading nothing)."""
    from vision_agent.core.keras_files import _layers, read_keras_file

    for name in (*k2.DIGITS, *BREED_MODELS):
        kinds = {kind for _, kind, _ in _layers(read_keras_file(keras2_files / name).configs)}
        assert "Dense" in kinds, name
    tutorial = read_keras_file(keras2_files / k2.TUTORIAL_CAFFE).configs
    assert {"TFOpLambda", "SlicingOpLambda"} <= {k for _, k, _ in _layers(tutorial)}
    assert json.dumps(tutorial)


def test_window_service_moves_a_keras_2_classifier_to_onnxruntime(qtbot, keras2_files):
    """The ImageNet tab's "Own model…": the Keras 2 model runs in the child process, exports
    itself to ONNX (tf2onnx) and is then served by onnxruntime in this process, with Keras 2's
    probabilities; Grad-CAM stays with the child."""
    import tf_keras

    from tests.core.test_classify_parity import call
    from vision_agent.core.classify import IN_PROCESS_ENGINE, ImageClassifier
    from vision_agent.engine.recipes import classifier_spec
    from vision_agent.services.model_service import ModelService

    model = keras2_files / k2.TUTORIAL_CAFFE
    batch = ImageClassifier.from_file(model).preprocessing.prepare(photo_rgb())
    expected = tf_keras.models.load_model(model).predict(batch, verbose=0)[0]
    service = ModelService("keras2")
    service.load(classifier_spec(str(model)))
    try:
        assert call(qtbot, service, ImageClassifier.engine) == "tf.function"
        qtbot.waitUntil(
            lambda: call(qtbot, service, ImageClassifier.engine) == IN_PROCESS_ENGINE,
            timeout=240_000,
        )
        assert service.serves_in_process(ImageClassifier.classify)
        assert not service.serves_in_process(ImageClassifier.gradcam)
        result = call(qtbot, service, ImageClassifier.classify, photo_rgb())
        np.testing.assert_allclose(result.probabilities, expected, atol=1e-5)
        cam = call(qtbot, service, ImageClassifier.gradcam, photo_rgb(), int(expected.argmax()))
        assert cam.shape == photo_rgb().shape[:2] and np.isfinite(cam).all()
    finally:
        service.shutdown()
