"""What a digit model "sees" in a box: the features its last layer decides from.

The handwriting profile compares the user's new digits with the ones they taught, in the space of
the features that feed the model's final dense layer (for the shipped model the 256 values after
`Dense256`): two drawings of the same digit by the same hand lie close there, even when the final
layer reads them wrongly. For an ONNX model the graph is given one more output (the input of its
last MatMul/Gemm) and run through onnxruntime; for a Keras model a sub-model up to its last
layer's input is built. Models without either (a frozen .pb) are compared by their blurred
28×28 inputs, which is weaker but works.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

FeatureExtractor = Callable[[np.ndarray], np.ndarray]  # (n, 28, 28, 1) → (n, d)


class JointOnnxRun:
    """One onnxruntime pass giving a digit model's outputs and its features together."""

    def __init__(self, session, input_name: str, rank: int) -> None:
        self.session, self.input_name, self.rank = session, input_name, rank

    def both(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        feed = batch if self.rank == 4 else batch.reshape(len(batch), -1)
        outputs, features = self.session.run(
            None, {self.input_name: np.ascontiguousarray(feed, np.float32)}
        )
        return outputs.reshape(len(batch), -1), features.reshape(len(batch), -1)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.both(batch)[1]


def normalized(features: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (cosine similarity is then a dot product)."""
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    return features / np.maximum(norms, 1e-9)


def pixel_features(batch: np.ndarray) -> np.ndarray:
    blurred = [cv2.GaussianBlur(x[..., 0], (5, 5), 1.2).ravel() for x in batch]
    return np.array(blurred, np.float32).reshape(len(batch), -1)


def onnx_features(path: Path) -> JointOnnxRun | None:
    """The input of the graph's last MatMul/Gemm as an extra output, run by onnxruntime."""
    import onnx

    from vision_agent.core.onnx_export import cpu_session

    try:
        model = onnx.load(str(path))
        dense = [n for n in model.graph.node if n.op_type in ("MatMul", "Gemm")]
        if not dense:
            return None
        tensor = dense[-1].input[0]
        if len(model.graph.output) != 1:
            return None
        output = onnx.helper.make_tensor_value_info(tensor, onnx.TensorProto.FLOAT, None)
        model.graph.output.append(output)
        session = cpu_session(model.SerializeToString())
        inputs = session.get_inputs()[0]
        run = JointOnnxRun(session, inputs.name, len(inputs.shape))
        run.both(np.zeros((1, 28, 28, 1), np.float32))
    except Exception:
        return None
    return run


def keras_features(model) -> FeatureExtractor | None:
    """A compiled sub-model from the Keras model's input to its last layer's input."""
    import keras

    from vision_agent.core.predictors import compiled_forward

    try:
        sub = keras.Model(model.inputs, model.layers[-1].input)
    except Exception:
        return None
    forward = compiled_forward(sub)
    return lambda batch: forward(batch).reshape(len(batch), -1)


def features_for(path: str | Path) -> FeatureExtractor:
    """The best feature extractor for a digit model file (blurred pixels when nothing better)."""
    path = Path(path)
    suffix = path.suffix.lower()
    extractor = None
    if suffix == ".onnx":
        extractor = onnx_features(path)
    elif suffix in (".h5", ".hdf5", ".keras"):
        from vision_agent.core.predictors import load_keras_model

        extractor = keras_features(load_keras_model(path))
    return extractor or pixel_features
