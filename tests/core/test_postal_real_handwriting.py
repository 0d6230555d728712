"""Real people's handwriting (UCI pen-digits writers the model never trained on), read as the tab
reads it, and honest statuses: `ok`, `unsure`, `blank`, `not_digit`."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from tests.commands.test_cli_postal import run_cli
from tests.support.paths import REPO_ROOT
from tests.ui.tabs.test_postal_tab import drag, tab, window  # noqa: F401 (fixtures)
from vision_agent.core.digit_status import DigitStatus
from vision_agent.core.imageio import write_image
from vision_agent.core.postal import box_rect
from vision_agent.training.digit_checks import blank_canvas, writer_codes
from vision_agent.training.pen_digits import (
    DEFAULT_PLACEMENT,
    PenDigit,
    fit_strokes,
    read_unipen,
    render_digit,
)

WRITERS = REPO_ROOT.parent / "shared" / "datasets" / "pendigits" / "pendigits-orig-writers1-6.tes"


@pytest.fixture(scope="module")
def real_digits() -> list[PenDigit]:
    if not WRITERS.is_file():
        pytest.skip(f"real writers' trajectories not available: {WRITERS}")
    return read_unipen(WRITERS)


def test_trajectory_file_holds_six_writers_in_writing_order(real_digits):
    assert len(real_digits) == 1499
    assert sorted({d.writer for d in real_digits}) == [1, 2, 3, 4, 5, 6]
    assert [d.label for d in real_digits[:5]] == [8, 8, 9, 4, 9]
    assert all(len(d.strokes) >= 1 and all(len(s) >= 1 for s in d.strokes) for d in real_digits)


def test_real_writers_meet_the_targets_at_the_default_pen(real_digits, postal_recognizer):
    """≥ 99 % of digits and ≥ 95 % of whole codes, over all six kept-out writers."""
    right_digits = right_codes = total_codes = 0
    for writer in writer_codes(real_digits):
        for canvas, code in zip(writer.canvases, writer.codes, strict=True):
            read = postal_recognizer.recognize(canvas).code
            right_digits += sum(a == b for a, b in zip(code, read, strict=True))
            right_codes += read == code
            total_codes += 1
    assert right_digits / (5 * total_codes) >= 0.99
    assert right_codes / total_codes >= 0.95


def _draw_with_mouse(canvas_widget, index: int, digit: PenDigit) -> None:
    x, y, _, _ = box_rect(index)
    for stroke in fit_strokes(digit.strokes, DEFAULT_PLACEMENT):
        drag(canvas_widget, [(x + px, y + py) for px, py in stroke])


def test_real_writers_strokes_drawn_with_the_mouse_are_read_in_the_tab(qtbot, tab, real_digits):
    tab.controls.live_check.setChecked(False)
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=15000)
    rng = np.random.default_rng(7)
    right = total = 0
    for _ in range(6):
        picked = [real_digits[int(k)] for k in rng.choice(len(real_digits), 5, replace=False)]
        tab.erase()
        for index, digit in enumerate(picked):
            _draw_with_mouse(tab.canvas, index, digit)
        tab.recognize()
        qtbot.waitUntil(lambda: tab.reading is not None, timeout=15000)
        truth = "".join(str(d.label) for d in picked)
        right += sum(a == b for a, b in zip(truth, tab.reading.code, strict=True))
        total += 5
    assert right / total >= 0.95


NON_DIGITS = {
    "zigzag": [[(15, 40), (30, 60), (45, 40), (60, 60), (75, 40), (88, 60)]],
    "dash": [[(20, 50), (80, 52)]],
    "scribble": [[(20, 30), (80, 70), (25, 70), (75, 28), (30, 50), (85, 45), (20, 60), (70, 80)]],
    "cross": [[(25, 25), (75, 75)], [(75, 25), (25, 75)]],
}


def _dense(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    dense = []
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        dense += [(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) for t in np.linspace(0, 1, 8)]
    return dense


def test_non_digit_strokes_drawn_with_the_mouse_are_not_digits(qtbot, tab):
    tab.controls.live_check.setChecked(False)
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=15000)
    for index, strokes in enumerate(NON_DIGITS.values()):
        x, y, _, _ = box_rect(index)
        for stroke in strokes:
            drag(tab.canvas, [(x + px, y + py) for px, py in _dense(stroke)])
    tab.recognize()
    qtbot.waitUntil(lambda: tab.reading is not None, timeout=15000)
    statuses = [d.status for d in tab.reading.digits]
    shown = dict(zip(NON_DIGITS, statuses, strict=False))
    assert statuses[:4] == [DigitStatus.NOT_DIGIT] * 4, shown
    assert statuses[4] is DigitStatus.BLANK
    assert tab.reading.code == "?????"
    assert "no digit" in tab.readout.box_buttons.button(0).text()
    assert "✗" in tab.readout.code_label.text()


def _unsure_real_digit(real_digits, postal_recognizer) -> PenDigit:
    for digit in real_digits:
        canvas = blank_canvas()
        x, y, w, h = box_rect(0)
        canvas[y : y + h, x : x + w] = render_digit(digit.strokes)
        if postal_recognizer.recognize(canvas).digits[0].status is DigitStatus.UNSURE:
            return digit
    pytest.fail("no real digit is read as unsure")


def test_cli_json_gives_status_and_alternatives(real_digits, postal_recognizer, tmp_path: Path):
    unsure = _unsure_real_digit(real_digits, postal_recognizer)
    canvas = blank_canvas()
    for index, strokes in ((0, unsure.strokes), (1, real_digits[2].strokes)):
        x, y, w, h = box_rect(index)
        canvas[y : y + h, x : x + w] = render_digit(strokes)
    x, y, _, _ = box_rect(2)
    canvas[y + 48 : y + 54, x + 15 : x + 85] = 0  # a dash
    write_image(tmp_path / "drawing.png", canvas)
    result = run_cli("postal", str(tmp_path / "drawing.png"), "--json")
    assert result.returncode == 0, result.stderr
    digits = json.loads(result.stdout)["digits"]
    first, second, dash, blank = digits[0], digits[1], digits[2], digits[3]
    assert first["status"] == "unsure" and first["digit"] == first["alternatives"][0][0]
    assert len(first["alternatives"]) == 2
    assert first["alternatives"][0][1] >= first["alternatives"][1][1]
    assert first["confidence"] == first["alternatives"][0][1]
    assert second == {**second, "digit": 9, "status": "ok"}
    assert dash["digit"] is None and dash["status"] == "not_digit"
    assert blank == {"digit": None, "confidence": 0.0, "status": "blank"}
    assert "NaN" not in result.stdout
