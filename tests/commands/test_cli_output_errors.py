"""The CLI's own output failing, as Unix tools behave: a closed pipe (`… | head -1`) ends the run
quietly; a full disk (`> /dev/full`) is one message and a non-zero exit; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.paths import REPO_ROOT, asset


def command(*args: object) -> list[str]:
    return [sys.executable, "-m", "vision_agent", *map(str, args)]


ENV = dict(os.environ, PYTHONPATH=str(REPO_ROOT))


def test_a_full_disk_under_stdout_is_one_message_and_a_failure():
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            command("models", "list"), stdout=full, stderr=subprocess.PIPE, text=True,
            env=ENV, cwd=REPO_ROOT, timeout=120,
        )  # fmt: skip
    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "vision-agent: cannot write the output: No space left on device."
    ]


def test_a_pipe_closed_after_the_first_line_ends_the_run_quietly():
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    photos = asset("photos", "objects")
    run = subprocess.Popen(
        command("classify", "--model", "mobilenet_v2", photos, photos, photos),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=REPO_ROOT,
    )  # fmt: skip
    first = run.stdout.readline()
    run.stdout.close()  # what `head -1` does after its line
    _, err = run.communicate(timeout=180)
    assert first.startswith(str(photos))
    assert err == ""
    assert run.returncode != 0
