"""Start-up safety: Qt that cannot start, a failing start-up shown in a box, the splash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PyQt5.QtCore import QTimer, qInstallMessageHandler
from PyQt5.QtWidgets import QApplication, QMessageBox

from vision_agent.ui import startup


@pytest.fixture
def fresh_log(isolated_log):
    """The log file in an empty data folder; Qt's message handler restored afterwards."""
    yield isolated_log / "logs" / "vision-agent.log"
    qInstallMessageHandler(None)


def test_offscreen_platform_is_fine(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert startup.qt_platform_problem() is None


def test_missing_platform_plugin_is_reported(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "nosuchplatform")
    problem = startup.qt_platform_problem()
    assert problem is not None and "'nosuchplatform' was not found" in problem


def test_unknown_plugin_folders_leave_the_decision_to_qt(monkeypatch, tmp_path):
    monkeypatch.setenv("QT_QPA_PLATFORM", "nosuchplatform")
    monkeypatch.setenv("QT_PLUGIN_PATH", str(tmp_path / "nowhere"))
    monkeypatch.setattr(startup.QLibraryInfo, "location", lambda _kind: str(tmp_path / "none"))
    assert startup.qt_platform_problem() is None


@pytest.mark.skipif(sys.platform != "linux", reason="xcb and wayland plugins: Linux PyQt5 only")
@pytest.mark.parametrize(
    ("platform", "variable"),
    [("xcb", "DISPLAY"), ("wayland", "WAYLAND_DISPLAY"), ("wayland-egl", "WAYLAND_DISPLAY")],
)
def test_platform_without_display_is_reported(monkeypatch, platform, variable):
    monkeypatch.setenv("QT_QPA_PLATFORM", platform)
    monkeypatch.delenv(variable, raising=False)
    assert startup.qt_platform_problem() == (
        f"No display: {variable} is not set (set it, or run a command such as --self-test)."
    )
    monkeypatch.setenv(variable, ":0")
    assert startup.qt_platform_problem() is None


@pytest.mark.skipif(sys.platform != "linux", reason="xcb and wayland plugins: Linux PyQt5 only")
def test_fallback_list_needs_one_usable_platform(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "wayland;xcb")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    assert startup.qt_platform_problem() is None
    monkeypatch.delenv("DISPLAY")
    assert "WAYLAND_DISPLAY and DISPLAY are not set" in startup.qt_platform_problem()


def test_platform_problem_goes_to_stderr_and_log(fresh_log, monkeypatch, capsys):
    monkeypatch.setenv("QT_QPA_PLATFORM", "nosuchplatform")
    started = []
    assert startup.run_guarded(lambda: started.append(1) or 0) == 1
    assert started == []  # Qt would have aborted the process: the window is never attempted
    err = capsys.readouterr().err
    assert "cannot start the window" in err and "nosuchplatform" in err and str(fresh_log) in err
    assert "Cannot start the window" in fresh_log.read_text(encoding="utf-8")


def _close_box_later(seen: list[QMessageBox]) -> None:
    def close() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box)
            box.done(QMessageBox.Close)
        else:
            QTimer.singleShot(50, close)

    QTimer.singleShot(50, close)


def test_start_up_failure_shows_a_message_box(qapp, fresh_log, capsys):
    splashes = []

    def start() -> int:
        splashes.append(startup.show_splash(qapp))
        raise RuntimeError("the models folder is unreadable")

    seen: list[QMessageBox] = []
    _close_box_later(seen)
    assert startup.run_guarded(start) == 1
    assert len(seen) == 1
    assert not splashes[0].isVisible()  # closed: it would cover the box
    box = seen[0]
    assert box.icon() == QMessageBox.Critical
    assert box.text() == "RuntimeError: the models folder is unreadable"
    assert str(fresh_log) in box.informativeText()
    assert "Traceback" in box.detailedText() and "in start" in box.detailedText()
    assert "the models folder is unreadable" in capsys.readouterr().err
    text = fresh_log.read_text(encoding="utf-8")
    assert "Start-up failed" in text and "RuntimeError: the models folder is unreadable" in text


def test_qt_warnings_go_to_the_log(qapp, fresh_log):
    def start() -> int:
        from PyQt5.QtCore import qWarning

        qWarning(b"a warning from Qt")
        return 0

    assert startup.run_guarded(start) == 0
    text = fresh_log.read_text(encoding="utf-8")
    assert "Qt: a warning from Qt" in text and "Window closed, exit code 0" in text


def test_splash_shows_name_and_version(qapp):
    splash = startup.show_splash(qapp)
    assert splash.isVisible()
    assert not splash.pixmap().isNull()
    assert splash.message() == "Starting…"
    splash.close()


def test_app_runs_with_splash_icon_and_log(qapp, fresh_log):
    from vision_agent.app import run_app

    QTimer.singleShot(1500, qapp.closeAllWindows)
    assert run_app() == 0
    assert not qapp.windowIcon().isNull()
    text = fresh_log.read_text(encoding="utf-8")
    assert "starting" in text and "Window closed, exit code 0" in text


def test_start_up_strings_have_korean_translations():
    from vision_agent.i18n import missing_translations

    texts = [
        "Vision Agent could not start",
        "Details were written to {path}",
        "Version {version}",
        "Starting…",
    ]
    assert missing_translations(texts) == []


def test_error_box_survives_broken_translations(qapp, fresh_log, monkeypatch):
    """A corrupt translation file broke start-up and then the error box itself (found in the
    frozen app): the box falls back to English."""

    def broken_tr(_text: str) -> str:
        raise ValueError("Expecting value: line 2 column 1")

    monkeypatch.setattr(startup, "tr", broken_tr)

    def start() -> int:
        broken_tr("Vision Agent")
        return 0

    seen: list[QMessageBox] = []
    _close_box_later(seen)
    assert startup.run_guarded(start) == 1
    assert [box.windowTitle() for box in seen] == ["Vision Agent could not start"]
    assert seen[0].text() == "ValueError: Expecting value: line 2 column 1"


BROKEN_SPLASH_SCRIPT = r"""
import sys
from PyQt5.QtWidgets import QMessageBox
import vision_agent.ui.startup as startup
from vision_agent.app import run_app

real_tr = startup.tr

def broken_tr(text):
    if text == "Vision Agent":
        raise ValueError("broken catalog")
    return real_tr(text)

startup.tr = broken_tr
QMessageBox.exec_ = lambda box: print("box:", box.text(), flush=True) or 0
sys.exit(run_app())
"""


def test_failure_while_drawing_the_splash_exits_cleanly(tmp_path):
    """A translation error in the splash used to leave a QPainter open: exit status 139 after
    the error box (found in the frozen app with a corrupt Korean catalog)."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        VISION_AGENT_DATA_DIR=str(tmp_path),
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    result = subprocess.run(
        [sys.executable, "-c", BROKEN_SPLASH_SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "box: ValueError: broken catalog" in result.stdout, result.stderr[-2000:]
    assert result.returncode == 1, result.stderr[-2000:]
