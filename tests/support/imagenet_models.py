"""ImageNet-style models made inside the tests: a ResNet50 with fixed random weights (saved as
Keras's own weights file is: a legacy HDF5 weights file), a registry that lists it, and the
reference pipeline the app must agree with."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from vision_agent.paths import resource

RESNET50_FILE = "resnet50_weights_tf_dim_ordering_tf_kernels.h5"
SEED = 7


def save_resnet50_weights(path: Path, seed: int = SEED) -> Path:
    """ResNet50 (1000 classes) with seeded random weights, written like Keras's download."""
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format

    keras.utils.set_random_seed(seed)
    model = keras.applications.ResNet50(weights=None)
    with h5py.File(path, "w") as handle:
        legacy_h5_format.save_weights_to_hdf5_group(handle, model)
    return path


def registry_with_resnet50(folder: Path, weights: Path) -> Path:
    """A copy of the shipped registry whose resnet50_imagenet hash and size are those of
    `weights`."""
    from vision_agent.models.store import file_digest

    data = json.loads(resource("models", "registry.json").read_text(encoding="utf-8"))
    for entry in data["models"]:
        if entry["id"] == "resnet50_imagenet":
            entry["files"]["weights"]["hash"] = "sha256:" + file_digest(weights, "sha256")
            entry["files"]["weights"]["size"] = weights.stat().st_size
    path = folder / "registry.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def reference_probabilities(model, photo: Path, bgr: bool = False) -> np.ndarray:
    """The reference Keras pipeline: PIL, RGB, resize to 224×224, preprocess_input, model call.

    `bgr=True` makes the course's mistake (BGR pixels into preprocess_input).
    """
    from keras.applications.resnet50 import preprocess_input

    image = Image.open(photo).convert("RGB").resize((224, 224), Image.Resampling.BILINEAR)
    x = np.asarray(image, np.float32)
    if bgr:
        x = x[..., ::-1]
    return np.asarray(model(preprocess_input(x[None].copy())))[0]


def top5(probabilities: np.ndarray) -> list[int]:
    return [int(i) for i in np.argsort(-probabilities, kind="stable")[:5]]


def save_small_resnet(path: Path) -> Path:
    """A small ResNet-style classifier (5 classes) saved as a user's own Keras model: a
    Conv-BN-ReLU stem, two residual blocks (the second downsampling), global pooling, softmax."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(2)
    inputs = keras.Input((64, 64, 3))
    x = layers.Conv2D(8, 3, strides=2, padding="same", name="stem_conv")(inputs)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation("relu", name="stem_relu")(x)
    for stage, (filters, stride) in enumerate(((8, 1), (16, 2)), 1):
        shortcut = x
        y = layers.Conv2D(filters, 3, strides=stride, padding="same", name=f"s{stage}_conv1")(x)
        y = layers.BatchNormalization(name=f"s{stage}_bn1")(y)
        y = layers.Activation("relu", name=f"s{stage}_relu1")(y)
        y = layers.Conv2D(filters, 3, padding="same", name=f"s{stage}_conv2")(y)
        if stride != 1:
            shortcut = layers.Conv2D(filters, 1, strides=stride, name=f"s{stage}_down")(x)
        x = layers.Add(name=f"s{stage}_add")([shortcut, y])
        x = layers.Activation("relu", name=f"s{stage}_out")(x)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(5, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs, outputs, name="small_resnet")
    # Batch-norm statistics of their own, so inference differs from training.
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            gamma, beta, mean, variance = layer.get_weights()
            rng = np.random.default_rng(len(layer.name))
            layer.set_weights(
                [gamma * 1.5, beta + 0.1, rng.normal(0, 0.2, mean.shape), variance + 0.5]
            )
    model.save(path)
    return path
