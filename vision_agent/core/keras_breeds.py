"""A Keras breed model (.h5/.keras) with its class names: the course's or one trained here.

Runs in a child process (it imports TensorFlow). The input is RGB at the model's own size,
resized like `image_dataset_from_directory` resized the training images (bilinear, whole image).
What the pixels must look like is read from the model rather than guessed: a `Rescaling` or
`Normalization` layer, or the TensorFlow ops of `preprocess_input` (TensorFlow's tutorial puts
it inside), before the first layer with weights means the model takes raw 0..255 pixels (the
course's model has `Rescaling(1/255)` inside); otherwise a Keras Applications
backbone inside tells its preprocessing; a plain model without either is fed pixels/255.
When an ImageNet classifier is on this computer, it also tells whether the photo holds a dog.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vision_agent.core.breed_names import read_class_names, readable_breed
from vision_agent.core.dogs import (
    DOG_THRESHOLD,
    DogResult,
    ImageNetDogRecognizer,
    dog_scores,
    top_breeds,
    with_annotation,
)
from vision_agent.core.errors import ModelLoadError
from vision_agent.core.imageio import read_image
from vision_agent.core.keras_files import is_keras_model, load_keras_model
from vision_agent.core.predictors import compiled_forward, require_model_file
from vision_agent.core.probabilities import as_probabilities

BREED_MODEL_FILE_FILTER = "Keras models (*.h5 *.hdf5 *.keras saved_model.pb)"
DEFAULT_INPUT_SIZE = 224
_PASS_THROUGH = (
    "InputLayer",
    "RandomFlip",
    "RandomRotation",
    "RandomZoom",
    "RandomTranslation",
    "RandomContrast",
    "RandomBrightness",
    "RandomCrop",
    "Dropout",
    "Resizing",
)
# Keras Applications backbones and their preprocess_input mode.
_APPLICATION_MODES = {
    "densenet": "torch",
    "resnet50": "caffe",
    "resnet101": "caffe",
    "resnet152": "caffe",
    "vgg16": "caffe",
    "vgg19": "caffe",
    "mobilenet": "tf",
    "inception": "tf",
    "xception": "tf",
    "nasnet": "tf",
}
_TORCH_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
_TORCH_STD = np.array([0.229, 0.224, 0.225], np.float32)
_CAFFE_MEAN_BGR = np.array([103.939, 116.779, 123.68], np.float32)


@dataclass(frozen=True)
class Preprocessing:
    """How raw RGB 0..255 pixels become the model's input, and why we think so."""

    description: str
    apply: Callable[[np.ndarray], np.ndarray]


def detect_preprocessing(model) -> Preprocessing:
    """Read from the model's layers what its input must look like."""
    inside: list[str] = []
    for layer, is_nested_model in _layers_in_order(model):
        kind = type(layer).__name__
        if is_nested_model:
            mode = _application_mode(layer.name)
            if mode is not None and not inside:
                return _application_preprocessing(mode)
        elif kind == "Rescaling":
            inside.append(f"Rescaling({_number(layer.scale)}, offset {_number(layer.offset)})")
        elif kind == "Normalization":
            inside.append("Normalization")
        elif kind in ("TFOpLambda", "SlicingOpLambda"):  # preprocess_input inside the model
            inside.append(f"tf.{layer.get_config().get('function')}")
        elif kind not in _PASS_THROUGH and layer.weights:
            break
    if inside:
        return Preprocessing(
            "raw RGB 0..255 (the model has " + ", ".join(inside) + " inside)", lambda x: x
        )
    return Preprocessing(
        "RGB / 255 (no preprocessing layer or known backbone in the model)", lambda x: x / 255.0
    )


def _layers_in_order(model) -> Iterator[tuple[object, bool]]:
    """(layer, is_nested_model) from the input on, descending into nested models."""
    for layer in model.layers:
        nested = getattr(layer, "layers", None)
        if nested:
            yield layer, True
            yield from _layers_in_order(layer)
        else:
            yield layer, False


def _application_mode(name: str) -> str | None:
    name = name.lower()
    for prefix, mode in _APPLICATION_MODES.items():
        if name.startswith(prefix):
            return mode
    return None


def _application_preprocessing(mode: str) -> Preprocessing:
    if mode == "torch":
        return Preprocessing(
            "RGB/255, ImageNet mean/std (torch mode of its backbone)",
            lambda x: (x / 255.0 - _TORCH_MEAN) / _TORCH_STD,
        )
    if mode == "caffe":
        return Preprocessing(
            "BGR minus ImageNet mean (caffe mode of its backbone)",
            lambda x: x[..., ::-1] - _CAFFE_MEAN_BGR,
        )
    return Preprocessing("RGB scaled to -1..1 (tf mode of its backbone)", lambda x: x / 127.5 - 1)


def _number(value) -> str:
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return str(value)


class KerasBreedRecognizer:
    """A Keras breed classifier plus its class names; optionally an ImageNet dog gate."""

    def __init__(
        self,
        model_path: str | Path,
        classes_path: str | Path,
        gate: ImageNetDogRecognizer | None = None,
    ) -> None:
        model_path, classes_path = Path(model_path), Path(classes_path)
        self.names = [readable_breed(n) for n in read_class_names(classes_path)]
        self.model = _load_model(model_path)
        inputs = getattr(self.model, "inputs", None) or []
        if len(inputs) != 1 or len(inputs[0].shape) != 4 or inputs[0].shape[-1] != 3:
            shapes = ", ".join(str(tuple(i.shape)) for i in inputs) or "none"
            raise ModelLoadError(
                f"{model_path.name} does not take one RGB image (its inputs: {shapes})."
            )
        _, height, width, _ = inputs[0].shape
        self.input_size = (width or DEFAULT_INPUT_SIZE, height or DEFAULT_INPUT_SIZE)
        outputs = int(self.model.outputs[0].shape[-1])
        if outputs != len(self.names):
            raise ModelLoadError(
                f"{model_path.name} has {outputs} outputs but {classes_path.name} lists "
                f"{len(self.names)} class names: they do not belong together."
            )
        self.preprocessing = detect_preprocessing(self.model)
        self.gate = gate
        self.model_name = model_path.name
        self._forward = compiled_forward(self.model)
        self._forward(np.zeros((1, self.input_size[1], self.input_size[0], 3), np.float32))

    def model_input(self, rgb: np.ndarray) -> np.ndarray:
        """The (1, H, W, 3) float32 batch this model is fed for an RGB photo."""
        resized = cv2.resize(rgb, self.input_size, interpolation=cv2.INTER_LINEAR)
        batch = resized.astype(np.float32)[None]
        return np.ascontiguousarray(self.preprocessing.apply(batch), dtype=np.float32)

    def probabilities(self, rgb: np.ndarray) -> np.ndarray:
        out = np.asarray(self._forward(self.model_input(rgb)), np.float64).reshape(1, -1)
        return as_probabilities(out)[0]  # logits when the model has no softmax

    def recognize(self, rgb: np.ndarray, annotate: bool = True) -> DogResult:
        started = time.perf_counter()
        breeds = self.probabilities(rgb)
        is_dog, mass, seen, seen_p = None, None, None, 0.0
        if self.gate is not None:
            imagenet = np.asarray(self.gate.classifier.probabilities(rgb), np.float64)
            mass, _ = dog_scores(imagenet)
            is_dog = mass >= DOG_THRESHOLD
            best = int(np.argmax(imagenet))
            seen, seen_p = (None if is_dog else self.gate.labels[best]), float(imagenet[best])
        result = DogResult(
            model=self.model_name,
            is_dog=is_dog,
            dog_score=mass,
            top=top_breeds(breeds, self.names),
            seen=seen,
            seen_probability=seen_p,
            latency_ms=(time.perf_counter() - started) * 1000,
            preprocessing=self.preprocessing.description,
        )
        return with_annotation(result, rgb) if annotate else result

    def recognize_file(self, path: str | Path) -> DogResult:
        from vision_agent.core.dogs import MAX_PHOTO_SIDE

        return self.recognize(read_image(path, max_side=MAX_PHOTO_SIDE))


def _load_model(path: Path):
    path = require_model_file(path)
    if not is_keras_model(path):
        raise ModelLoadError(
            f"{path.name}: a breed model must be a Keras file (.h5, .keras) or SavedModel folder."
        )
    return load_keras_model(path)
