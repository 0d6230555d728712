"""The user's data (logs, trained models, profiles) and model cache land in each system's own
folders, through platformdirs, with `sys.platform` and the system folders patched:

- Windows: %LOCALAPPDATA%\\VisionAgent\\vision-agent (cache: ...\\Cache\\models)
- macOS: ~/Library/Application Support/vision-agent (cache: ~/Library/Caches/vision-agent/models)
- Linux: $XDG_DATA_HOME/vision-agent (cache: $XDG_CACHE_HOME/vision-agent/models)

What only a run there shows: the real folder lookup (Windows' known-folder API) and QSettings'
own location (docs/packaging.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import platformdirs.macos
import platformdirs.unix
import platformdirs.windows
import pytest

from vision_agent.models.store import _default_cache_dir
from vision_agent.paths import user_data_dir


@pytest.fixture
def fresh_user(tmp_path, monkeypatch) -> Path:
    for name in ("VISION_AGENT_DATA_DIR", "VISION_AGENT_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "home"))  # "~" on Windows
    return tmp_path


def on(monkeypatch, platform: str, dirs: type) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(platformdirs, "PlatformDirs", dirs)


def test_windows_folders(fresh_user, monkeypatch):
    folders = {
        "CSIDL_APPDATA": str(fresh_user / "AppData" / "Roaming"),
        "CSIDL_LOCAL_APPDATA": str(fresh_user / "AppData" / "Local"),
    }
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", folders.__getitem__)
    on(monkeypatch, "win32", platformdirs.windows.Windows)
    local = fresh_user / "AppData" / "Local" / "VisionAgent" / "vision-agent"
    assert user_data_dir() == local and local.is_dir()
    assert _default_cache_dir() == local / "Cache" / "models"


def test_macos_folders(fresh_user, monkeypatch):
    on(monkeypatch, "darwin", platformdirs.macos.MacOS)
    library = fresh_user / "home" / "Library"
    assert user_data_dir() == library / "Application Support" / "vision-agent"
    assert _default_cache_dir() == library / "Caches" / "vision-agent" / "models"


def test_linux_folders(fresh_user, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(fresh_user / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(fresh_user / "cache"))
    on(monkeypatch, "linux", platformdirs.unix.Unix)
    assert user_data_dir() == fresh_user / "data" / "vision-agent"
    assert _default_cache_dir() == fresh_user / "cache" / "vision-agent" / "models"
