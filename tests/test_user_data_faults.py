"""An unusable user data folder (a file in its place, read-only, a full disk): the app still runs.

The log then goes to stderr, stderr says so once, and the window shows a note. Tests run as root
here, where chmod cannot make a folder read-only: read-only and full folders are real mounts in
a private mount namespace (skipped where `unshare` cannot make one).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.models.test_model_cache_faults import private_mount
from vision_agent import __version__, logging_setup

REPO = Path(__file__).resolve().parents[1]
NOTICE = "cannot write the log file"


def run(args: list[str], data_dir: Path, wrap: list[str] | None = None):
    return subprocess.run(
        (wrap or []) + [sys.executable, "-m", "vision_agent", *args],
        env={**os.environ, "PYTHONPATH": str(REPO), "VISION_AGENT_DATA_DIR": str(data_dir)},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_runs_and_says_so_once(result, expected_stdout: str, reason: str) -> None:
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert expected_stdout in result.stdout
    assert result.stderr.count(NOTICE) == 1, result.stderr[-3000:]
    assert reason in result.stderr
    assert " INFO " not in result.stderr, result.stderr[-3000:]


@pytest.mark.parametrize(
    ("args", "expected"),
    [(["--version"], f"vision-agent {__version__}"), (["models", "list"], "search path:")],
)
def test_data_folder_that_is_a_file(tmp_path, args, expected):
    data = tmp_path / "data"
    data.write_text("a file where the data folder should be")
    assert_runs_and_says_so_once(run(args, data), expected, "Not a directory")


def test_data_folder_path_longer_than_the_system_allows(tmp_path, mnist):
    import numpy as np

    from tests.support.drawings import random_mnist_canvas
    from vision_agent.core.imageio import write_image

    drawing = tmp_path / "code.png"
    canvas, code = random_mnist_canvas(mnist["x_test"], mnist["y_test"], np.random.default_rng(1))
    write_image(drawing, canvas)
    data = tmp_path.joinpath(*["d" * 200] * 25)  # 5,000 characters: past PATH_MAX
    result = run(["postal", "--profile", "me", str(drawing)], data)
    assert_runs_and_says_so_once(result, f"{drawing}:", "File name too long")
    taught = run(["postal", "--profile", "me", "--teach", code, str(drawing)], data)
    assert taught.returncode == 2 and "Traceback" not in taught.stderr
    assert "longer than the system allows" in taught.stderr


def test_read_only_data_folder(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    wrap = private_mount(f"mount --bind {data} {data}", f"mount -o remount,bind,ro {data}")
    result = run(["--version"], data, wrap)
    assert_runs_and_says_so_once(result, f"vision-agent {__version__}", "Read-only file system")


def test_full_disk_under_the_data_folder(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    wrap = private_mount(
        f"mount -t tmpfs -o size=16k tmpfs {data}",
        f"{{ head -c 1000000 /dev/zero > {data}/filler 2>/dev/null; true; }}",
    )
    result = run(["models", "list"], data, wrap)
    assert_runs_and_says_so_once(result, "search path:", "No space left on device")


def test_window_notes_what_cannot_be_saved(qtbot, isolated_log, monkeypatch, tmp_path):
    from PyQt5.QtWidgets import QWidget

    from vision_agent.core.settings import Settings
    from vision_agent.ui import settings as ui_settings
    from vision_agent.ui.startup import show_storage_problems

    monkeypatch.setattr(logging_setup, "_problem", [])
    data = tmp_path / "data-file"
    data.write_text("not a folder")
    monkeypatch.setenv("VISION_AGENT_DATA_DIR", str(data))
    config = tmp_path / "config-file"
    config.write_text("not a folder either")
    monkeypatch.setattr(ui_settings, "_settings", [Settings(config / "settings.json")])
    assert logging_setup.setup_logging() is None
    assert str(data) in logging_setup.log_problem()
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    box = show_storage_problems(window)
    assert box is not None and box.isVisible() and not box.isModal()
    assert str(data) in box.text() and "stderr" in box.text()
    assert str(config) in box.text()


def test_usable_folders_show_no_note(qtbot, isolated_log, monkeypatch):
    from PyQt5.QtWidgets import QWidget

    from vision_agent.ui.startup import show_storage_problems

    monkeypatch.setattr(logging_setup, "_problem", [])
    assert logging_setup.setup_logging() is not None
    window = QWidget()
    qtbot.addWidget(window)
    assert show_storage_problems(window) is None
