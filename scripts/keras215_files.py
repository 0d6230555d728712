"""Write the Keras-2 test files with TensorFlow 2.15's own Keras (2.15), as students' files were.

The tests make their Keras-2 files with `tf_keras` 2.21 (tests/support/keras2_files.py). This
script makes the same files with the `tf.keras` of TensorFlow 2.15, in a virtual environment of
its own, so that the tests can be run on files Keras 2.15 itself wrote (see
scripts/check_keras215.sh, which runs it):

    TF215/bin/python scripts/keras215_files.py FOLDER ASSETS DIGIT_WEIGHTS.npz

The app's modules are not imported there (they need Keras 3 and a newer OpenCV), so the digit CNN
is built here as program 8-3 builds it (training/digits.build_model) and
given the shipped model's weights from DIGIT_WEIGHTS.npz (written by check_keras215.sh).
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import tensorflow as tf

sys.modules["tf_keras"] = tf.keras  # the Keras 2 that TensorFlow 2.15 itself carries
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support import keras2_files  # noqa: E402


def _digit_files(tf_keras: types.ModuleType, folder: Path, digits, references) -> None:
    layers = tf_keras.layers

    def conv(filters: int) -> list:
        return [layers.Conv2D(filters, 3, use_bias=False), layers.BatchNormalization(),
                layers.ReLU()]  # fmt: skip

    model = tf_keras.Sequential(
        [tf_keras.Input((28, 28, 1), name="digit"), *conv(32), *conv(32), layers.MaxPooling2D(),
         *conv(64), *conv(64), layers.MaxPooling2D(), *conv(128), layers.Flatten(),
         layers.Dropout(0.4), layers.Dense(256, activation="relu"), layers.Dropout(0.4),
         layers.Dense(11, activation="softmax", name="probabilities")]
    )  # fmt: skip
    with np.load(sys.argv[3]) as weights:
        model.set_weights([weights[f"arr_{i}"] for i in range(len(weights.files))])
    keras2_files.save_digit_formats(model, folder, digits, references)


if __name__ == "__main__":
    print(f"writing with TensorFlow {tf.__version__}", file=sys.stderr)
    keras2_files._digit_files = _digit_files
    keras2_files.build(Path(sys.argv[1]), Path(sys.argv[2]))
