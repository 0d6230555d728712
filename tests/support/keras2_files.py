"""Model files saved by Keras 2 (`tf_keras`), as the course and TensorFlow's tutorials save them.

Students hold files written by TensorFlow 2.x's Keras 2 (`model.save('….h5')`), not by the
Keras 3 the app runs. This script writes such files with `tf_keras` (the Keras 2 the TensorFlow
team keeps for exactly these files) and what Keras 2 itself predicts for them, in one process:
`python -m tests.support.keras2_files FOLDER ASSETS`. The `keras2_files` fixture (conftest.py)
runs it once per test session; the files are small (64×64 inputs, 1/16 of the filters,
alpha 0.35, six classes).

- program 8-3's MNIST CNN (the app's digit architecture with the shipped weights) as a legacy
  .h5, a Keras-2 .keras zip, the HDF5 that TF 2.10 wrote under a .keras name, a SavedModel folder;
- program 8-7's breed model: Sequential([application(include_top=False), GAP/Flatten, Dense]) for
  DenseNet121, MobileNetV2, ResNet50, VGG16, EfficientNetB0 (weights=None: nothing downloads);
- TensorFlow's transfer-learning tutorial: augmentation, `preprocess_input` inside the model
  (TFOpLambda; SlicingOpLambda for the caffe mode), the backbone, GAP, Dropout, Dense;
- Rescaling + augmentation + BatchNormalization, DepthwiseConv2D, SeparableConv2D;
- Lambda layers whose Python code would leave a marker file if it ever ran.

`reference.npz` holds, per model, the input batch the course would feed (for breed models:
the photo as RGB, resized bilinearly to the model's size, then the family's `preprocess_input`
unless the model has its preprocessing inside) and Keras 2's `model.predict` of it.
"""

from __future__ import annotations

import pickle
import shutil
import sys
from pathlib import Path

import numpy as np

SIZE = 64  # the smallest size at which the applications keep a 2×2 map for Grad-CAM
BREEDS = [
    "n02085620-Chihuahua",
    "n02086240-Shih-Tzu",
    "n02088364-beagle",
    "n02099601-golden_retriever",
    "n02106662-German_shepherd",
    "n02110958-pug",
]
NAMES_FILE = "dog_species_names.txt"
DIGITS = ("cnn_v2.h5", "cnn_v2.keras", "cnn_v2_tf210.keras", "cnn_v2_savedmodel")
# breed model file -> (application, its preprocess_input module, head), program 8-7's pattern
NESTED = {
    "cnn_for_stanford_dogs_densenet121.h5": ("DenseNet121", "densenet", "flatten"),
    "cnn_for_stanford_dogs_mobilenetv2.h5": ("MobileNetV2", "mobilenet_v2", "gap"),
    "cnn_for_stanford_dogs_resnet50.h5": ("ResNet50", "resnet50", "gap"),
    "cnn_for_stanford_dogs_vgg16.h5": ("VGG16", "vgg16", "gap"),
    "cnn_for_stanford_dogs_efficientnetb0.h5": ("EfficientNetB0", "efficientnet", "gap"),
}
TUTORIAL = "dogs_tf_tutorial_mobilenetv2.h5"  # preprocess_input inside: TFOpLambda
TUTORIAL_CAFFE = "dogs_tf_tutorial_caffe.h5"  # resnet50.preprocess_input: SlicingOpLambda
RESCALING = "dogs_rescaling_augmentation.h5"
LAMBDA_FILES = ("lambda.h5", "lambda.keras", "lambda_savedmodel")
MARKER = "lambda_code_ran"
PHOTO = ("photos", "dogs", "Beagle_01141.jpg")  # under ../shared/assets
MNIST = "mnist/mnist.npz"  # a Lambda layer's code creates this file when it runs


def build(folder: Path, assets: Path) -> None:
    import tf_keras

    tf_keras.utils.set_random_seed(0)
    references: dict[str, np.ndarray] = {}
    with np.load(assets / MNIST) as mnist:
        digits = mnist["x_test"][:8, :, :, None].astype(np.float32) / 255
    _digit_files(tf_keras, folder, digits, references)
    rgb = _photo_rgb(assets.joinpath(*PHOTO))
    with open(folder / NAMES_FILE, "wb") as handle:
        pickle.dump(BREEDS, handle)  # program 8-7 pickles its folder names
    for name, (application, family, head) in NESTED.items():
        model = _nested_application(tf_keras, application, head)
        preprocess = getattr(tf_keras.applications, family).preprocess_input
        _save_with_reference(model, folder / name, preprocess(rgb.copy()), references)
    for name, family in ((TUTORIAL, "mobilenet_v2"), (TUTORIAL_CAFFE, "resnet50")):
        _save_with_reference(_tutorial(tf_keras, family), folder / name, rgb, references)
    _save_with_reference(_rescaling_model(tf_keras), folder / RESCALING, rgb, references)
    _lambda_files(tf_keras, folder)
    np.savez(folder / "reference.npz", **references)


def _digit_files(tf_keras, folder: Path, digits: np.ndarray, references: dict) -> None:
    """Program 8-3's CNN with the shipped model's weights, in each format Keras 2 saves."""
    import keras

    from vision_agent.core.postal import SHIPPED_MODEL
    from vision_agent.training.digits import build_model

    model = build_model(tf_keras)
    model.set_weights(keras.models.load_model(SHIPPED_MODEL.with_suffix(".keras")).get_weights())
    save_digit_formats(model, folder, digits, references)


def save_digit_formats(model, folder: Path, digits: np.ndarray, references: dict) -> None:
    """The digit CNN in the four formats Keras 2 saves, with Keras 2's predictions."""
    h5, zipped, tf210, saved = (folder / name for name in DIGITS)
    model.save(h5)
    model.save(zipped)
    shutil.copyfile(h5, tf210)  # TF 2.10's model.save('x.keras') wrote HDF5 under that name
    model.save(saved, save_format="tf")
    references["digits/input"] = digits
    references["digits/output"] = model.predict(digits, verbose=0)


def _photo_rgb(photo: Path) -> np.ndarray:
    import cv2

    rgb = cv2.cvtColor(cv2.imread(str(photo)), cv2.COLOR_BGR2RGB)
    return cv2.resize(rgb, (SIZE, SIZE), interpolation=cv2.INTER_LINEAR).astype(np.float32)[None]


def _nested_application(tf_keras, application: str, head: str):
    kwargs = {"alpha": 0.35} if application == "MobileNetV2" else {}
    backbone = getattr(tf_keras.applications, application)(
        include_top=False, weights=None, input_shape=(SIZE, SIZE, 3), **kwargs
    )
    if application != "MobileNetV2":  # alpha does the same for MobileNetV2
        backbone = _narrowed(tf_keras, backbone)
    pooling = (
        tf_keras.layers.Flatten() if head == "flatten" else tf_keras.layers.GlobalAveragePooling2D()
    )
    return tf_keras.Sequential(
        [backbone, pooling, tf_keras.layers.Dense(len(BREEDS), activation="softmax")]
    )


def _narrowed(tf_keras, model, factor: int = 16):
    """The same application (its layers, names, arguments and graph) with 1/`factor` of the
    filters in every convolution: ResNet50 as saved is 95 MB, narrowed 0.8 MB."""
    config = model.get_config()
    for layer in config["layers"]:
        settings = layer["config"]
        if "filters" in settings:
            settings["filters"] = max(1, settings["filters"] // factor)
        if layer["class_name"] == "Reshape":  # EfficientNet's squeeze-excite (1, 1, filters)
            *ones, filters = settings["target_shape"]
            settings["target_shape"] = (*ones, max(1, filters // factor))
    return tf_keras.Model.from_config(config)


def _augmentation(tf_keras):
    layers = tf_keras.layers
    return [layers.RandomFlip("horizontal"), layers.RandomRotation(0.2), layers.RandomZoom(0.1)]


def _tutorial(tf_keras, family: str):
    """tensorflow.org/tutorials/images/transfer_learning with a small MobileNetV2 backbone."""
    inputs = tf_keras.Input((SIZE, SIZE, 3))
    x = tf_keras.Sequential(_augmentation(tf_keras))(inputs)
    x = getattr(tf_keras.applications, family).preprocess_input(x)
    backbone = tf_keras.applications.MobileNetV2(
        include_top=False, weights=None, input_shape=(SIZE, SIZE, 3), alpha=0.35
    )
    backbone.trainable = False
    x = backbone(x, training=False)
    x = tf_keras.layers.GlobalAveragePooling2D()(x)
    x = tf_keras.layers.Dropout(0.2)(x)
    outputs = tf_keras.layers.Dense(len(BREEDS), activation="softmax")(x)
    return tf_keras.Model(inputs, outputs)


def _rescaling_model(tf_keras):
    layers = tf_keras.layers
    return tf_keras.Sequential(
        [
            tf_keras.Input((SIZE, SIZE, 3)),
            *_augmentation(tf_keras),
            layers.Rescaling(1.0 / 255),
            layers.Conv2D(8, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.DepthwiseConv2D(3, activation="relu"),
            layers.SeparableConv2D(8, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(len(BREEDS), activation="softmax"),
        ]
    )


def _save_with_reference(model, path: Path, batch: np.ndarray, references: dict) -> None:
    _vary_batch_norms(model)
    _spread_head(model, batch)
    model.save(path)
    references[f"{path.name}/input"] = batch
    references[f"{path.name}/output"] = model.predict(batch, verbose=0)


def _vary_batch_norms(model) -> None:
    """BatchNormalization statistics of a trained model rather than fresh ones (1, 0, 0, 1): a
    loader that mixed them up would then change the outputs, and ReLUs let activations through."""
    rng = np.random.default_rng(1)
    for layer in _all_layers(model):
        if type(layer).__name__ == "BatchNormalization":
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights(
                [
                    rng.uniform(0.5, 1.5, gamma.shape).astype(np.float32),
                    rng.uniform(0.0, 0.5, beta.shape).astype(np.float32),
                    rng.normal(0, 0.1, mean.shape).astype(np.float32),
                    rng.uniform(0.5, 1.5, variance.shape).astype(np.float32),
                ]
            )


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


def _spread_head(model, batch: np.ndarray) -> None:
    """Head weights that make the classes' probabilities differ (a fresh head gives each class
    about 1/6 for every photo, which any preprocessing would match)."""
    import tf_keras

    head = model.layers[-1]
    features = tf_keras.Model(model.inputs, head.input).predict(batch, verbose=0)
    kernel, bias = head.get_weights()
    rng = np.random.default_rng(len(model.layers))
    scale = 3.0 / (float(np.abs(features).mean()) + 1e-6) / np.sqrt(kernel.shape[0])
    head.set_weights([rng.normal(0, scale, kernel.shape).astype(np.float32), bias])


def _lambda_files(tf_keras, folder: Path) -> None:
    """A model with Python code in a Lambda layer; running that code creates MARKER."""
    marker = str(folder / MARKER)
    model = tf_keras.Sequential(
        [
            tf_keras.Input((SIZE, SIZE, 3)),
            tf_keras.layers.Lambda(lambda x: x + 0 * len(str(open(marker, "w").close()))),
            tf_keras.layers.Flatten(),
            tf_keras.layers.Dense(len(BREEDS), activation="softmax"),
        ]
    )
    for name in LAMBDA_FILES:
        model.save(folder / name, **({"save_format": "tf"} if "savedmodel" in name else {}))
    (folder / MARKER).unlink()


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
