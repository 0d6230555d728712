"""The main window on a computer that holds none of the registry's downloadable models: every tab
shown in turn, each missing-model panel up (a test helper).

The app ships MobileNetV2 int8 and the res10 TensorFlow face detector, so every tab has a model
out of the box; `no_models_here` also installs a registry in which only the digit model ships
(the other two are downloads there, as in a build without them), to show the panels.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.model_server import only_digits_shipped
from vision_agent.ui.main_window import TAB_KINDS, MainWindow
from vision_agent.ui.settings import app_settings
from vision_agent.ui.widgets.model_download_panel import ModelDownloadPanel


def empty_model_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty model search path and cache: a fresh install (the shipped models stay)."""
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))


def no_models_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty model folders and a registry in which only the digit model ships."""
    empty_model_folders(tmp_path, monkeypatch)
    monkeypatch.setenv("VISION_AGENT_REGISTRY", str(only_digits_shipped(tmp_path)))


def every_tab_shown(qtbot, settle_ms: int = 0) -> MainWindow:
    """The window opened on the first tab, started, then every tab shown in turn (each given
    `settle_ms` to lay itself out)."""
    app_settings().setValue("window/tab", 0)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.start_tabs()
    for index in range(len(TAB_KINDS)):
        window.tabs.setCurrentIndex(index)
        if settle_ms:
            qtbot.wait(settle_ms)
    return window


def offline_window(qtbot) -> tuple[MainWindow, list[ModelDownloadPanel]]:
    """The window after the user looked at every tab; the panels of the tabs that have one."""
    window = every_tab_shown(qtbot, settle_ms=200)
    panels = [p.model_status.panel for p in window.tab_pages if hasattr(p, "model_status")]
    panels = [p for p in panels if p.receivers(p.sig_downloaded)]  # not the postal tab's
    assert len(panels) == 3  # dog, ImageNet, face: each offers its missing model
    qtbot.waitUntil(lambda: all(p.isVisibleTo(p.parentWidget()) for p in panels), timeout=20_000)
    return window, panels
