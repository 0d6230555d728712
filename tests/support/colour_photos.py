"""A separable synthetic set for "My classes": noisy photos of a few clearly different colours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

COLOURS = {"red": (220, 30, 30), "blue": (30, 40, 220), "green": (30, 200, 40)}


def colour_photos(folder: Path, name: str, count: int, seed: int = 0) -> list[Path]:
    rng = np.random.default_rng(seed + sum(map(ord, name)))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(count):
        noise = rng.normal(0, 25, (96, 128, 3))
        pixels = np.clip(np.array(COLOURS[name]) + noise, 0, 255).astype(np.uint8)
        path = folder / f"{name}_{seed}_{k:02d}.png"
        Image.fromarray(pixels).save(path)
        paths.append(path)
    return paths
