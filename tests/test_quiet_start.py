"""A healthy start prints nothing on stderr: the window (with a Keras model in its child process
and the face tab's camera probe) and the CLI on its ONNX and Keras paths. The log keeps the rest."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
KERAS_MODEL = REPO / "resources" / "models" / "digits" / "digits_cnn.keras"
DRAWING = REPO / "tests" / "data" / "postal_06236.png"

# The real entry point (cli.main, no arguments: the window). Once the tabs have started, the
# postal tab loads the Keras digit model (TensorFlow in a child process) and reads a drawing;
# then the face tab is shown (it probes the cameras) and the window closes when the probe is done.
GUI_SCRIPT = r"""
import sys
from pathlib import Path
from PyQt5.QtCore import QTimer
from vision_agent.checks.postal import draw_code
from vision_agent.ui import main_window
from vision_agent.ui.tabs.face_tab import FaceCamTab

start_tabs = main_window.MainWindow.start_tabs

def start_and_drive(window):
    start_tabs(window)
    postal = window.postal_tab()
    postal.controller.load_model(Path(sys.argv[1]))
    postal.canvas.set_drawing(draw_code("10701"))
    postal.recognize()

    def when_read():
        if postal.reading is None or postal.reading.code != "10701":
            QTimer.singleShot(100, when_read)
            return
        print("read", postal.reading.code, flush=True)
        face = next(page for page in window.tab_pages if isinstance(page, FaceCamTab))
        face.controller.sig_cameras_found.connect(
            lambda cameras: QTimer.singleShot(500, window.close)
        )
        window.tabs.setCurrentWidget(face)

    when_read()

main_window.MainWindow.start_tabs = start_and_drive
from vision_agent.cli import main
sys.exit(main([]))
"""


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A user with fresh settings, data and cache folders; TensorFlow's variables left unset."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(
        PYTHONPATH=str(REPO),
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        VISION_AGENT_DATA_DIR=str(tmp_path / "data"),
        LANG="C.UTF-8",
        **extra,
    )
    return env


@pytest.fixture(scope="module")
def x_display():
    """A private Xvfb display (the server picks a free number)."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        pytest.skip("Xvfb did not start")
    yield f":{number}"
    server.terminate()
    server.wait(10)


def _run_quietly(args: list[str], tmp_path: Path, cwd: Path, **extra: str) -> str:
    """Run Python with `args` as a fresh user; it must succeed with nothing on stderr. Stdout."""
    result = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_environment(tmp_path, **extra),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr == ""
    return result.stdout


def _log(tmp_path: Path) -> str:
    return (tmp_path / "data" / "logs" / "vision-agent.log").read_text(encoding="utf-8")


@pytest.mark.parametrize("platform", ["offscreen", "xcb"])
def test_the_window_starts_quietly(platform, tmp_path, request):
    extra = {"QT_QPA_PLATFORM": platform}
    if platform == "xcb":
        extra["DISPLAY"] = request.getfixturevalue("x_display")
    out = _run_quietly(["-c", GUI_SCRIPT, str(KERAS_MODEL)], tmp_path, tmp_path, **extra)
    assert "read 10701" in out
    assert "vision_agent.tensorflow" in _log(tmp_path)  # what the child's TensorFlow printed


@pytest.mark.parametrize("model", [None, KERAS_MODEL], ids=["onnx", "keras"])
def test_a_cli_command_prints_only_its_result(model, tmp_path):
    command = ["-m", "vision_agent", "postal", str(DRAWING)]
    out = _run_quietly(command + (["--model", str(model)] if model else []), tmp_path, tmp_path)
    assert out.startswith(f"{DRAWING}: 06236")


def test_a_model_child_process_logs_its_python_warnings(tmp_path):
    """The child's warnings land in the log file; the terminal (inherited stderr) stays empty."""
    script = (
        "from vision_agent.engine.host import ProcessHost;"
        "from vision_agent.engine.spec import RecognizerSpec;"
        "from tests.support.fake_recognizers import Warner;"
        "warner = RecognizerSpec(Warner, in_process=False);"
        "host = ProcessHost(warner);"
        "print(host.start()); host.close()"
    )
    assert _run_quietly(["-c", script], tmp_path, REPO).strip() == "warner"
    assert "FutureWarning: np.object will be defined differently" in _log(tmp_path)
