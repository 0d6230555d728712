"""The photos of each class, and the validation photos kept out of training."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vision_agent.core.errors import UserError
from vision_agent.core.imageio import is_image_path
from vision_agent.core.own_classes.messages import TOO_MANY_CLASSES, TWO_CLASSES

MAX_CLASSES = 100


@dataclass(frozen=True)
class PhotoSet:
    """Photo files and the index of each one's class in `classes`."""

    classes: tuple[str, ...]
    paths: tuple[Path, ...]
    labels: np.ndarray  # (N,) int64

    def counts(self) -> dict[str, int]:
        return {name: int(np.sum(self.labels == i)) for i, name in enumerate(self.classes)}

    def subset(self, rows: np.ndarray) -> PhotoSet:
        return PhotoSet(self.classes, tuple(self.paths[i] for i in rows), self.labels[rows])


def photo_set(classes: dict[str, list[Path]]) -> PhotoSet:
    """A PhotoSet from class name -> photo files; UserError unless two classes have photos."""
    named = {name.strip(): files for name, files in classes.items() if name.strip()}
    filled = [name for name, files in named.items() if files]
    if len(filled) < 2:
        raise UserError(TWO_CLASSES)
    if len(filled) > MAX_CLASSES:
        raise UserError(TOO_MANY_CLASSES.format(most=MAX_CLASSES, count=len(filled)))
    paths = [Path(p) for name in filled for p in named[name]]
    labels = np.array([i for i, name in enumerate(filled) for _ in named[name]], np.int64)
    return PhotoSet(tuple(filled), tuple(paths), labels)


def folder_photo_set(data_dir: Path) -> PhotoSet:
    """One class per subfolder of `data_dir` (named by the folder), its images inside, sorted."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise UserError(f"{data_dir} is not a folder (give a folder with one subfolder per class).")
    try:
        folders = sorted(p for p in data_dir.iterdir() if p.is_dir())
        classes = {
            folder.name: sorted(p for p in folder.iterdir() if is_image_path(p) and p.is_file())
            for folder in folders
        }
    except OSError as exc:
        raise UserError(f"Cannot list {data_dir}: {exc.strerror or exc}") from None
    if sum(1 for files in classes.values() if files) < 2:
        raise UserError(
            f"{data_dir} needs at least two subfolders with photos in them, one per class "
            f"(found {len(folders)} subfolders)."
        )
    return photo_set(classes)


def validation_split(
    labels: np.ndarray, fraction: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, validation), stratified: `fraction` of each class's photos kept out,
    at least one where the class has two or more, never its last training photo."""
    if not 0.0 <= fraction < 1.0:
        raise UserError(f"The validation split must be from 0 to below 1 (got {fraction}).")
    rng = np.random.default_rng(seed)
    train: list[int] = []
    held: list[int] = []
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        count = 0
        if fraction > 0 and len(rows) >= 2:
            count = min(len(rows) - 1, max(1, round(fraction * len(rows))))
        held.extend(rows[:count].tolist())
        train.extend(rows[count:].tolist())
    return np.array(sorted(train), np.int64), np.array(sorted(held), np.int64)
