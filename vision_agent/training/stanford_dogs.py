"""Fetching Stanford Dogs (`images.tar`) through the model store's verified downloader.

The archive is described like a model in `resources/datasets/registry.json`, so it gets what
model files get: found in `VISION_AGENT_MODEL_PATH` or the cache first, downloaded with
progress, retries and cancel otherwise, and checked against its MD5 before use.
"""

from __future__ import annotations

import tarfile
import threading
from pathlib import Path

from vision_agent.core.errors import UserError
from vision_agent.paths import resource

DATASET_ID = "stanford_dogs_images"
DATASET_REGISTRY = resource("datasets", "registry.json")
BREED_COUNT = 120


def download_stanford_dogs(
    data_dir: Path,
    progress=None,
    cancel: threading.Event | None = None,
    registry: Path | None = None,
) -> Path:
    """Make `data_dir/Images/<wnid>-<breed>/*.jpg`; returns `data_dir/Images`.

    `registry` replaces `resources/datasets/registry.json` (tests serve a small archive).
    """
    from vision_agent.models.registry import Registry
    from vision_agent.models.store import ModelStore

    images = Path(data_dir) / "Images"
    if images.is_dir() and sum(1 for p in images.iterdir() if p.is_dir()) >= BREED_COUNT:
        return images
    store = ModelStore(registry=Registry(registry or DATASET_REGISTRY))
    try:
        archive = store.resolve(DATASET_ID, progress=progress, cancel=cancel)["images"]
    except UserError as exc:
        raise UserError(
            f"Stanford Dogs could not be downloaded. {exc}\nYou can also unpack images.tar "
            f"yourself so that {images} holds one folder per breed, and run without --download."
        ) from None
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(Path(data_dir), filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise UserError(f"{archive.name} could not be unpacked into {data_dir}: {exc}") from None
    return images
