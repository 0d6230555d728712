"""A "My classes" model whose classes are dog breeds, as a recognizer of the dog tab.

The exported `.onnx` (card and `classes.json` beside it) runs in onnxruntime, so it is hosted
in the model service's thread of the window's process with no TensorFlow. It is accepted only
when every class name is one of the dog tab's breeds (the ImageNet dog classes, compared as
people read them: "n02085620-Chihuahua", "golden_retriever" and "Golden retriever" all match);
any other own model belongs in the ImageNet tab's "Own model…". The ImageNet dog gate is used as
for a Keras breed model (engine/registry_models.own_breed_recognizer gives it only where that
classifier is on this computer and runs without TensorFlow).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vision_agent.core.breed_names import imagenet_display_name, readable_breed
from vision_agent.core.dogs import DOG_CLASSES, ImageNetDogRecognizer
from vision_agent.core.errors import ModelLoadError
from vision_agent.core.keras_breeds import KerasBreedRecognizer, Preprocessing


def dog_breeds() -> list[str]:
    """The dog tab's breeds as it shows them ("Chihuahua", "golden retriever"), 118 of them."""
    from vision_agent.core.classify import imagenet_labels

    labels = imagenet_labels()[DOG_CLASSES.start : DOG_CLASSES.stop]
    return [imagenet_display_name(label) for label in labels]


def breed_of(name: str, breeds: list[str]) -> str | None:
    """The breed of `breeds` that the class name `name` stands for, or None."""
    wanted = _key(imagenet_display_name(readable_breed(name)))
    return next((breed for breed in breeds if _key(breed) == wanted), None)


def _key(name: str) -> str:
    return name.replace("-", " ").casefold().strip()


class OwnBreedRecognizer(KerasBreedRecognizer):
    """`KerasBreedRecognizer`'s answers (top breeds, the dog gate) from an own ONNX model."""

    def __init__(self, model_path: str | Path, gate: ImageNetDogRecognizer | None = None) -> None:
        from vision_agent.core.classify import ImageClassifier

        model_path = Path(model_path)
        if model_path.suffix.lower() != ".onnx":
            raise ModelLoadError(f"{model_path.name} is not a model trained in My classes.")
        self.classifier = ImageClassifier.from_file(model_path)  # refuses one without a card
        breeds = dog_breeds()
        matched = [breed_of(name, breeds) for name in self.classifier.labels]
        others = [n for n, b in zip(self.classifier.labels, matched, strict=True) if b is None]
        if others:
            raise ModelLoadError(
                f"{model_path.name}: the dog tab opens models whose classes are dog breeds, and "
                f"{', '.join(others[:5])} {'is' if len(others) == 1 else 'are'} not one of its "
                "118 breeds. Open it in the ImageNet tab (Own model…)."
            )
        self.names = [str(b) for b in matched]
        self.gate = gate
        self.model_name = model_path.name
        self.preprocessing = Preprocessing(
            f"as in its training ({model_path.name}'s card)", lambda x: x
        )

    def probabilities(self, rgb: np.ndarray) -> np.ndarray:
        return np.asarray(self.classifier.probabilities(rgb), np.float64)
