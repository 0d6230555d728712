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
from typing import Any

import cv2
import numpy as np

from vision_agent.core.layer_activations import dims_layout, to_layout
from vision_agent.core.onnx_wire import with_dense_input_output
from vision_agent.core.predictors import Predictor

FeatureExtractor = Callable[[np.ndarray], np.ndarray]  # (n, 28, 28, 1) → (n, d)


class JointOnnxRun:
    """One onnxruntime pass giving a digit model's outputs and its features together."""

    def __init__(self, session: Any, layout: str) -> None:
        self.session, self.layout = session, layout
        graph_input = session.get_inputs()[0]
        self.input_name = graph_input.name
        fixed = graph_input.shape[0] if graph_input.shape else None
        # a graph exported with a fixed batch (often 1) runs in slices of that size
        self.fixed_batch = fixed if isinstance(fixed, int) and fixed > 0 else None

    def both(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        batch = np.asarray(batch, np.float32)
        step = self.fixed_batch
        if step is None or len(batch) == step:
            return self._run(batch)
        slices = [self._run(_padded(batch[i : i + step], step)) for i in range(0, len(batch), step)]
        n = len(batch)
        return (
            np.concatenate([s[0] for s in slices])[:n],
            np.concatenate([s[1] for s in slices])[:n],
        )

    def _run(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        feed = {self.input_name: to_layout(batch, self.layout)}
        outputs, features = self.session.run(None, feed)
        return outputs.reshape(len(batch), -1), features.reshape(len(batch), -1)

    def outputs(self, batch: np.ndarray) -> np.ndarray:
        return self.both(batch)[0]

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.both(batch)[1]


def _padded(batch: np.ndarray, size: int) -> np.ndarray:
    """`batch` with blank samples added up to `size` (their results are dropped)."""
    missing = size - len(batch)
    return (
        batch
        if missing == 0
        else np.concatenate([batch, np.zeros_like(batch[:1]).repeat(missing, 0)])
    )


def normalized(features: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (cosine similarity is then a dot product)."""
    norms = np.sqrt(np.add.reduce(features * features, axis=1, keepdims=True))  # as linalg.norm
    return features / np.maximum(norms, 1e-9)


def pixel_features(batch: np.ndarray) -> np.ndarray:
    blurred = [cv2.GaussianBlur(x[..., 0], (5, 5), 1.2).ravel() for x in batch]
    return np.array(blurred, np.float32).reshape(len(batch), -1)


def onnx_features(path: Path, sample_shape: tuple[int, int, int]) -> JointOnnxRun | None:
    """The input of the graph's last MatMul/Gemm as an extra output, run by onnxruntime
    (None when the graph has no such layer or onnxruntime cannot run it). The graph is edited
    without the `onnx` package (see `onnx_wire`), which the window's process need not import."""
    from vision_agent.core.onnx_export import cpu_session

    try:
        model = with_dense_input_output(Path(path).read_bytes())
        if model is None:
            return None
        try:
            session = cpu_session(model)
        except Exception:  # weights in files beside the model, which a session from bytes
            import onnx  # cannot find: read them in (rare, so `onnx` is imported only here)

            whole = onnx.load(str(path)).SerializeToString()
            session = cpu_session(with_dense_input_output(whole) or whole)
        run = JointOnnxRun(session, dims_layout(session.get_inputs()[0].shape, sample_shape))
        run.both(np.zeros((1, *sample_shape), np.float32))
    except Exception:
        return None
    return run


def keras_features(model: Any) -> FeatureExtractor | None:
    """A compiled sub-model from the Keras model's input to its last layer's input."""
    from vision_agent.core.keras_files import keras_of
    from vision_agent.core.predictors import compiled_forward

    try:
        sub = keras_of(model).Model(model.inputs, model.layers[-1].input)
    except Exception:
        return None
    forward = compiled_forward(sub)
    return lambda batch: forward(batch).reshape(len(batch), -1)


def features_for(predictor: Predictor) -> FeatureExtractor:
    """Features of a loaded digit model that runs no ONNX graph (see `onnx_features`): its
    Keras sub-model, or blurred pixels when there is nothing better (OpenCV DNN models)."""
    extractor = None
    if predictor.keras_model is not None:
        extractor = keras_features(predictor.keras_model)
    return extractor or pixel_features
