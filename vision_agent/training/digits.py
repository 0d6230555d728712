"""Training the postal-code digit CNN on MNIST (course program 8-3, robust to mouse drawing).

Architecture as in the course: Conv32-Conv32-Pool-Drop.25-Conv64-Conv64-Pool-Drop.25-Flatten-
Dense512-Drop.5-Dense10 (softmax), Adam 1e-3 with cosine decay, batch 128. Augmentation mimics what
differs between MNIST and a digit drawn with a mouse on the canvas: small shifts, rotations, scale,
and stroke thickness. Saves `digits_cnn.keras`, `digits_cnn.onnx` (for OpenCV DNN, so the app
recognizes without importing TensorFlow) and a model card.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from vision_agent.core.errors import UserError

MODEL_BASENAME = "digits_cnn"
VALIDATION_SIZE = 5000


@dataclass
class DigitTrainingReport:
    keras_path: str
    onnx_path: str | None
    card_path: str
    test_accuracy: float
    onnx_test_accuracy: float | None
    epochs: int
    seconds: float


def load_mnist(data: Path | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """MNIST as uint8 arrays; from an .npz (Keras layout) or from Keras's own download."""
    if data is not None:
        keys = ("x_train", "y_train", "x_test", "y_test")
        if not zipfile.is_zipfile(data):
            raise UserError(f"{data} is not an MNIST .npz file (a NumPy zip archive).")
        try:
            with np.load(data) as npz:
                arrays = tuple(npz[k] for k in keys)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise UserError(
                f"{data} is not an MNIST .npz holding {', '.join(keys)} ({exc})."
            ) from None
        digest = hashlib.sha256(Path(data).read_bytes()).hexdigest()
        return (*arrays, f"{Path(data).name} (sha256 {digest})")
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    return x_train, y_train, x_test, y_test, "keras.datasets.mnist (Keras download)"


def build_model():
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input((28, 28, 1), name="digit"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Dropout(0.25),
            layers.Conv2D(64, 3, activation="relu"),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(512, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax", name="probabilities"),
        ],
        name="digits_cnn",
    )


def _augmenter(seed: int):
    """A batch function: stroke thickness change, then rotation, zoom and shift."""
    import keras
    import tensorflow as tf

    geometric = keras.Sequential(
        [
            keras.layers.RandomRotation(0.04, fill_mode="constant", seed=seed),
            keras.layers.RandomZoom((-0.15, 0.15), fill_mode="constant", seed=seed + 1),
            keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=seed + 2),
        ]
    )

    def augment(images, labels):
        batch = tf.shape(images)[0]
        dilated = tf.nn.max_pool2d(images, 2, 1, "SAME")
        eroded = -tf.nn.max_pool2d(-images, 2, 1, "SAME")
        choice = tf.random.uniform([batch, 1, 1, 1])
        images = tf.where(choice < 0.3, dilated, tf.where(choice > 0.85, eroded, images))
        images = geometric(images, training=True)
        return tf.clip_by_value(images, 0.0, 1.0), labels

    return augment


def train_digits(
    data: Path | None,
    out_dir: Path,
    epochs: int = 15,
    seed: int = 42,
    batch_size: int = 128,
    command: str = "",
    export_onnx: bool = True,
) -> DigitTrainingReport:
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    started = time.perf_counter()
    x_train, y_train, x_test, y_test, data_source = load_mnist(data)
    x_train = (x_train.astype("float32") / 255.0)[..., None]
    x_test = (x_test.astype("float32") / 255.0)[..., None]
    x_val, y_val = x_train[-VALIDATION_SIZE:], y_train[-VALIDATION_SIZE:]
    x_fit, y_fit = x_train[:-VALIDATION_SIZE], y_train[:-VALIDATION_SIZE]

    train_ds = (
        tf.data.Dataset.from_tensor_slices((x_fit, y_fit))
        .shuffle(len(x_fit), seed=seed)
        .batch(batch_size)
        .map(_augmenter(seed), num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
    steps = epochs * int(np.ceil(len(x_fit) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, steps, alpha=0.02)
    model = build_model()
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    keras_path = out_dir / f"{MODEL_BASENAME}.keras"
    history = model.fit(
        train_ds,
        epochs=epochs,
        validation_data=(x_val, y_val),
        callbacks=[
            keras.callbacks.ModelCheckpoint(keras_path, monitor="val_accuracy", save_best_only=True)
        ],
        verbose=2,
    )
    model = keras.models.load_model(keras_path)
    _, test_accuracy = model.evaluate(x_test, y_test, batch_size=500, verbose=0)
    print(f"MNIST test accuracy (Keras): {test_accuracy:.4%}", flush=True)

    onnx_path, onnx_accuracy = None, None
    if export_onnx:
        onnx_path = out_dir / f"{MODEL_BASENAME}.onnx"
        model.export(str(onnx_path), format="onnx", verbose=False)
        onnx_accuracy = _onnx_accuracy(onnx_path, x_test, y_test)
        print(f"MNIST test accuracy (ONNX via OpenCV DNN): {onnx_accuracy:.4%}", flush=True)

    seconds = time.perf_counter() - started
    card = {
        "model": MODEL_BASENAME,
        "task": "handwritten digit (0-9) classification for the postal-code canvas",
        "architecture": "Conv32-Conv32-Pool-Drop.25-Conv64-Conv64-Pool-Drop.25-"
        "Flatten-Dense512-Drop.5-Dense10 softmax (course program 8-3)",
        "input": "1×28×28×1 float32, white digit on black, 0..1, fitted into 20×20 and centred "
        "by centre of mass (MNIST normalisation)",
        "data": data_source,
        "split": f"train {len(x_fit)}, validation {len(x_val)} (last of train), test {len(x_test)}",
        "augmentation": "stroke thickness (2×2 dilate 30%, erode 15%), rotation ±14°, "
        "zoom ±15%, shift ±10%",
        "optimizer": f"Adam, cosine decay from 1e-3 over {steps} steps, batch {batch_size}",
        "epochs": epochs,
        "best_val_accuracy": float(max(history.history["val_accuracy"])),
        "seed": seed,
        "mnist_test_accuracy": round(float(test_accuracy), 6),
        "onnx_mnist_test_accuracy": None if onnx_accuracy is None else round(onnx_accuracy, 6),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "training_seconds": round(seconds, 1),
        "software": {
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
        },
        "history": {k: [round(float(v), 5) for v in vs] for k, vs in history.history.items()},
    }
    card_path = out_dir / f"{MODEL_BASENAME}.card.json"
    card_path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    report = DigitTrainingReport(
        keras_path=str(keras_path),
        onnx_path=None if onnx_path is None else str(onnx_path),
        card_path=str(card_path),
        test_accuracy=float(test_accuracy),
        onnx_test_accuracy=onnx_accuracy,
        epochs=epochs,
        seconds=seconds,
    )
    print(json.dumps(asdict(report)), file=sys.stderr, flush=True)
    return report


def _onnx_accuracy(onnx_path: Path, x_test: np.ndarray, y_test: np.ndarray) -> float:
    from vision_agent.core.predictors import load_predictor

    predictor = load_predictor(onnx_path, (28, 28, 1))
    correct = 0
    for start in range(0, len(x_test), 500):
        probs = predictor(x_test[start : start + 500])
        correct += int((probs.argmax(axis=1) == y_test[start : start + 500]).sum())
    return correct / len(x_test)
