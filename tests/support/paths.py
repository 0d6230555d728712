"""Where the tests find the repository and the shared assets (../shared/assets)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ASSETS = REPO_ROOT.parent / "shared" / "assets"
if ASSETS.is_dir():
    os.environ.setdefault("VISION_AGENT_MODEL_PATH", str(ASSETS))


def asset(*parts: str) -> Path:
    """A file from ../shared/assets; the test is skipped when it is absent."""
    path = ASSETS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared asset not available: {path}")
    return path
