"""Loading a model file into a callable predictor: Keras (.h5/.keras) or OpenCV DNN (.onnx/.pb/...).

A predictor takes a float32 batch in NHWC layout (N, H, W, C) and returns an (N, K) array of
outputs. Keras models run through a compiled `tf.function` (never `model.predict`, which rebuilds
its input pipeline on every call); OpenCV DNN models get their blob in the layout they expect.
Importing this module does not import TensorFlow; loading a Keras file does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from vision_agent.core.errors import ModelLoadError
from vision_agent.core.keras_files import (
    KERAS_METADATA,
    SAVED_MODEL,
    is_keras_model,
    load_keras_model,
    saved_model_folder,
)
from vision_agent.core.user_files import require_nonempty_file

DNN_SUFFIXES = (".onnx", ".pb", ".caffemodel", ".prototxt", ".pbtxt", ".t7", ".net", ".tflite")
MODEL_FILE_FILTER = "Models (*.h5 *.hdf5 *.keras *.onnx *.pb *.caffemodel)"
# OpenCV logs every failed forward pass ("[ERROR:0@0.1] global net_impl.cpp ...") on stderr;
# the layouts probed below fail by design, and a real failure is reported as a ModelLoadError.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
MAX_MODEL_BYTES = 4 << 30  # the largest Keras ImageNet models are ~0.6 GB


def require_model_file(path: str | Path) -> Path:
    """`path` if it is a model file that can be read (a SavedModel: its folder, also when its
    saved_model.pb is named); a ModelLoadError naming it otherwise."""
    folder = saved_model_folder(path)
    if folder is not None:
        for part in (SAVED_MODEL, KERAS_METADATA):
            if (folder / part).exists():
                require_nonempty_file(folder / part, "a model", MAX_MODEL_BYTES, ModelLoadError)
        return folder
    require_nonempty_file(path, "a model file", MAX_MODEL_BYTES, ModelLoadError)
    return Path(path)


def needs_tensorflow(path: str | Path) -> bool:
    return is_keras_model(path)


@dataclass
class Predictor:
    """A loaded model: `predictor(batch_nhwc) -> (N, K) outputs`."""

    name: str
    kind: str  # "keras", "opencv-dnn" or "onnxruntime"
    input_shape: tuple[int, ...]  # per-sample shape the model was fed with, NHWC order
    run: Callable[[np.ndarray], np.ndarray]
    keras_model: Any = None  # the loaded Keras model, so that nothing loads it a second time

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.run(np.ascontiguousarray(batch, dtype=np.float32))


def load_predictor(
    path: str | Path, sample_shape: tuple[int, int, int], config: str | Path | None = None
) -> Predictor:
    """Load `path` for inputs of `sample_shape` (H, W, C); ModelLoadError if it does not fit."""
    path = require_model_file(path)
    suffix = path.suffix.lower()
    if is_keras_model(path):
        return _load_keras(path, sample_shape)
    if suffix in DNN_SUFFIXES:
        return _load_dnn(path, sample_shape, config)
    raise ModelLoadError(
        f"{path.name}: unknown model type '{suffix}'. Open a Keras file (.h5, .keras) "
        "or an OpenCV DNN model (.onnx, .pb)."
    )


def compiled_forward(model: Any) -> Callable[[np.ndarray], np.ndarray]:
    """`batch -> outputs` through a compiled tf.function (never `model.predict`)."""
    import tensorflow as tf

    @tf.function(reduce_retracing=True)
    def forward(x):
        return model(x, training=False)

    return lambda batch: np.asarray(forward(tf.constant(batch)))


def read_dnn_net(weights: Path, config: str | Path | None = None) -> cv2.dnn.Net:
    """An OpenCV DNN network from a model file (and its config), or a ModelLoadError."""
    require_model_file(weights)
    if config is not None:
        require_model_file(config)
    if weights.suffix.lower() == ".onnx":
        require_onnx_weights_beside(weights)
    try:
        net = cv2.dnn.readNet(str(weights), "" if config is None else str(config))
    except cv2.error as exc:
        raise ModelLoadError(
            f"{weights.name} could not be read by OpenCV DNN: {short_cv_error(exc)}"
        ) from None
    if net.empty():
        raise ModelLoadError(f"{weights.name} holds no network OpenCV DNN can run.")
    return net


def require_onnx_weights_beside(path: Path) -> None:
    """A ModelLoadError naming the file when an ONNX model keeps its weights in another file
    (ONNX "external data") that is not beside it; such a model is otherwise refused with a
    parse error from deep inside the reader."""
    import onnx

    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception:
        return  # not readable as ONNX at all: the reader says so
    for tensor in model.graph.initializer:
        if tensor.data_location != onnx.TensorProto.EXTERNAL:
            continue
        location = next((e.value for e in tensor.external_data if e.key == "location"), "")
        if not location or Path(location).is_absolute() or not (path.parent / location).is_file():
            raise ModelLoadError(
                f"{path.name} keeps its weights in another file ({location or 'unnamed'}), "
                f"which is not beside it: put that file in {path.parent} with the model, or "
                "export the model with its weights inside."
            )


def short_cv_error(exc: cv2.error) -> str:
    """What an OpenCV error says, on one line, without its source file and C++ signature.

    A shape mismatch reads "DNN/MatMul: invalid dimension K (expected: 'K_A == K_B'), where
    'K_A' is 270000 must be equal to 'K_B' is 784"; its last line alone said "'K_B' is 784".
    """
    lines = [line.lstrip("> ").strip() for line in str(exc).strip().splitlines()]
    if lines:
        lines[0] = re.sub(r"^OpenCV\([^)]*\) \S+: error: \([^)]*\)\s*", "", lines[0])
        lines[0] = re.sub(r"\s*in function '.*'$", "", lines[0])
    return " ".join(line for line in lines if line) or type(exc).__name__


def _load_keras(path: Path, sample_shape: tuple[int, int, int]) -> Predictor:
    model = load_keras_model(path)
    inputs = getattr(model, "inputs", None) or []
    if len(inputs) != 1:
        raise ModelLoadError(f"{path.name} has {len(inputs)} inputs; one image input is needed.")
    model_shape = tuple(inputs[0].shape[1:])
    reshape = _keras_input_adapter(model_shape, sample_shape, path.name)
    forward = compiled_forward(model)

    def run(batch: np.ndarray) -> np.ndarray:
        return forward(reshape(batch)).reshape(len(batch), -1)

    return Predictor(
        name=path.name, kind="keras", input_shape=sample_shape, run=run, keras_model=model
    )


def _keras_input_adapter(
    model_shape: tuple, sample_shape: tuple[int, int, int], name: str
) -> Callable[[np.ndarray], np.ndarray]:
    h, w, c = sample_shape
    if model_shape == (h, w, c) or (len(model_shape) == 3 and _matches(model_shape, sample_shape)):
        return lambda batch: batch
    if c == 1 and len(model_shape) == 2 and _matches(model_shape, (h, w)):
        return lambda batch: batch[..., 0]
    if len(model_shape) == 1 and model_shape[0] in (None, h * w * c):
        return lambda batch: batch.reshape(len(batch), -1)
    shown = "×".join("?" if d is None else str(d) for d in model_shape)
    raise ModelLoadError(f"{name} expects input {shown}, but this task feeds {h}×{w}×{c} images.")


def _matches(model_shape: tuple, wanted: tuple) -> bool:
    return len(model_shape) == len(wanted) and all(
        m is None or m == w for m, w in zip(model_shape, wanted, strict=True)
    )


def _load_dnn(
    path: Path, sample_shape: tuple[int, int, int], config: str | Path | None
) -> Predictor:
    net = read_dnn_net(path, config)
    h, w, c = sample_shape
    probe = np.zeros((1, h, w, c), np.float32)
    for layout in ("NCHW", "NHWC"):
        try:
            _dnn_forward(net, probe, layout)
        except cv2.error:
            continue

        def run(batch: np.ndarray, layout: str = layout) -> np.ndarray:
            return _dnn_forward(net, batch, layout)

        return Predictor(name=path.name, kind="opencv-dnn", input_shape=sample_shape, run=run)
    raise ModelLoadError(
        f"{path.name} does not accept {h}×{w}×{c} images (neither 1×{c}×{h}×{w} nor "
        f"1×{h}×{w}×{c} input works)."
    )


def _dnn_forward(net, batch: np.ndarray, layout: str) -> np.ndarray:
    blob = np.ascontiguousarray(batch.transpose(0, 3, 1, 2) if layout == "NCHW" else batch)
    if len(batch) == 1:
        net.setInput(blob)
        return net.forward().reshape(1, -1)
    try:
        net.setInput(blob)
        out = net.forward()
        if out.shape[0] == len(batch):
            return out.reshape(len(batch), -1)
    except cv2.error:
        pass
    # Some frozen graphs only run with batch 1.
    return np.concatenate([_dnn_forward(net, batch[i : i + 1], layout) for i in range(len(batch))])
