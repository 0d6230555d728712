"""One handwriting profile taught from several places at once keeps every sample.

Two `postal --profile P --teach` processes and two windows' profile panels (each with its own
store on the same data folder) teach the same profile at the same time, 20 rounds; nothing taught
may be lost, and a window's next Teach keeps what the command line taught meanwhile.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.support.drawings import random_mnist_canvas
from vision_agent.core.handwriting_profile import ProfileStore, read_profile
from vision_agent.core.imageio import write_image
from vision_agent.ui.widgets.profile_panel import ProfilePanel

REPO = Path(__file__).resolve().parents[1]
ROUNDS = 20


def _teacher(data: Path, code: str, drawing: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO), VISION_AGENT_DATA_DIR=str(data))
    return subprocess.Popen(
        [sys.executable, "-m", "vision_agent", "postal", "--profile", "P", "--teach", code,
         str(drawing)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )  # fmt: skip


@pytest.mark.slow
def test_two_cli_teachers_and_two_windows_keep_every_sample(qtbot, tmp_path, mnist):
    data = tmp_path / "data"
    folder = data / "profiles"
    canvas, code = random_mnist_canvas(mnist["x_test"], mnist["y_test"], np.random.default_rng(3))
    drawing = tmp_path / "code.png"
    write_image(drawing, canvas)
    panels = [ProfilePanel(store=ProfileStore(folder)) for _ in range(2)]
    for panel in panels:
        qtbot.addWidget(panel)
        panel.switch_to("P")
    sample = mnist["x_test"][:1].astype(np.float32) / 255.0
    for _ in range(ROUNDS):
        teachers = [_teacher(data, code, drawing) for _ in range(2)]
        for panel in panels:
            panel.teach(sample, [int(mnist["y_test"][0])])
        for teacher in teachers:
            _, err = teacher.communicate(timeout=120)
            assert teacher.returncode == 0, err
        for panel in panels:
            qtbot.waitUntil(lambda p=panel: p._pending_saves == 0, timeout=30000)
    expected = ROUNDS * (2 * 5 + 2)
    assert len(read_profile(folder / "P.npz")) == expected

    panels[0].teach(sample, [int(mnist["y_test"][0])])  # the window's next Teach keeps them all
    qtbot.waitUntil(lambda: panels[0]._pending_saves == 0, timeout=30000)
    assert len(panels[0].profile) == expected + 1
    assert len(read_profile(folder / "P.npz")) == expected + 1
