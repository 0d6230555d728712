"""Start-up and exit of the real application process: no TensorFlow in the window's process,
and a clean exit under X even when TensorFlow is loaded (STACK.md: TF + Mesa abort at exit)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.x_session import XSession

REPO = Path(__file__).resolve().parents[1]
KERAS_MODEL = REPO / "resources" / "models" / "digits" / "digits_cnn.keras"

# Runs the app's own start-up (run_app), loads the Keras digit model, recognizes a drawing,
# then closes the window from a timer and reports what was imported along the way.
APP_SCRIPT = r"""
import sys, json
from PyQt5.QtCore import QTimer
from PyQt5.QtWidgets import QApplication
import vision_agent.app as app_module
from vision_agent.checks.postal import draw_code
report = {}

def drive():
    windows = [w for w in QApplication.topLevelWidgets() if w.objectName() == "MainWindow"]
    if not windows:  # the splash lets events (this timer) run before the window exists
        QTimer.singleShot(50, drive)
        return
    window = windows[0]
    report["tf_when_shown"] = "tensorflow" in sys.modules
    tab = window.postal_tab()
    tab.controller.load_model(__import__("pathlib").Path(sys.argv[1]))
    tab.canvas.set_drawing(draw_code("10701"))
    tab.recognize()
    def check():
        if tab.reading is None:
            QTimer.singleShot(100, check)
            return
        report["code"] = tab.reading.code
        report["tf_after_keras"] = "tensorflow" in sys.modules
        window.close()
    check()

QTimer.singleShot(0, drive)
code = app_module.run_app()
print(json.dumps(report))
sys.exit(code)
"""


def _run(env_extra: dict, prelude: str = "", timeout: int = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), **env_extra)
    return subprocess.run(
        [sys.executable, "-c", prelude + APP_SCRIPT, str(KERAS_MODEL)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=timeout,
    )


def test_window_process_never_imports_tensorflow():
    result = _run({"QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr[-2000:]
    report = result.stdout.strip().splitlines()[-1]
    assert '"tf_when_shown": false' in report
    assert '"code": "10701"' in report
    assert '"tf_after_keras": false' in report


@pytest.fixture(scope="module")
def x_display():
    # XSession lets Xvfb pick a free display and waits until it accepts clients; a fixed
    # display started without waiting failed under load ("no Qt platform plugin could be
    # initialized") when the app connected first or another run held the same display.
    why_not = XSession.missing()
    if why_not:
        pytest.skip(why_not)
    with XSession() as session:
        yield session.display


def test_clean_exit_under_x_with_a_keras_model(x_display):
    result = _run({"QT_QPA_PLATFORM": "xcb", "DISPLAY": x_display})
    assert result.returncode == 0, result.stderr[-2000:]
    assert '"code": "10701"' in result.stdout
    assert "invalid pointer" not in result.stderr


def test_clean_exit_under_x_even_with_tensorflow_in_the_window_process(x_display):
    result = _run({"QT_QPA_PLATFORM": "xcb", "DISPLAY": x_display}, prelude="import tensorflow\n")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "invalid pointer" not in result.stderr
