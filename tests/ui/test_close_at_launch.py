"""Closing the window at any moment after launch ends the process, even during a stalled download.

Fresh `vision-agent` processes under a private Xvfb (with openbox when installed), closed the
way users close windows. `bench/close_at_launch.py` runs the same at 30 random moments.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.model_server import ModelServer
from tests.support.x_session import (
    REPO,
    XSession,
    close_after,
    isolated_env,
    launch_app,
    launch_downloading,
)

EXIT_LIMIT_S = 10.0  # the app exits in well under 2 s (see the bench); a hang never does

# The real start-up, with the user's close arriving while the splash still processes events,
# before the event loop runs (what happens when the window is closed the moment it appears).
CLOSE_BEFORE_LOOP = r"""
import sys
from PyQt5.QtWidgets import QSplashScreen
finish = QSplashScreen.finish
def finish_then_close(splash, window):
    finish(splash, window)
    window.close()
QSplashScreen.finish = finish_then_close
from vision_agent.app import run_app
sys.exit(run_app())
"""


def test_close_before_the_event_loop_runs_ends_the_process(tmp_path):
    env = {**isolated_env(tmp_path), "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", CLOSE_BEFORE_LOOP],
        env={**os.environ, **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.fixture(scope="module")
def x_session():
    reason = XSession.missing()
    if reason:
        pytest.skip(reason)
    with XSession() as session:
        yield session


@pytest.mark.parametrize(
    ("delay", "method"),
    [(0.0, "wm-delete"), (0.0, "ctrl+q"), (0.4, "wm-delete"), (1.5, "ctrl+q"), (3.0, "wm-delete")],
)
def test_window_closed_soon_after_launch_ends_the_process(x_session, tmp_path, delay, method):
    process = launch_app(x_session, **isolated_env(tmp_path))
    took, _ = close_after(x_session, process, delay, method, EXIT_LIMIT_S)
    assert took is not None, f"still running {EXIT_LIMIT_S} s after the close"
    assert process.returncode == 0, process.stderr.read()[-2000:]


@pytest.mark.parametrize("route", ["silent", "trickle"])
def test_window_closed_during_a_stalled_download_ends_the_process(x_session, tmp_path, route):
    with ModelServer(trickle_seconds=20.0) as server:
        process = launch_downloading(x_session, tmp_path, server.url(route, ""))
        took, _ = close_after(x_session, process, 0.5, "wm-delete", EXIT_LIMIT_S)
        assert server.requests[route] == 1
    assert took is not None, f"still running {EXIT_LIMIT_S} s after the close"
    assert process.returncode == 0, process.stderr.read()[-2000:]
