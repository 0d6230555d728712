"""Dog-breed recognition: results, the ImageNet-based default recognizer, and the annotation.

Works before anyone trains anything: Stanford Dogs' 120 breeds are ImageNet classes, and ImageNet
holds 118 dog classes (indices 151-268). `ImageNetDogRecognizer` runs the ImageNet classifier of
the classifier tab, keeps those classes and renormalises them. The probability mass on them is
the dog score: on the 45 shared test photos (MobileNetV2 int8, `bench/dog_threshold.py`) every
dog photo scored >= 0.98 and every other photo (objects, cats, people, street) <= 0.06, so
`DOG_THRESHOLD = 0.3` sits 5x above the highest non-dog and 3x below the lowest dog, leaving room
for dogs that fill less of the frame.

Keras breed models (the course's `.h5` or one trained here) are in `keras_breeds.py`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from vision_agent.core.annotate import (
    FIRST_COLOR,
    LabelPanel,
    label_panel,
    laid_over,
    top_label_texts,
)
from vision_agent.core.breed_names import imagenet_display_name
from vision_agent.core.imageio import read_image

if TYPE_CHECKING:
    from vision_agent.core.classify import ImageClassifier

DOG_CLASSES = range(151, 269)  # ImageNet-1k: Chihuahua (151) .. Mexican hairless (268)
DOG_THRESHOLD = 0.3
# A dog whose top breed holds less than this share of the breed probabilities is a guess: the tab
# and the CLI say "not sure" with the alternatives. Chosen on the even-indexed half of the 118
# breeds (one ImageNet sample photo each) and reported on the odd half: there it flags 10 of 11
# wrong top breeds and 8 of 48 right ones (docs/benchmarks.md, `bench/dog_threshold.py`).
UNSURE_BELOW = 0.7
UNSURE_COLOR = (255, 140, 40)
TOP_K = 5
MAX_PHOTO_SIDE = 4096


@dataclass(frozen=True)
class BreedScore:
    breed: str
    probability: float


@dataclass(frozen=True)
class DogResult:
    """What a recognizer says about one photo.

    `is_dog`/`dog_score` come from the ImageNet classes (None when no ImageNet classifier was
    available to a breed model). `seen` is the ImageNet top-1 name when no dog is found. `top`
    are the likeliest breeds even then (the breed a person or a cat looks most like).
    """

    model: str
    is_dog: bool | None
    dog_score: float | None
    top: tuple[BreedScore, ...]
    seen: str | None
    seen_probability: float
    latency_ms: float
    preprocessing: str = ""
    photo: np.ndarray | None = None  # the photo as recognized (RGB), when annotated
    labels: LabelPanel | None = None  # the verdict and top breeds, to lay over the photo

    @property
    def annotated(self) -> np.ndarray | None:
        """The photo with the labels drawn on it (what Save writes), or None."""
        if self.photo is None or self.labels is None:
            return None
        return laid_over(self.photo, self.labels)

    def to_json(self, file: str | None = None) -> dict:
        data: dict = {} if file is None else {"file": file}
        data.update(
            is_dog=self.is_dog,
            dog_score=None if self.dog_score is None else round(self.dog_score, 4),
            top=[{"breed": s.breed, "probability": round(s.probability, 4)} for s in self.top],
            latency_ms=round(self.latency_ms, 2),
        )
        if self.seen is not None and not self.is_dog:
            data["seen"] = self.seen
        data["model"] = self.model
        return data

    def headline(self) -> str:
        """One line in English (the tab translates its own version)."""
        if self.is_dog is False:
            seen = f" — this looks like {_with_article(self.seen)}" if self.seen else ""
            return f"No dog found{seen}"
        best = self.top[0]
        if self.unsure:
            second = self.top[1] if len(self.top) > 1 else best
            first = f"{best.breed} ({best.probability:.0%})"
            return f"not sure: {first} or {second.breed} ({second.probability:.0%})?"
        return f"{best.breed} ({best.probability:.0%})"

    @property
    def unsure(self) -> bool:
        """A dog (or maybe one) whose top breed is weak: a guess, to be shown with its doubt."""
        return (
            self.is_dog is not False and bool(self.top) and self.top[0].probability < UNSURE_BELOW
        )


def dog_scores(probabilities: np.ndarray) -> tuple[float, np.ndarray]:
    """(mass on ImageNet dog classes, the dog classes' probabilities renormalised to sum 1)."""
    dogs = np.asarray(probabilities, np.float64)[DOG_CLASSES.start : DOG_CLASSES.stop]
    mass = float(dogs.sum())
    renormalised = dogs / mass if mass > 0 else np.full(len(dogs), 1.0 / len(dogs))
    return mass, renormalised


def top_breeds(
    probabilities: np.ndarray, names: list[str], k: int = TOP_K
) -> tuple[BreedScore, ...]:
    order = np.argsort(-np.asarray(probabilities, np.float64))[:k]
    return tuple(BreedScore(names[i], float(probabilities[i])) for i in order)


class BreedRecognizer(Protocol):
    """What the dog tab asks of a breed recognizer (ImageNet dogs, or a Keras breed model)."""

    def recognize(self, rgb: np.ndarray, annotate: bool = True) -> DogResult: ...

    def recognize_file(self, path: str | Path) -> DogResult: ...


class ImageNetDogRecognizer:
    """The default recognizer: an ImageNet classifier restricted to its 118 dog classes."""

    def __init__(self, classifier: ImageClassifier, threshold: float = DOG_THRESHOLD) -> None:
        self.classifier = classifier
        self.threshold = threshold
        self.labels = [imagenet_display_name(label) for label in classifier.labels]
        self.breeds = self.labels[DOG_CLASSES.start : DOG_CLASSES.stop]
        self.model_name = f"ImageNet dogs ({classifier.model_name})"

    def recognize(self, rgb: np.ndarray, annotate: bool = True) -> DogResult:
        started = time.perf_counter()
        probabilities = np.asarray(self.classifier.probabilities(rgb), np.float64)
        mass, breeds = dog_scores(probabilities)
        best = int(np.argmax(probabilities))
        is_dog = mass >= self.threshold
        result = DogResult(
            model=self.model_name,
            is_dog=is_dog,
            dog_score=mass,
            top=top_breeds(breeds, self.breeds),
            seen=None if is_dog else self.labels[best],
            seen_probability=float(probabilities[best]),
            latency_ms=(time.perf_counter() - started) * 1000,
            preprocessing=_describe(self.classifier.preprocessing),
        )
        return with_annotation(result, rgb) if annotate else result

    def recognize_file(self, path: str | Path) -> DogResult:
        return self.recognize(read_image(path, max_side=MAX_PHOTO_SIDE))


def with_annotation(result: DogResult, rgb: np.ndarray) -> DogResult:
    return replace(result, photo=rgb, labels=annotation(rgb, result))


def annotation(rgb: np.ndarray, result: DogResult) -> LabelPanel:
    """The verdict and the top breeds, to lay over the photo (as the classifier tab lays them)."""
    # Names and figures only, so the picture reads the same in either UI language (the verdict
    # beside it says it in words); OpenCV's Hershey fonts draw ASCII only. Orange: no dog, or
    # a guess.
    breeds = top_label_texts([(s.breed, s.probability) for s in result.top])
    size = (rgb.shape[1], rgb.shape[0])
    if result.is_dog is not False:
        color = UNSURE_COLOR if result.unsure else FIRST_COLOR
        return label_panel(size, breeds, first_color=color)
    seen = [f"? {result.seen}  {result.seen_probability:.0%}"] if result.seen else []
    return label_panel(size, seen + breeds[:1], first_color=UNSURE_COLOR)


def _describe(preprocessing) -> str:
    """'RGB 224×224 (shorter side 256, centre crop)' for an ImageNet classifier's input."""
    width, height = preprocessing.size
    text = f"{preprocessing.color_order} {width}×{height}"
    if preprocessing.resize_shorter:
        text += f" (shorter side {preprocessing.resize_shorter}, centre crop)"
    return text


def _with_article(name: str) -> str:
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name
