"""The course's formats: an .h5 with Rescaling(1/255) inside plus a pickled name list."""

from __future__ import annotations

import pickle
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.support.paths import asset
from vision_agent.core.errors import ModelLoadError, UserError
from vision_agent.core.keras_breeds import KerasBreedRecognizer, detect_preprocessing

keras = pytest.importorskip("keras")

FOLDERS = [
    "n02085620-Chihuahua",
    "n02086240-Shih-Tzu",
    "n02099601-golden_retriever",
    "n02088364-beagle",
]
SIZE = 48


def _course_like_model(rescaling: bool, seed: int = 1):
    """Program 8-7's shape in miniature: [Rescaling(1/255)] + conv backbone + Dense softmax."""
    keras.utils.set_random_seed(seed)
    layers = [keras.Input((SIZE, SIZE, 3))]
    if rescaling:
        layers.append(keras.layers.Rescaling(1.0 / 255))
    layers += [
        keras.layers.Conv2D(8, 3, activation="relu"),
        keras.layers.MaxPooling2D(4),
        keras.layers.Flatten(),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dropout(0.75),
        keras.layers.Dense(len(FOLDERS), activation="softmax"),
    ]
    return keras.Sequential(layers)


@pytest.fixture(scope="module")
def course_files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("course")
    model_path = folder / "cnn_for_stanford_dogs.h5"
    _course_like_model(rescaling=True).save(model_path)
    names_path = folder / "dog_species_names.txt"
    with open(names_path, "wb") as f:
        pickle.dump(FOLDERS, f)
    return model_path, names_path


def _reference(model_path: Path, photo: Path) -> np.ndarray:
    """Program 8-8 with its BGR bug fixed: RGB, resized to the model's size, model.predict."""
    model = keras.models.load_model(model_path, compile=False)
    rgb = cv2.cvtColor(cv2.imread(str(photo)), cv2.COLOR_BGR2RGB)
    x = cv2.resize(rgb, (SIZE, SIZE)).astype(np.float32)[None]
    return model.predict(x, verbose=0)[0]


def test_course_h5_and_pickle_give_the_reference_answer(course_files) -> None:
    model_path, names_path = course_files
    photo = asset("photos", "dogs", "Beagle_01141.jpg")
    recognizer = KerasBreedRecognizer(model_path, names_path)
    assert recognizer.names == ["Chihuahua", "Shih-Tzu", "golden retriever", "beagle"]
    assert recognizer.input_size == (SIZE, SIZE)
    assert "raw RGB 0..255" in recognizer.preprocessing.description
    assert "Rescaling(0.00392157" in recognizer.preprocessing.description
    ours = recognizer.probabilities(cv2.cvtColor(cv2.imread(str(photo)), cv2.COLOR_BGR2RGB))
    reference = _reference(model_path, photo)
    np.testing.assert_allclose(ours, reference, atol=1e-5)
    result = recognizer.recognize_file(photo)
    order = np.argsort(-reference)
    assert [s.breed for s in result.top] == [recognizer.names[i] for i in order[:5]]
    assert result.is_dog is None  # no ImageNet classifier was given to check for a dog
    # The course's own bug (BGR pixels) gives a different answer: the test can tell them apart.
    bgr = cv2.imread(str(photo))
    assert not np.allclose(recognizer.probabilities(bgr), reference, atol=1e-5)


def test_model_without_rescaling_is_fed_pixels_over_255(tmp_path: Path) -> None:
    model = _course_like_model(rescaling=False)
    path = tmp_path / "plain.keras"
    model.save(path)
    names = tmp_path / "names.json"
    names.write_text('["a", "b", "c", "d"]')
    recognizer = KerasBreedRecognizer(path, names)
    assert recognizer.preprocessing.description.startswith("RGB / 255")
    rgb = np.random.default_rng(0).integers(0, 256, (60, 70, 3), dtype=np.uint8)
    x = cv2.resize(rgb, (SIZE, SIZE)).astype(np.float32)[None] / 255.0
    np.testing.assert_allclose(recognizer.probabilities(rgb), model(x)[0], atol=1e-5)


def test_densenet_backbone_without_preprocessing_layer_uses_torch_mode() -> None:
    backbone = keras.applications.DenseNet121(
        include_top=False, weights=None, input_shape=(32, 32, 3)
    )
    inputs = keras.Input((32, 32, 3))
    outputs = keras.layers.Dense(3)(keras.layers.GlobalAveragePooling2D()(backbone(inputs)))
    found = detect_preprocessing(keras.Model(inputs, outputs))
    assert "torch" in found.description
    x = np.full((1, 2, 2, 3), 255.0, np.float32)
    np.testing.assert_allclose(
        found.apply(x)[0, 0, 0],
        (1 - np.array([0.485, 0.456, 0.406])) / [0.229, 0.224, 0.225],
        rtol=1e-5,
    )


def test_names_that_do_not_match_the_outputs(course_files, tmp_path: Path) -> None:
    model_path, _ = course_files
    names = tmp_path / "three.txt"
    names.write_text("a\nb\nc\n")
    with pytest.raises(ModelLoadError, match=r"4 outputs but three\.txt lists 3"):
        KerasBreedRecognizer(model_path, names)


def test_broken_and_wrong_model_files(course_files, tmp_path: Path) -> None:
    _, names_path = course_files
    broken = tmp_path / "broken.h5"
    broken.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    with pytest.raises(ModelLoadError, match=r"broken\.h5 is damaged or incomplete: HDF5 says"):
        KerasBreedRecognizer(broken, names_path)
    with pytest.raises(ModelLoadError, match="not found"):
        KerasBreedRecognizer(tmp_path / "missing.h5", names_path)
    onnx = tmp_path / "model.onnx"
    onnx.write_bytes(b"x")
    with pytest.raises(ModelLoadError, match="Keras file"):
        KerasBreedRecognizer(onnx, names_path)
    gray_model = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(4)]
    )
    gray_path = tmp_path / "gray.keras"
    gray_model.save(gray_path)
    with pytest.raises(ModelLoadError, match="one RGB image"):
        KerasBreedRecognizer(gray_path, names_path)
    evil = tmp_path / "dog_species_names.txt"
    evil.write_bytes(b"cos\nsystem\n(S'echo hacked'\ntR.")
    with pytest.raises(UserError, match="import or call"):
        KerasBreedRecognizer(course_files[0], evil)
