"""Folders of real photos, one subfolder per class, for training "My classes" models."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.paths import asset


def real_photos(kind: str) -> list[Path]:
    """The shared photos of one kind ("dogs", "objects", "faces"), sorted."""
    return sorted(asset("photos", kind).iterdir())


def dogs_and_objects(folder: Path, held_out: int = 2) -> tuple[Path, list[Path], list[Path]]:
    """`folder`/dog and `folder`/object filled with the shared photos except the last
    `held_out` of each kind, which are returned (dogs, objects) for checking the model."""
    dogs, objects = real_photos("dogs"), real_photos("objects")
    for name, photos in (("dog", dogs[:-held_out]), ("object", objects[:-held_out])):
        (folder / name).mkdir(parents=True)
        for photo in photos:
            shutil.copy(photo, folder / name / photo.name)
    return folder, dogs[-held_out:], objects[-held_out:]
