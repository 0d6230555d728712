"""ImageNet top-k classification of any photo (the course's program 8-6, done right).

`ImageClassifier` wraps one model with exactly the preprocessing it was trained with (from its
registry entry, see `imagenet_preprocess`) and returns plain `Classification` results that
cross process boundaries by pickle. ResNet50 (Keras) runs in a child process, ONNX and Caffe
models in the service's thread: `classifier_spec` picks. Once ResNet50's ONNX export is made
and verified, its classification runs in the service's thread too (`in_process_twin`).
Labels ship with the app (`resources/labels/imagenet_classes.txt`), so nothing is downloaded
to name a class.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vision_agent.core.annotate import LabelPanel, label_panel, laid_over, top_label_texts
from vision_agent.core.classifier_backends import (
    Backend,
    keras_application_backend,
    keras_file_backend,
    onnx_pixel_backend,
    onnxruntime_backend,
    opencv_backend,
    to_probabilities,
)
from vision_agent.core.errors import ModelLoadError, UserError
from vision_agent.core.gradcam import heatmap_at_size
from vision_agent.core.imagenet_preprocess import (
    Preprocessing,
    as_rgb8,
    keras_mode,
)
from vision_agent.core.keras_files import is_keras_model
from vision_agent.core.labels import load_labels
from vision_agent.core.layer_activations import LayerInfo, LayerOutput, LayerReader
from vision_agent.core.onnx_export import MAX_DIFFERENCE
from vision_agent.core.predictors import require_model_file

IMAGENET_LABELS = "imagenet_classes.txt"
IMAGENET_CLASSES = 1000
# MobileNetV2 int8 ships with the app (resources/models/imagenet): the tabs start on it.
DEFAULT_MODEL = "mobilenet_v2"
MODEL_ALIASES = {
    "resnet50": "resnet50_imagenet",
    "mobilenet_v2": "mobilenet_v2_int8",
    "googlenet": "googlenet_caffe",
}
# The CLI's choice without --model: the first present, by published ImageNet top-1 (Keras
# ResNet50 74.9 %, BVLC GoogLeNet 68.7 %, ONNX Model Zoo MobileNetV2 int8 68.3 %).
BEST_FIRST = ("resnet50", "googlenet", "mobilenet_v2")
KERAS_LOADERS = ("keras", "keras_application")
# A Keras application's classification moves into the window's process (onnxruntime on the
# verified ONNX export) once the export exists; Grad-CAM stays with Keras in the child process.
TWIN_METHODS = ("classify", "probabilities", "engine")
IN_PROCESS_ENGINE = "onnxruntime, in-process"
# Photos are read at most this large (window and CLI alike): plenty for a 224×224 model, and a
# huge photo is decoded at reduced size instead of in full.
PHOTO_MAX_SIDE = 1600


@dataclass(frozen=True)
class ClassScore:
    index: int
    label: str
    probability: float


@dataclass(frozen=True)
class Classification:
    """The top classes of one photo, every probability, timing and the labels to lay over it."""

    model: str
    top: tuple[ClassScore, ...]
    probabilities: np.ndarray  # (num_classes,) float32
    latency_ms: float
    labels: LabelPanel | None = None  # the top classes drawn, for laying over the photo

    def annotated(self, rgb: np.ndarray) -> np.ndarray | None:
        """The classified photo `rgb` with the top classes drawn on it (None without labels)."""
        return None if self.labels is None else laid_over(rgb, self.labels)

    def to_json(self, file: str | None = None) -> dict:
        record: dict = {} if file is None else {"file": file}
        record["model"] = self.model
        record["top"] = [
            {"index": s.index, "label": s.label, "probability": round(s.probability, 6)}
            for s in self.top
        ]
        record["latency_ms"] = round(self.latency_ms, 2)
        return record

    def as_text(self) -> str:
        """Plain text for the clipboard: one "label<TAB>probability" line per class."""
        lines = [f"{self.model} ({self.latency_ms:.1f} ms)"]
        lines += [f"{s.label}\t{s.probability:.4f}\t#{s.index}" for s in self.top]
        return "\n".join(lines)


def imagenet_labels() -> list[str]:
    """The 1000 class names, short form ("golden retriever"), in class-index order."""
    return short_labels(IMAGENET_LABELS)


def short_labels(name: str) -> list[str]:
    """A shipped label file's names in their short form (up to the first comma)."""
    return [line.split(",")[0].strip() for line in load_labels(name)]


@dataclass(frozen=True)
class Network:
    """A registry classifier as plain values: what it is, its files and how a photo is prepared
    (engine/registry_models reads the registry and the model store to fill it)."""

    name: str
    loader: str  # keras_application | keras | onnxruntime | opencv
    files: dict[str, Path]  # role -> path; "weights" always
    preprocessing: Preprocessing
    labels: list[str] | None = None
    architecture: str = ""  # a Keras application's name
    gradcam_layer: str | None = None
    outputs: str = "auto"
    layout: str = "NHWC"


class ImageClassifier:
    """One classification model with its preprocessing and class names."""

    def __init__(
        self,
        backend: Backend,
        preprocessing: Preprocessing,
        labels: Sequence[str] | None,
        model_name: str,
    ) -> None:
        self.backend = backend
        self.preprocessing = preprocessing
        self.model_name = model_name
        num_classes = self._probe()
        if labels is None:
            labels = (
                imagenet_labels()
                if num_classes == IMAGENET_CLASSES
                else [f"class {i}" for i in range(num_classes)]
            )
        if len(labels) != num_classes:
            raise ModelLoadError(
                f"{model_name} gives {num_classes} scores but there are {len(labels)} class names."
            )
        self.labels = list(labels)
        self._layers: LayerReader | None = None

    def _probe(self) -> int:
        width, height = self.preprocessing.size
        dtype = np.uint8 if self.backend.takes_pixels else np.float32
        try:
            out = self.backend.run(np.zeros((1, height, width, 3), dtype))
        except Exception as exc:
            raise ModelLoadError(
                f"{self.model_name} fails on a {width}×{height} colour image "
                f"({type(exc).__name__}: {str(exc)[:200]})."
            ) from None
        if out.ndim != 2 or out.shape[1] < 2:
            raise ModelLoadError(f"{self.model_name} is not a classifier (output {out.shape}).")
        if not np.isfinite(out).all():
            raise ModelLoadError(f"{self.model_name} gives NaN or infinite scores on a test image.")
        return int(out.shape[1])

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_network(
        cls, network: Network, accelerate: bool = False, onnx_exports: Path | None = None
    ) -> ImageClassifier:
        """A registry classifier. A Keras application uses its verified ONNX export from
        `onnx_exports` when there is one; `accelerate` makes a missing export in the background
        and switches to onnxruntime (for long-lived services)."""
        size, outputs = network.preprocessing.size, network.outputs
        weights = require_model_file(network.files["weights"])
        if network.loader == "keras_application":
            backend = keras_application_backend(
                network.architecture, weights, network.gradcam_layer, accelerate, onnx_exports
            )
        elif network.loader == "keras":
            backend = keras_file_backend(weights)
        elif network.loader == "onnxruntime":
            backend = onnxruntime_backend(weights, size, network.layout, outputs)
        else:
            backend = opencv_backend(weights, size, outputs, network.files.get("config"))
        return cls(backend, network.preprocessing, network.labels, network.name)

    @classmethod
    def from_file(
        cls,
        path: Path,
        labels: Sequence[str] | None = None,
        accelerate: bool = False,
        onnx_exports: Path | None = None,
    ) -> ImageClassifier:
        """A user's whole Keras classifier, or an ONNX model trained by Vision Agent. A Keras
        file uses (and with `accelerate` makes) its ONNX export in `onnx_exports` as a
        registry Keras application does. Weights for a known network:
        engine/registry_models.classifier_with_weights."""
        path = require_model_file(path)
        if path.suffix.lower() == ".onnx":
            return cls._from_own_model(path)
        if not is_keras_model(path):
            raise ModelLoadError(
                f"{path.name} is not a Keras model file (.h5, .keras). For weights of a known "
                "network, name it: --model resnet50|mobilenet_v2|googlenet --weights FILE."
            )
        backend = keras_file_backend(path, accelerate, onnx_exports)
        preprocessing = keras_mode(backend.keras_mode or "caffe", backend.input_size)
        return cls(backend, preprocessing, labels, path.name)

    @classmethod
    def _from_own_model(cls, path: Path) -> ImageClassifier:
        """A model trained in the "My classes" tab or by `train classes` (ONNX, card beside)."""
        from vision_agent.core.own_classes.export import CARD_FILE, read_own_model

        own = read_own_model(path)
        if own is None:
            raise ModelLoadError(
                f"{path.name} has no {CARD_FILE} beside it saying how to prepare a photo; "
                "only ONNX models trained by Vision Agent are opened from a file."
            )
        backend = onnxruntime_backend(path, own.preprocessing.size, own.layout, "probabilities")
        return cls(backend, own.preprocessing, own.classes, path.name)

    @classmethod
    def from_onnx_export(
        cls,
        path: Path,
        preprocessing: Preprocessing,
        labels: Sequence[str],
        model_name: str,
        outputs: str,
        probe: np.ndarray,
        expected: np.ndarray,
    ) -> ImageClassifier:
        """The classifier on its verified ONNX export, run by onnxruntime without TensorFlow,
        with the normalisation inside the graph (it takes the resized uint8 photo).

        `probe` (resized uint8 photos) and the `expected` scores for them, from the export the
        model's own process verified, check the graph built here before it is trusted.
        """
        backend = onnx_pixel_backend(path, preprocessing, outputs, IN_PROCESS_ENGINE)
        difference = float(np.abs(backend.run(probe) - expected).max())
        if not difference <= MAX_DIFFERENCE:
            raise ModelLoadError(
                f"{path.name} with its normalisation inside gives other scores "
                f"(max difference {difference:.2e})."
            )
        return cls(backend, preprocessing, labels, model_name)

    def in_process_twin(self) -> tuple[Callable[..., ImageClassifier], dict] | None:
        """How to build this classifier in another process once its ONNX export is verified
        (the Keras model stays here for Grad-CAM): a factory and its arguments;
        None until then, or without an export."""
        path = self.backend.onnx_export
        if path is None:
            return None
        width, height = self.preprocessing.size
        probe = np.random.default_rng(0).integers(0, 256, (1, height, width, 3), np.uint8)
        expected = self.backend.run(self.preprocessing.normalize(probe[0])[None])
        return (
            ImageClassifier.from_onnx_export,
            {
                "path": path,
                "preprocessing": self.preprocessing,
                "labels": self.labels,
                "model_name": self.model_name,
                "outputs": self.backend.outputs,
                "probe": probe,
                "expected": expected,
            },
        )

    # ------------------------------------------------------------------ inference

    def engine(self) -> str:
        """What runs the forward pass now ("tf.function", "onnxruntime", "cv2.dnn")."""
        return self.backend.engine

    @property
    def has_gradcam(self) -> bool:
        return self.backend.gradcam is not None

    def probabilities(self, rgb: np.ndarray) -> np.ndarray:
        """Class probabilities (num_classes,) float32 for an RGB uint8 photo of any size."""
        resized = self.preprocessing.resized(rgb)
        batch = resized if self.backend.takes_pixels else self.preprocessing.normalize(resized)
        return to_probabilities(self.backend.run(batch[None]), self.backend.outputs)[0]

    def classify(self, rgb: np.ndarray, top: int = 5, annotate: bool = True) -> Classification:
        if top < 1:
            raise UserError(f"--top must be at least 1 (got {top}).")
        rgb = as_rgb8(rgb)
        started = time.perf_counter()
        probabilities = self.probabilities(rgb)
        latency_ms = (time.perf_counter() - started) * 1000
        order = np.argsort(-probabilities, kind="stable")[: min(top, len(probabilities))]
        scores = tuple(
            ClassScore(int(i), self.labels[int(i)], float(probabilities[i])) for i in order
        )
        labels = None
        if annotate:
            texts = top_label_texts([(s.label, s.probability) for s in scores])
            labels = label_panel((rgb.shape[1], rgb.shape[0]), texts)
        return Classification(self.model_name, scores, probabilities, latency_ms, labels)

    def gradcam(self, rgb: np.ndarray, class_index: int) -> np.ndarray:
        """Where the network looked for `class_index`: (H, W) float32 0..1 at the photo's size."""
        if self.backend.gradcam is None:
            raise UserError(f"Grad-CAM needs a Keras model; {self.model_name} is not one.")
        if not 0 <= class_index < len(self.labels):
            raise UserError(f"Class {class_index} does not exist (0..{len(self.labels) - 1}).")
        rgb = as_rgb8(rgb)
        cam = self.backend.gradcam(self.preprocessing.prepare(rgb), int(class_index))
        return heatmap_at_size(cam, rgb.shape[1], rgb.shape[0])

    # ------------------------------------------------------------------ inside the network

    def network_layers(self) -> list[LayerInfo]:
        """The model's layers in order ("Inside the network"); UserError saying why not."""
        return self._layer_reader().layers

    def layer_output(self, rgb: np.ndarray, name: str) -> tuple[LayerOutput, np.ndarray | None]:
        """What layer `name` makes of the photo, and its picture (see `feature_mosaic`)."""
        from vision_agent.core.feature_mosaic import layer_picture

        batch = self.preprocessing.prepare(as_rgb8(rgb))
        output = self._layer_reader().outputs(batch, [name])[0][0]
        return output, layer_picture(output)

    def _layer_reader(self) -> LayerReader:
        if self._layers is None:
            if self.backend.layer_reader is None:
                reason = self.backend.no_layers_reason or f"{self.model_name} shows no layers."
                raise UserError(reason)
            self._layers = self.backend.layer_reader()
        return self._layers
