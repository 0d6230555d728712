"""Recognizers of registry models: the registry says what a model is called and how its input is
prepared, the model store finds its files; core builds the recognizer from plain values.

Core never reads the registry or the store itself (see the layer ranks in docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vision_agent.core.classify import MODEL_ALIASES, ImageClassifier, Network, short_labels
from vision_agent.core.dogs import ImageNetDogRecognizer
from vision_agent.core.errors import ModelLoadError, UserError
from vision_agent.core.faces import FaceDetector
from vision_agent.core.imagenet_preprocess import from_registry_entry
from vision_agent.models import registry
from vision_agent.models.store import default_store, file_digest

if TYPE_CHECKING:  # imported when built: the TensorFlow and ONNX code stays out until asked for
    from vision_agent.core.keras_breeds import KerasBreedRecognizer
    from vision_agent.core.own_breeds import OwnBreedRecognizer
    from vision_agent.core.own_classes.features import Backbone

# The ImageNet classifier of the dog tab and the CLI when none is named, and the frozen backbone
# of "My classes": the shipped MobileNetV2 int8.
DEFAULT_CLASSIFIER = "mobilenet_v2_int8"
BACKBONE_ID = "mobilenet_v2_int8"
# Folders in the model cache: verified ONNX exports of Keras models, own-class photo features.
EXPORT_FOLDER = "onnx_exports"
FEATURES_FOLDER = "own_class_features"


def resolve_model_id(model: str) -> str | None:
    """The registry id for a name the user may type ("resnet50" or "resnet50_imagenet")."""
    model_id = MODEL_ALIASES.get(model.lower(), model)
    try:
        entry = registry.get(model_id)
    except UserError:
        return None
    return entry.id if entry.task == "classify" else None


def classifier_model_id(name: str | None) -> str:
    """The registry id of an ImageNet classifier named as the classifier tab and CLI name them
    ("resnet50", "mobilenet_v2", "googlenet" or an id); MobileNetV2 int8 when unset or when it
    names no registry classifier (a user's own file)."""
    return (resolve_model_id(name) if name else None) or DEFAULT_CLASSIFIER


def onnx_exports() -> Path:
    """Where verified ONNX exports of Keras models are kept (the model cache)."""
    return default_store().cache_dir / EXPORT_FOLDER


def image_classifier(
    model_id: str,
    files: dict[str, Path] | None = None,
    download: bool = True,
    accelerate: bool = False,
) -> ImageClassifier:
    """A registry classifier; its files come from the model store when `files` is None.

    `files` may name only some roles (a user's own weights); the others come from beside
    the weights file, or from the store. With `download=False` a model that is not on
    this computer raises the store's ModelMissingError instead of being downloaded.
    `accelerate` lets a Keras model export itself to ONNX in the background and switch to
    onnxruntime (for long-lived services; a cached export is used either way).
    """
    entry = registry.get(MODEL_ALIASES.get(model_id, model_id))
    if entry.task != "classify":
        raise ModelLoadError(f"{entry.name_en} is not an image classifier.")
    given = {role: Path(p) for role, p in (files or {}).items()}
    network = Network(
        name=entry.name_en,
        loader=entry.loader,
        files=_complete_files(entry, given, download),
        preprocessing=from_registry_entry(entry),
        labels=short_labels(entry.labels) if entry.labels else None,
        architecture=entry.extra.get("architecture", ""),
        gradcam_layer=entry.extra.get("gradcam_layer"),
        outputs=entry.extra.get("output", "auto"),
        layout=entry.layout,
    )
    return ImageClassifier.from_network(network, accelerate, onnx_exports())


def classifier_with_weights(
    path: Path, architecture: str, accelerate: bool = False
) -> ImageClassifier:
    """A known network (a model id or alias: "resnet50", "mobilenet_v2", "googlenet") on a
    user's weights file."""
    model_id = resolve_model_id(architecture)
    if model_id is None:
        known = ", ".join(MODEL_ALIASES)
        raise ModelLoadError(f"Unknown architecture '{architecture}' (known: {known}).")
    classifier = image_classifier(model_id, {"weights": Path(path)}, accelerate=accelerate)
    classifier.model_name = f"{classifier.model_name} + {Path(path).name}"
    return classifier


def classifier_file(path: Path, accelerate: bool = False) -> ImageClassifier:
    """A user's own classifier file, using (with `accelerate`: making) its ONNX export."""
    return ImageClassifier.from_file(Path(path), accelerate=accelerate, onnx_exports=onnx_exports())


def dog_recognizer(
    model_id: str, files: dict[str, Path] | None = None, download: bool = True
) -> ImageNetDogRecognizer:
    """The ImageNet dog recognizer on a registry classifier (see `image_classifier`)."""
    return ImageNetDogRecognizer(image_classifier(model_id, files=files, download=download))


def keras_breed_recognizer(
    model_path: str, classes_path: str, gate_classifier: str | None = None
) -> KerasBreedRecognizer:
    """A Keras breed model with an ImageNet dog gate if that classifier is already on this
    computer (never downloaded)."""
    from vision_agent.core.keras_breeds import KerasBreedRecognizer

    try:
        gate = dog_recognizer(classifier_model_id(gate_classifier), download=False)
    except UserError:
        gate = None
    return KerasBreedRecognizer(model_path, classes_path, gate=gate)


def own_breed_recognizer(model_path: str, gate_classifier: str | None = None) -> OwnBreedRecognizer:
    """A "My classes" model of breeds, with the ImageNet dog gate where `gate_classifier` is
    given (the recipe gives only one that needs no TensorFlow) and already on this computer."""
    from vision_agent.core.own_breeds import OwnBreedRecognizer

    gate = None
    if gate_classifier is not None:
        try:
            gate = dog_recognizer(gate_classifier, download=False)
        except UserError:
            gate = None
    return OwnBreedRecognizer(model_path, gate=gate)


def shipped_backbone(download: bool = False) -> Backbone:
    """The registry's MobileNetV2 int8, from the model store (ModelMissingError if absent)."""
    from vision_agent.core.own_classes.features import Backbone

    entry = registry.get(BACKBONE_ID)
    store = default_store()
    files = store.resolve(entry.id) if download else store.local_files(entry.id)
    path = Path(files["weights"])
    digest = file_digest(path, "sha256").split(":")[-1]
    name = f"{entry.extra.get('architecture', entry.id)} int8 (ONNX)"
    return Backbone(entry.id, path, from_registry_entry(entry), name, digest)


def features_cache() -> Path:
    """Where own-class photo features are cached (the model cache)."""
    return default_store().cache_dir / FEATURES_FOLDER


def face_detector(
    model_id: str, files: dict[str, Path] | None = None, mean: tuple[float, ...] | None = None
) -> FaceDetector:
    """A registry face model from `files` (role -> path), or from the model store's files
    (downloaded when they are not on this computer); `mean` replaces the registry's."""
    entry = registry.get(model_id)
    files = files if files is not None else default_store().resolve(model_id)
    mean = mean or (tuple(entry.mean) if entry.mean else None)
    return FaceDetector.from_files(files, entry.name_en, mean)


def _complete_files(entry, files: dict[str, Path], download: bool) -> dict[str, Path]:
    """Fill the roles `files` lacks: first from beside the weights file, then from the store."""
    missing = [role for role in entry.files if role not in files and not entry.files[role].optional]
    if not missing:
        return files
    folder = files["weights"].parent if "weights" in files else None
    for role in list(missing):
        if folder is None:
            break
        for name in entry.files[role].names:
            if (folder / name).is_file():
                files[role] = folder / name
                missing.remove(role)
                break
    if missing:
        store = default_store()
        resolved = store.resolve(entry.id) if download else store.local_files(entry.id)
        for role in missing:
            files[role] = resolved[role]
    return files
