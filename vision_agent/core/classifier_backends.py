"""The engines behind `ImageClassifier`: Keras (with Grad-CAM), onnxruntime and OpenCV DNN.

A backend takes a preprocessed NHWC float32 batch and returns (N, K) class scores, saying
whether they are logits or probabilities. Keras backends also compute Grad-CAM. TensorFlow is
imported only when a Keras backend is built (in a child process, see `classifier_spec`).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vision_agent.core.errors import ModelLoadError
from vision_agent.core.imagenet_preprocess import Preprocessing
from vision_agent.core.keras_files import import_keras, keras_of, load_keras_model, output_in
from vision_agent.core.layer_activations import KerasLayers, LayerReader, OnnxLayers
from vision_agent.core.predictors import compiled_forward, load_predictor
from vision_agent.core.probabilities import as_probabilities, softmax

# keras.applications model names -> their preprocess_input mode (see imagenet_preprocess).
# Layers that preprocess inside a model, so that it takes raw 0..255 pixels.
PREPROCESSING_LAYERS = ("Rescaling", "Normalization", "TFOpLambda", "SlicingOpLambda")
KERAS_NAME_MODES = (
    ("resnet50v2", "tf"),
    ("resnet101v2", "tf"),
    ("resnet152v2", "tf"),
    ("resnet", "caffe"),
    ("vgg", "caffe"),
    ("mobilenet", "tf"),
    ("inception", "tf"),
    ("xception", "tf"),
    ("nasnet", "tf"),
    ("densenet", "torch"),
    ("efficientnet", "raw"),
    ("convnext", "raw"),
    ("regnet", "raw"),
)


@dataclass
class Backend:
    """`run(batch_nhwc) -> (N, K)` scores; `gradcam(batch_of_one, class) -> (h, w)` raw map."""

    run: Callable[[np.ndarray], np.ndarray]
    outputs: str  # "logits", "probabilities" or "auto" (decided from the values)
    input_size: tuple[int, int]  # (width, height) the model takes
    gradcam: Callable[[np.ndarray, int], np.ndarray] | None = None
    keras_mode: str | None = None  # preprocess mode guessed for a user's Keras file
    engine: str = ""  # what runs the forward pass, e.g. "tf.function" or "onnxruntime"
    onnx_export: Path | None = None  # the verified ONNX export the forward pass runs on
    takes_pixels: bool = False  # `run` takes resized uint8 photos and normalises them itself
    # What each layer makes of an input ("Inside the network"); built on first use. None, and
    # the reason why, where the engine cannot show its layers.
    layer_reader: Callable[[], LayerReader] | None = None
    no_layers_reason: str = ""


def to_probabilities(scores: np.ndarray, outputs: str) -> np.ndarray:
    """Probabilities from a backend's (N, K) scores (softmax unless they already are)."""
    scores = np.asarray(scores, np.float64)
    if outputs == "probabilities":
        return scores.astype(np.float32)
    probabilities = as_probabilities(scores) if outputs == "auto" else softmax(scores)
    return probabilities.astype(np.float32)


# ------------------------------------------------------------------ OpenCV DNN and onnxruntime


def opencv_backend(
    weights: Path, size: tuple[int, int], outputs: str, config: Path | None = None
) -> Backend:
    width, height = size
    predictor = load_predictor(weights, (height, width, 3), config)
    reason = f"{weights.name} runs in OpenCV DNN, which cannot show its layers here."
    return Backend(
        run=predictor,
        outputs=outputs,
        input_size=size,
        engine="cv2.dnn",
        no_layers_reason=reason,
    )


def onnxruntime_backend(
    weights: Path, size: tuple[int, int], layout: str, outputs: str, engine: str = "onnxruntime"
) -> Backend:
    """onnxruntime on CPU; falls back to OpenCV DNN when onnxruntime is not installed."""
    if importlib.util.find_spec("onnxruntime") is None:
        return opencv_backend(weights, size, outputs)
    from vision_agent.core.onnx_export import cpu_session

    try:
        session = cpu_session(weights)
    except Exception as exc:
        raise ModelLoadError(
            f"{weights.name} could not be loaded by onnxruntime: {str(exc)[:200]}"
        ) from None
    input_name = session.get_inputs()[0].name

    def run(batch: np.ndarray) -> np.ndarray:
        blob = batch.transpose(0, 3, 1, 2) if layout == "NCHW" else batch
        out = session.run(None, {input_name: np.ascontiguousarray(blob, np.float32)})[0]
        return np.asarray(out).reshape(len(batch), -1)

    return Backend(
        run=run,
        outputs=outputs,
        input_size=size,
        engine=engine,
        layer_reader=lambda: OnnxLayers(weights, layout),
    )


def onnx_pixel_backend(
    export: Path, preprocessing: Preprocessing, outputs: str, engine: str
) -> Backend:
    """onnxruntime on a Keras model's ONNX export with `preprocessing`'s normalisation folded
    into the graph (see `onnx_pixel_input`): `run` takes (N, H, W, 3) uint8 resized photos."""
    import onnx

    from vision_agent.core.onnx_export import cpu_session
    from vision_agent.core.onnx_pixel_input import PIXELS_INPUT, with_pixel_input

    try:
        session = cpu_session(
            with_pixel_input(onnx.load(str(export)), preprocessing).SerializeToString()
        )
    except Exception as exc:
        raise ModelLoadError(
            f"{export.name} could not be prepared for onnxruntime: {str(exc)[:200]}"
        ) from None

    def run(pixels: np.ndarray) -> np.ndarray:
        feed = {PIXELS_INPUT: np.ascontiguousarray(pixels, np.uint8)}
        return np.asarray(session.run(None, feed)[0]).reshape(len(pixels), -1)

    return Backend(
        run=run,
        outputs=outputs,
        input_size=preprocessing.size,
        engine=engine,
        onnx_export=export,
        takes_pixels=True,
    )


# ------------------------------------------------------------------ Keras


def keras_application_backend(
    architecture: str,
    weights: Path,
    gradcam_layer: str | None = None,
    accelerate: bool = False,
    onnx_exports: Path | None = None,
) -> Backend:
    """`keras.applications.<architecture>(weights=<file>)`, returning logits for Grad-CAM.

    The forward pass switches to onnxruntime when an ONNX export of these weights is in
    `onnx_exports`;
    with `accelerate`, a missing export is made in the background (see `onnx_export`).
    """
    keras = import_keras(weights)
    constructor = getattr(keras.applications, architecture, None)
    if constructor is None:
        raise ModelLoadError(f"Keras has no application named {architecture}.")
    try:
        model = constructor(weights=str(weights), classifier_activation=None)
    except Exception as exc:
        raise ModelLoadError(
            f"{weights.name} does not hold {architecture} weights ({type(exc).__name__}: "
            f"{str(exc)[:200]})."
        ) from None
    backend = _keras_backend(model, "logits", gradcam_layer)
    _use_onnxruntime_when_ready(backend, model, architecture, weights, accelerate, onnx_exports)
    return backend


def _use_onnxruntime_when_ready(
    backend: Backend,
    model: Any,
    architecture: str,
    weights: Path,
    accelerate: bool,
    onnx_exports: Path | None,
) -> None:
    from vision_agent.core.onnx_export import export_in_background, export_path, onnx_runner

    width, height = backend.input_size
    probe = np.random.default_rng(0).uniform(-120, 150, (1, height, width, 3)).astype(np.float32)
    keras_run = backend.run

    def switch(path: Path) -> None:
        run = onnx_runner(path, keras_run, probe)
        if run is not None:
            backend.run, backend.engine, backend.onnx_export = run, "onnxruntime", path

    if onnx_exports is None:
        return
    try:
        path = export_path(onnx_exports, architecture, weights)
    except OSError:
        return
    if path.is_file():
        switch(path)
    elif accelerate:
        export_in_background(model, path, probe, switch)


def keras_file_backend(
    path: Path, accelerate: bool = False, onnx_exports: Path | None = None
) -> Backend:
    """A whole Keras model saved by a user (.h5 / .keras / SavedModel, Keras 2 or 3); its
    preprocessing is guessed. With `accelerate`, the forward pass moves to an ONNX export of
    the file (made once, in the background) as for the Keras applications."""
    model = load_keras_model(path)
    keras = keras_of(model)
    inputs = getattr(model, "inputs", None) or []
    if len(inputs) != 1 or len(inputs[0].shape) != 4 or inputs[0].shape[-1] != 3:
        shapes = ", ".join(str(tuple(i.shape)) for i in inputs) or "none"
        raise ModelLoadError(
            f"{path.name} is not an image classifier: it takes {shapes}, not one colour image."
        )
    logits, outputs = _logits_model(keras, model)
    backend = _keras_backend(logits, outputs, None)
    backend.keras_mode = _guess_keras_mode(model)
    backend.layer_reader = lambda: KerasLayers(model)
    if path.is_file():  # a SavedModel folder has no one file to name its export by
        _use_onnxruntime_when_ready(
            backend, logits, f"file-{path.stem}", path, accelerate, onnx_exports
        )
    return backend


def _logits_model(keras: Any, model: Any) -> tuple[Any, str]:
    """The same network without its final softmax (Grad-CAM needs the class scores).

    Handles a final Softmax layer and a final Dense layer with a softmax activation (the
    usual classifier heads); any other model is used as it is.
    """
    last = model.layers[-1]
    activation = getattr(getattr(last, "activation", None), "__name__", "")
    if isinstance(last, keras.layers.Softmax):
        head = None
    elif isinstance(last, keras.layers.Dense) and activation == "softmax":
        config = last.get_config() | {"activation": "linear", "name": f"{last.name}_logits"}
        head = keras.layers.Dense.from_config(config)
    else:
        return model, "auto"
    if isinstance(model, keras.Sequential):
        layers = [keras.Input(model.inputs[0].shape[1:]), *model.layers[:-1]]
        logits = keras.Sequential(layers + ([head] if head is not None else []))
    else:
        tensor = last.input if head is None else head(last.input)
        logits = keras.Model(model.inputs, tensor)
    if head is not None:
        head.set_weights(last.get_weights())
    return logits, "logits"


def _guess_keras_mode(model: Any) -> str:
    """ "raw" for models that preprocess inside (Rescaling, Normalization, `preprocess_input`'s
    TensorFlow ops), else by the keras.applications name of the model or of the application
    nested first in it (the course's Sequential([DenseNet121(...), ...])), else caffe."""
    if any(type(layer).__name__ in PREPROCESSING_LAYERS for layer in model.layers[:4]):
        return "raw"
    nested = next((layer for layer in model.layers if getattr(layer, "layers", None)), None)
    for name in (model.name.lower(), "" if nested is None else nested.name.lower()):
        mode = next((mode for prefix, mode in KERAS_NAME_MODES if name.startswith(prefix)), None)
        if mode is not None:
            return mode
    return "caffe"


def _keras_backend(model: Any, outputs: str, gradcam_layer: str | None) -> Backend:
    import tensorflow as tf

    keras = keras_of(model)

    shape = model.inputs[0].shape
    size = (int(shape[2] or 224), int(shape[1] or 224))

    forward = compiled_forward(model)

    def run(batch: np.ndarray) -> np.ndarray:
        return forward(batch).reshape(len(batch), -1)

    layer = _gradcam_layer(model, gradcam_layer)
    gradcam = None
    if layer is not None:
        split = _split_at(keras, model, layer)

        @tf.function(reduce_retracing=True)
        def cam_parts(x, class_index):
            with tf.GradientTape() as tape:
                activations, scores = split(x)
                score = tf.gather(scores, class_index, axis=-1)
            return activations, tape.gradient(score, activations)

        def gradcam(batch: np.ndarray, class_index: int) -> np.ndarray:
            from vision_agent.core.gradcam import cam_from_gradients

            activations, gradients = cam_parts(tf.constant(batch), tf.constant(class_index))
            return cam_from_gradients(np.asarray(activations)[0], np.asarray(gradients)[0])

    return Backend(
        run=run,
        outputs=outputs,
        input_size=size,
        gradcam=gradcam,
        engine="tf.function",
        layer_reader=lambda: KerasLayers(model),
    )


def _split_at(keras: Any, model: Any, layer: Any) -> Callable[[Any], tuple[Any, Any]]:
    """`x -> (feature maps of layer, class scores)` in one forward pass.

    A Sequential model runs its layers one by one (its layers' graph nodes are not the
    model's own once it was loaded or rebuilt); a functional model gets a two-output model.
    """
    if isinstance(model, keras.Sequential):
        cut = model.layers.index(layer) + 1

        def forward(x):
            for part in model.layers[:cut]:
                x = part(x, training=False)
            activations = x
            for part in model.layers[cut:]:
                x = part(x, training=False)
            return activations, x

        return forward
    two_outputs = keras.Model(model.inputs, [output_in(model, layer), model.output])
    return lambda x: two_outputs(x, training=False)


def _gradcam_layer(model: Any, name: str | None) -> Any:
    """The named layer, else the last top-level layer with a 4-D (feature map) output."""
    if name is not None:
        try:
            return model.get_layer(name)
        except ValueError:
            raise ModelLoadError(f"{model.name} has no layer {name} for Grad-CAM.") from None
    for layer in reversed(model.layers):
        try:
            shape = layer.output.shape
        except (AttributeError, ValueError):
            continue
        if len(shape) == 4 and shape[1] and shape[1] > 1:
            return layer
    return None
