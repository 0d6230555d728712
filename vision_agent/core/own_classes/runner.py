"""Trying a trained model on a photo file or a camera frame (the tab's "Try it"), in the
window's process: the exported ONNX through onnxruntime, no TensorFlow; the photo is read and
its top classes' labels drawn here, and so are the small pictures of the photos a run got
wrong, rather than on the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # classify imports onnxruntime: it is imported when a model is loaded
    from vision_agent.core.classify import Classification


@dataclass(frozen=True)
class Tried:
    """A photo or camera frame tried: its classification (with the labels to lay over it)
    and the picture itself (RGB)."""

    classification: Classification
    picture: np.ndarray


class OwnModelRunner:
    def __init__(self, model: Path) -> None:
        from vision_agent.core.classify import ImageClassifier

        self.classifier = ImageClassifier.from_file(Path(model))
        self.model_name = self.classifier.model_name

    def classify_file(self, path: Path, top: int = 3) -> Tried:
        from vision_agent.core.classify import PHOTO_MAX_SIDE
        from vision_agent.core.imageio import read_image

        return self.classify_image(read_image(path, max_side=PHOTO_MAX_SIDE), top)

    def classify_image(self, rgb: np.ndarray, top: int = 3) -> Tried:
        return Tried(self.classifier.classify(rgb, top=top, annotate=True), rgb)

    def thumbnails(self, paths: list[Path], side: int) -> list[np.ndarray | None]:
        """Each photo at most `side` pixels on its longer side (None where it cannot be read)."""
        from vision_agent.core.errors import UserError
        from vision_agent.core.imageio import read_image

        pictures: list[np.ndarray | None] = []
        for path in paths:
            try:
                pictures.append(read_image(path, max_side=side))
            except UserError:
                pictures.append(None)
        return pictures
