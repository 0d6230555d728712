"""The settings: one table of keys; the file read through the gate and written by the one writer.

A settings file that is a link to a FIFO or a device (made here, in a temporary folder), a huge
or deeply nested file: the window still starts and the link's target is left untouched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_user_writes import device_node
from tests.support.bad_inputs import fifo, sparse_file
from vision_agent.core.settings import KEYS, Settings, key

REPO = Path(__file__).resolve().parents[2]

# The app's own start-up (run_app) with the settings folder given; the window is closed from a
# timer once it is shown (closing saves its geometry: the save must be refused, not followed).
START_AND_CLOSE = r"""
import sys
from PyQt5.QtCore import QTimer
from PyQt5.QtWidgets import QApplication
import vision_agent.app as app_module

def close():
    windows = [w for w in QApplication.topLevelWidgets() if w.objectName() == "MainWindow"]
    if not windows or not windows[0].isVisible():
        QTimer.singleShot(50, close)
        return
    print("window shown", flush=True)
    windows[0].close()

QTimer.singleShot(0, close)
sys.exit(app_module.run_app())
"""


def start_window(config_home: Path) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        PYTHONPATH=str(REPO),
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(config_home),
    )
    return subprocess.run(
        [sys.executable, "-c", START_AND_CLOSE],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )


def default_settings_path_under(config_home: Path) -> str:
    script = "from vision_agent.core.settings import default_settings_path as p; print(p())"
    env = dict(os.environ, PYTHONPATH=str(REPO), XDG_CONFIG_HOME=str(config_home))
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    return found.stdout.strip()


def hostile_targets(tmp_path: Path) -> dict[str, Path]:
    made = {"fifo": fifo(tmp_path / "a.fifo")}
    device = device_node(tmp_path / "a.device")
    if device is not None:
        made["device"] = device
    return made


def test_a_settings_file_linked_to_a_fifo_or_device_is_left_untouched_and_the_window_starts(
    tmp_path,
):
    for kind, target in hostile_targets(tmp_path).items():
        config = tmp_path / f"config-{kind}"
        settings = Path(default_settings_path_under(config))
        qt_settings = config / "VisionAgent" / "vision-agent.ini"  # where QSettings kept them
        for link in (settings, qt_settings):
            link.parent.mkdir(parents=True)
            link.symlink_to(target)
        before = os.stat(target)
        result = start_window(config)
        assert result.returncode == 0 and "window shown" in result.stdout, result.stderr[-2000:]
        after = os.stat(target)
        assert (after.st_mode, after.st_ino, after.st_size) == (
            before.st_mode,
            before.st_ino,
            before.st_size,
        ), kind
        assert settings.is_symlink() and qt_settings.is_symlink(), kind
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content",
    [
        "deep value",
        "deep file",
        "huge file",
        "not json",
        "1e999",
        "a list",
    ],
)
def test_a_hostile_settings_file_reads_as_the_defaults(tmp_path, content):
    path = tmp_path / "settings.json"
    if content == "deep value":
        nested = "[" * 50_000 + "]" * 50_000
        path.write_text(f'{{"dogs/breed_models": {nested}, "language": "ko"}}')
    elif content == "deep file":
        path.write_text("[" * 50_000 + "]" * 50_000)
    elif content == "huge file":
        sparse_file(path, 100 << 20)
    elif content == "not json":
        path.write_bytes(b"\xff\xfe[General]\nlanguage=ko\n")
    elif content == "1e999":
        path.write_text('{"window/tab": 1e999}')
    else:
        path.write_text('["language", "ko"]')
    settings = Settings(path)
    assert settings.value("dogs/breed_models") == []
    assert settings.value("window/tab") == 0
    assert settings.value("language") == ""
    assert settings.problem() is not None and str(path) in settings.problem()


def test_values_that_do_not_fit_their_key_read_as_the_default(tmp_path):
    path = tmp_path / "settings.json"
    values = {
        "window/tab": "3",
        "window/geometry": "not base64!",
        "dogs/breed_models": [["a.keras"], 5],
        "classifier/model": "x" * 100_000,
        "postal/profile": ["me"],
        "folders/drawings": str(tmp_path),
        "someone else's key": 1,
    }
    path.write_text(json.dumps(values))
    settings = Settings(path)
    assert settings.problem() is None
    assert settings.value("window/tab") == 0
    assert settings.value("window/geometry") == b""
    assert settings.value("dogs/breed_models") == []
    assert settings.value("classifier/model") == ""
    assert settings.value("postal/profile") == "default"
    assert settings.value("folders/drawings") == str(tmp_path)


def test_every_access_goes_through_the_table(tmp_path):
    settings = Settings(tmp_path / "settings.json")
    with pytest.raises(KeyError, match="not in the settings table"):
        settings.value("window/size")
    with pytest.raises(KeyError):
        settings.setValue("anything", 1)
    with pytest.raises(ValueError, match="does not fit"):
        settings.setValue("window/tab", "first")
    assert all(row.description and row.check(row.store(row.default)) is not None for row in KEYS)
    assert key("folders/profiles").name == "folders/"


def test_two_windows_keep_each_others_settings(tmp_path):
    path = tmp_path / "settings.json"
    first, second = Settings(path), Settings(path)
    first.setValue("language", "ko")
    second.setValue("window/tab", 2)
    second.setValue("window/geometry", b"\x01\xd9\xd0\xcb")
    first.setValue("postal/profile", "민지")
    again = Settings(path)
    assert again.value("language") == "ko" and again.value("window/tab") == 2
    assert again.value("window/geometry") == b"\x01\xd9\xd0\xcb"
    assert again.value("postal/profile") == "민지"
    assert first.value("window/tab") == 2  # merged when it saved
    first.remove("language")
    assert Settings(path).value("language") == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == [".settings.json.lock", "settings.json"]


def test_no_module_reaches_qsettings_around_the_table():
    package = REPO / "vision_agent"
    users = [
        path.relative_to(REPO)
        for path in package.rglob("*.py")
        if "QSettings" in path.read_text(encoding="utf-8")
        and path != package / "core" / "settings.py"
    ]
    assert users == []
