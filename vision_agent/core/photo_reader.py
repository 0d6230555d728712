"""Reading photos away from the window's thread (a big JPEG takes longer than a frame).

Hosted like a model (`RecognizerSpec(PhotoReader)` in a ModelService), so a tab can request
`PhotoReader.read(path, max_side)` and receive the RGB array as a result.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vision_agent.core.imageio import read_image


class PhotoReader:
    model_name = "photo reader"

    def read(self, path: str | Path, max_side: int | None = None) -> np.ndarray:
        return read_image(path, max_side=max_side)
