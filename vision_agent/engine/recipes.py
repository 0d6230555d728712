"""How each model is hosted: the recipes (`RecognizerSpec`) a `ModelService` loads.

A recipe holds the factory that builds the recognizer (the class method itself), its arguments,
and whether it runs in the service's thread (OpenCV, onnxruntime) or in a child process
(TensorFlow). The recognizers live in
`vision_agent.core`, which knows nothing of how it is hosted. Each recipe imports the core module
it needs when it is called, so building the postal tab does not import the ImageNet, dog and face
code.
"""

from __future__ import annotations

from pathlib import Path

from vision_agent.core.errors import ModelLoadError
from vision_agent.core.predictors import needs_tensorflow
from vision_agent.engine.spec import RecognizerSpec


def digit_model_spec(path: str | Path) -> RecognizerSpec:
    """How to host a digit model: OpenCV files in the worker thread, Keras files in a process."""
    from vision_agent.core.postal import PostalRecognizer

    path = Path(path)
    return RecognizerSpec(
        factory=PostalRecognizer.from_file,
        kwargs={"path": str(path)},
        in_process=not needs_tensorflow(path),
        label=path.name,
    )


def classifier_spec(
    model: str, weights: Path | None = None, download: bool = True
) -> RecognizerSpec:
    """How to host a classifier: Keras models in a child process, ONNX/Caffe in the thread.

    `model` is an alias ("resnet50"), a registry id, or the path of a user's Keras file.
    With `download=True` the recipe names the registry model, so a service whose model is not on
    this computer reports it "missing" (it never downloads); with False, loading fails with the
    store's "not on this computer" message.
    """
    from vision_agent.core.classify import KERAS_LOADERS, MODEL_ALIASES, TWIN_METHODS
    from vision_agent.engine.registry_models import (
        classifier_file,
        classifier_with_weights,
        image_classifier,
        resolve_model_id,
    )
    from vision_agent.models import registry

    model_id = resolve_model_id(model)
    if model_id is not None:
        entry = registry.get(model_id)
        in_process = entry.loader not in KERAS_LOADERS
        twin_methods = TWIN_METHODS if entry.loader == "keras_application" else ()
        if weights is None:
            return RecognizerSpec(
                factory=image_classifier,
                kwargs={"model_id": model_id, "accelerate": True}
                | ({} if download else {"download": False}),
                in_process=in_process,
                model_id=model_id if download else None,
                label=entry.name_en,
                twin_methods=twin_methods,
            )
        return RecognizerSpec(
            factory=classifier_with_weights,
            kwargs={"path": Path(weights), "architecture": model_id, "accelerate": True},
            in_process=in_process,
            label=f"{entry.name_en} + {Path(weights).name}",
            twin_methods=twin_methods,
        )
    path = Path(model)
    if weights is not None:
        raise ModelLoadError(
            f"--weights needs a known architecture ({', '.join(MODEL_ALIASES)}), not {path.name}."
        )
    keras = needs_tensorflow(path)  # a Keras file moves to onnxruntime once exported
    return RecognizerSpec(
        factory=classifier_file,
        kwargs={"path": path, "accelerate": keras},
        in_process=not keras,
        label=path.name,
        twin_methods=TWIN_METHODS if keras else (),
    )


def imagenet_dog_spec(classifier: str | None = None) -> RecognizerSpec:
    """The default recognizer on the classifier tab's model (hosted where that model must run)."""
    from vision_agent.engine.registry_models import classifier_model_id, dog_recognizer

    model_id = classifier_model_id(classifier)
    base = classifier_spec(model_id)
    return RecognizerSpec(
        factory=dog_recognizer,
        kwargs={"model_id": model_id},
        in_process=base.in_process,
        model_id=model_id,
        label=f"ImageNet dogs ({model_id})",
    )


def keras_breed_spec(
    model_path: Path, classes_path: Path, gate_classifier: str | None = None
) -> RecognizerSpec:
    from vision_agent.engine.registry_models import keras_breed_recognizer

    return RecognizerSpec(
        factory=keras_breed_recognizer,
        kwargs={
            "model_path": str(model_path),
            "classes_path": str(classes_path),
            "gate_classifier": gate_classifier,
        },
        in_process=False,
        label=Path(model_path).name,
    )


def own_breed_spec(model_path: Path, gate_classifier: str | None = None) -> RecognizerSpec:
    """A "My classes" ONNX model of breeds: onnxruntime in the service's thread. The ImageNet
    dog gate only with a classifier that runs there too (no TensorFlow in the window)."""
    from vision_agent.engine.registry_models import classifier_model_id, own_breed_recognizer

    gate = classifier_model_id(gate_classifier)
    return RecognizerSpec(
        factory=own_breed_recognizer,
        kwargs={
            "model_path": str(model_path),
            "gate_classifier": gate if classifier_spec(gate).in_process else None,
        },
        in_process=True,
        label=Path(model_path).name,
    )


def face_model_spec(choice: str) -> RecognizerSpec:
    """How the service hosts a face model: a MODEL_CHOICES name, a registry id, or a file path.

    OpenCV runs every face model, so it stays in the service's thread (no child process).
    """
    from vision_agent.core.faces import MODEL_CHOICES, FaceDetector
    from vision_agent.engine.registry_models import face_detector

    model_id = MODEL_CHOICES.get(choice, choice)
    if model_id in MODEL_CHOICES.values():
        return RecognizerSpec(
            factory=face_detector,
            kwargs={"model_id": model_id},
            model_id=model_id,
            label=model_id,
        )
    return RecognizerSpec(
        factory=FaceDetector.from_user_file,
        kwargs={"path": str(choice)},
        label=Path(choice).name,
    )
