"""A tiny Stanford-Dogs-like dataset for training tests: one folder per breed of small noisy
pictures, each breed tinted in its own colour channel, so one epoch tells them apart."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

BREEDS = ["n02085620-Chihuahua", "n02086240-Shih-Tzu", "n02099601-golden_retriever"]


def tiny_breed_folders(
    folder: Path, breeds: list[str] = BREEDS, per_breed: int = 6, side: int = 40
) -> Path:
    """`folder`/<breed>/<k>.jpg for each breed (at most three: one colour channel each)."""
    rng = np.random.default_rng(0)
    for index, name in enumerate(breeds):
        (folder / name).mkdir(parents=True)
        for k in range(per_breed):
            image = rng.integers(0, 60, (side, side + 8, 3)).astype(np.uint8)
            image[..., index] += 180
            cv2.imwrite(str(folder / name / f"{k}.jpg"), image)
    return folder


def tiny_stanford_dogs(root: Path) -> Path:
    """`root`/Images/<breed>/… as the Stanford Dogs archive unpacks; returns `root`."""
    tiny_breed_folders(root / "Images")
    return root
