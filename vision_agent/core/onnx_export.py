"""Running a Keras ImageNet model through onnxruntime: exported once, cached, verified.

For ResNet50 onnxruntime's forward pass is the fastest on CPU (see bench/classify_latency.py),
so the Keras model (still needed for Grad-CAM's gradients) is exported to ONNX once per weights
file, in a background thread of the model's process; until the export is ready, classification
runs through the compiled `tf.function`. The exported file lives in the model cache, named by
the architecture and the weights file's SHA-256, and is checked against Keras on a probe input
before it is trusted.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

MAX_DIFFERENCE = 1e-4  # largest |logit difference| from Keras on the probe input


def export_path(folder: Path, architecture: str, weights: Path) -> Path:
    """Where the export of `weights` lives in `folder`."""
    digest = hashlib.sha256()
    with open(weights, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    name = f"{architecture}-{digest.hexdigest()[:16]}.onnx"
    return folder / name


def cpu_session(model: Path | bytes) -> Any:
    """An onnxruntime session on the CPU for a model file, or a model serialised to bytes."""
    import onnxruntime

    source = str(model) if isinstance(model, Path) else model
    return onnxruntime.InferenceSession(source, providers=["CPUExecutionProvider"])


def onnx_runner(
    path: Path, keras_run: Callable[[np.ndarray], np.ndarray], probe: np.ndarray
) -> Callable[[np.ndarray], np.ndarray] | None:
    """An onnxruntime run function for `path`, or None if it is unusable or disagrees."""
    try:
        session = cpu_session(path)
    except Exception:
        return None
    input_name = session.get_inputs()[0].name

    def run(batch: np.ndarray) -> np.ndarray:
        out = session.run(None, {input_name: np.ascontiguousarray(batch, np.float32)})[0]
        return np.asarray(out).reshape(len(batch), -1)

    try:
        difference = float(np.abs(run(probe) - keras_run(probe)).max())
    except Exception:
        return None
    return run if difference <= MAX_DIFFERENCE else None


def export_in_background(
    model: Any, path: Path, sample: np.ndarray, on_ready: Callable[[Path], None]
) -> threading.Thread:
    """Export `model` to `path` (atomically) in a daemon thread, then call `on_ready(path)`.

    `sample` is one input batch: Keras exports only a model that has been called eagerly.
    """

    def work() -> None:
        partial = path.with_name(f"{path.stem}.{os.getpid()}.partial.onnx")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            for stale in path.parent.glob(f"{path.stem}.*.partial.onnx"):  # a killed export's
                stale.unlink(missing_ok=True)
            model(sample, training=False)
            _save_onnx(model, partial)
            os.replace(partial, path)
        except Exception as exc:  # the tf.function path keeps working
            print(f"vision-agent: ONNX export of {model.name} failed: {exc}", file=sys.stderr)
            partial.unlink(missing_ok=True)
            return
        on_ready(path)

    thread = threading.Thread(target=work, name="onnx-export", daemon=True)
    thread.start()
    return thread


def _save_onnx(model: Any, path: Path) -> None:
    """Keras 3 exports itself; a Keras 2 (tf_keras) model has no ONNX export: tf2onnx converts
    its forward pass."""
    from vision_agent.core.keras_files import by_tf_keras

    if not by_tf_keras(model):
        model.export(str(path), format="onnx", verbose=False)
        return
    import tensorflow as tf
    import tf2onnx

    spec = (tf.TensorSpec((None, *model.inputs[0].shape[1:]), tf.float32, name="input"),)
    forward = tf.function(lambda x: model(x, training=False))
    tf2onnx.convert.from_function(forward, input_signature=spec, opset=13, output_path=str(path))
