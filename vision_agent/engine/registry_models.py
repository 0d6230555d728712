"""Recognizers of registry models: the registry says what a model is called and how its input is
prepared, the model store finds its files; core builds the recognizer from plain values.

Core never reads the registry or the store itself (see the layer ranks in docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path

from vision_agent.core.faces import FaceDetector
from vision_agent.models import registry
from vision_agent.models.store import default_store


def face_detector(
    model_id: str, files: dict[str, Path] | None = None, mean: tuple[float, ...] | None = None
) -> FaceDetector:
    """A registry face model from `files` (role -> path), or from the model store's files
    (downloaded when they are not on this computer); `mean` replaces the registry's."""
    entry = registry.get(model_id)
    files = files if files is not None else default_store().resolve(model_id)
    mean = mean or (tuple(entry.mean) if entry.mean else None)
    return FaceDetector.from_files(files, entry.name_en, mean)
