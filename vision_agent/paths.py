"""Where the app finds its shipped resources (checkout, installed, frozen) and keeps user data."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "vision-agent"
APP_AUTHOR = "VisionAgent"


def resources_dir() -> Path:
    """The folder holding shipped models, labels, the model registry and translations.

    Frozen (PyInstaller): `<bundle>/resources`. Installed from a wheel or an sdist:
    `vision_agent/resources` (setup.py maps the repository's `resources/` there). A checkout
    (editable install or `PYTHONPATH`): `resources/` beside the package.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return _package_resources()


@functools.cache
def _package_resources() -> Path:
    """Found once: resolving the package's path takes a system call per folder, and every model
    name shown asks for the registry's path."""
    package = Path(__file__).resolve().parent
    installed = package / "resources"
    return installed if installed.is_dir() else package.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def user_data_dir() -> Path:
    """Per-user data (logs, trained models); `VISION_AGENT_DATA_DIR` overrides it.

    Created when possible; when it cannot be (a file in its place, a read-only disk) the path is
    still returned, and whoever writes there reports the failure (see `logging_setup`).
    """
    override = os.environ.get("VISION_AGENT_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return path  # unusable: the writers say so
    return path
