"""Handwriting profiles: stored safely, refused when damaged or foreign, learned from at once —
through the core, the command line (several processes) and the tab (real mouse clicks)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QMessageBox

from tests.commands.test_cli_postal import run_cli
from tests.core.test_postal_real_handwriting import (  # noqa: F401 (fixtures)
    _draw_with_mouse,
    real_digits,
)
from tests.ui.tabs.test_postal_tab import drag, tab, window  # noqa: F401 (fixtures)
from vision_agent.core.handwriting_profile import (
    HandwritingProfile,
    ProfileError,
    ProfileStore,
    check_name,
    read_profile,
    write_profile,
)
from vision_agent.core.imageio import write_image
from vision_agent.core.postal import box_rect, canvas_inputs
from vision_agent.training.digit_checks import blank_canvas, writer_codes
from vision_agent.training.pen_digits import PenDigit, Placement, render_digit


def _canvas_with(digit: PenDigit, placement: Placement | None = None) -> np.ndarray:
    canvas = blank_canvas()
    x, y, w, h = box_rect(0)
    canvas[y : y + h, x : x + w] = render_digit(digit.strokes, placement or Placement())
    return canvas


def _misread(real_digits, postal_recognizer) -> PenDigit:
    """The first real digit the general model reads wrongly and confidently (so that the
    tab's own rendering of the strokes is misread too), also when drawn a bit larger."""
    for digit in real_digits:
        first = postal_recognizer.recognize(_canvas_with(digit)).digits[0]
        again = postal_recognizer.recognize(
            _canvas_with(digit, Placement(72, offset=(3, 2)))
        ).digits[0]
        wrong = first.digit not in (None, digit.label) and again.digit not in (None, digit.label)
        if wrong and min(first.confidence, again.confidence) > 0.8:
            return digit
    pytest.fail("the general model reads every real digit right")


# --- the file ---------------------------------------------------------------------------------
def test_profile_round_trip_and_counts(tmp_path: Path):
    store = ProfileStore(tmp_path / "profiles")
    profile = store.load("교실 PC")
    assert len(profile) == 0 and profile.name == "교실 PC"
    profile.teach(np.random.default_rng(0).random((3, 28, 28)), [4, 4, 10])
    store.save(profile)
    loaded = store.load("교실 PC")
    assert loaded.counts() == [0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1]
    assert np.array_equal(loaded.inputs, profile.inputs)
    assert store.names() == ["default", "교실 PC"]
    store.rename("교실 PC", "family")
    assert store.names() == ["default", "family"] and len(store.load("family")) == 3


@pytest.mark.parametrize("name", ["../evil", "a/b", "", ".", "x" * 65, "name."])
def test_unsafe_profile_names_are_refused(name):
    with pytest.raises(ProfileError):
        check_name(name)


def test_a_write_that_fails_midway_leaves_the_old_profile_and_no_temporary_file(
    tmp_path: Path, monkeypatch
):
    path = tmp_path / "me.npz"
    old = HandwritingProfile("me")
    old.teach(np.zeros((1, 28, 28)), [1])
    write_profile(old, path)
    new = HandwritingProfile("me")
    new.teach(np.ones((2, 28, 28)), [7, 7])

    def crash(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(ProfileError, match="No space left"):
        write_profile(new, path)
    assert read_profile(path).labels.tolist() == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["me.npz"]


def _foreign_files(folder: Path) -> dict[str, Path]:
    files = {
        "text.npz": b"not a zip at all",
        "empty.npz": b"",
    }
    paths = {}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    np.savez(folder / "other.npz", weights=np.zeros(3))
    paths["other.npz"] = folder / "other.npz"
    np.savez(
        folder / "pickled.npz", format=np.array("x"), inputs=np.array([object()], dtype=object)
    )
    paths["pickled.npz"] = folder / "pickled.npz"
    np.savez(
        folder / "bad_labels.npz",
        format=np.array("vision-agent handwriting profile 1"),
        inputs=np.zeros((2, 28, 28), np.uint8),
        labels=np.array([3, 42]),
    )
    paths["bad_labels.npz"] = folder / "bad_labels.npz"
    os.mkfifo(folder / "fifo.npz")
    paths["fifo.npz"] = folder / "fifo.npz"
    return paths


def test_damaged_or_foreign_files_are_refused_without_running_anything(tmp_path: Path):
    for name, path in _foreign_files(tmp_path).items():
        with pytest.raises(ProfileError) as refused:
            read_profile(path)
        assert path.name in str(refused.value), name


# --- recognition ------------------------------------------------------------------------------
def test_empty_profile_reads_exactly_like_the_general_model(real_digits, postal_recognizer):
    canvases = writer_codes(real_digits[:100])[0].canvases
    general = [postal_recognizer.recognize(c) for c in canvases]
    postal_recognizer.use_profile(np.zeros((0, 28, 28, 1)), np.zeros(0))
    again = [postal_recognizer.recognize(c) for c in canvases]
    for a, b in zip(general, again, strict=True):
        assert a.code == b.code
        assert [d.probabilities for d in a.digits] == [d.probabilities for d in b.digits]
        assert not any(d.by_profile for d in b.digits)


def test_teaching_a_misread_digit_fixes_a_similar_drawing(real_digits, postal_recognizer):
    digit = _misread(real_digits, postal_recognizer)
    inputs, _ = canvas_inputs(_canvas_with(digit))
    postal_recognizer.use_profile(inputs[:1, ..., None], np.array([digit.label]))
    similar = postal_recognizer.recognize(_canvas_with(digit, Placement(height=72, offset=(3, 2))))
    assert similar.digits[0].digit == digit.label and similar.digits[0].by_profile
    postal_recognizer.use_profile(np.zeros((0, 28, 28, 1)), np.zeros(0))


# --- the command line: written by one process, read by others -------------------------------
def test_cli_teach_read_forget_round_trip(
    real_digits, postal_recognizer, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("VISION_AGENT_DATA_DIR", str(tmp_path / "data"))
    digit = _misread(real_digits, postal_recognizer)
    write_image(tmp_path / "taught.png", _canvas_with(digit))
    write_image(tmp_path / "similar.png", _canvas_with(digit, Placement(72, offset=(3, 2))))
    taught = run_cli(
        "postal", "--profile", "me", "--teach", f"{digit.label}????", str(tmp_path / "taught.png")
    )
    assert taught.returncode == 0, taught.stderr
    assert f"box 1={digit.label}" in taught.stdout and "1 samples" in taught.stdout
    stored = read_profile(tmp_path / "data" / "profiles" / "me.npz")
    assert stored.labels.tolist() == [digit.label]

    read = run_cli("postal", "--profile", "me", str(tmp_path / "similar.png"), "--json")
    assert read.returncode == 0, read.stderr
    first = json.loads(read.stdout)["digits"][0]
    assert first["digit"] == digit.label and first["by_profile"] is True

    assert run_cli("postal", "--profile", "me", "--forget").returncode == 0
    again = json.loads(
        run_cli("postal", "--profile", "me", str(tmp_path / "similar.png"), "--json").stdout
    )
    assert again["digits"][0]["digit"] != digit.label and "by_profile" not in again["digits"][0]


def test_cli_refuses_a_damaged_profile_and_reads_with_the_general_model(
    tmp_path, monkeypatch, real_digits
):
    monkeypatch.setenv("VISION_AGENT_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "data" / "profiles").mkdir(parents=True)
    (tmp_path / "data" / "profiles" / "broken.npz").write_bytes(b"PK\x03\x04 truncated")
    write_image(tmp_path / "code.png", _canvas_with(real_digits[2]))  # a 9
    result = run_cli("postal", "--profile", "broken", str(tmp_path / "code.png"), "--json")
    assert result.returncode == 1
    assert "broken.npz is not a handwriting profile" in result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(result.stdout)["code"] == "9????"
    refused = run_cli(
        "postal", "--profile", "broken", "--teach", "9????", str(tmp_path / "code.png")
    )
    assert refused.returncode == 2 and "broken.npz" in refused.stderr
    assert (tmp_path / "data" / "profiles" / "broken.npz").read_bytes() == b"PK\x03\x04 truncated"


# --- the tab: real mouse clicks ---------------------------------------------------------------
def _click_menu_item(qtbot, menu, text: str) -> None:
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    action = next(a for a in menu.actions() if a.text() == text)
    qtbot.mouseClick(menu, Qt.LeftButton, pos=menu.actionGeometry(action).center())


def test_correcting_a_digit_with_the_mouse_changes_the_next_reading(
    qtbot, tab, real_digits, postal_recognizer
):
    digit = _misread(real_digits, postal_recognizer)
    tab.controls.live_check.setChecked(False)
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=15000)
    _draw_with_mouse(tab.canvas, 0, digit)
    tab.recognize()
    qtbot.waitUntil(lambda: tab.reading is not None, timeout=15000)
    assert tab.reading.digits[0].digit != digit.label
    before = len(tab.profile_panel.profile)

    button = tab.readout.box_buttons.button(0)
    qtbot.mouseClick(button, Qt.LeftButton)
    _click_menu_item(qtbot, tab.readout.correction_menu, str(digit.label))
    qtbot.waitUntil(
        lambda: tab.reading is not None and tab.reading.digits[0].by_profile, timeout=15000
    )
    assert len(tab.profile_panel.profile) == before + 1
    assert tab.reading.digits[0].digit == digit.label
    assert "✎" in button.text()
    assert f"{digit.label}×" in tab.profile_panel.counts_label.text()

    tab.erase()
    x, y, _, _ = box_rect(0)
    similar = render_digit(digit.strokes, Placement(height=72, offset=(3, 2)))
    canvas = blank_canvas()
    canvas[y : y + 100, x : x + 100] = similar
    tab.canvas.set_drawing(canvas)
    tab.recognize()
    qtbot.waitUntil(lambda: tab.reading is not None, timeout=15000)
    assert tab.reading.digits[0].digit == digit.label and tab.reading.digits[0].by_profile
    tab.profile_panel.wait_for_saves()
    saved = tab.profile_panel.store.load(tab.profile_panel.profile.name)
    assert saved.labels.tolist()[-1] == digit.label


def test_typing_the_whole_code_teaches_every_box(qtbot, tab, real_digits):
    tab.controls.live_check.setChecked(False)
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=15000)
    for index, digit in enumerate(real_digits[:3]):
        _draw_with_mouse(tab.canvas, index, digit)
    tab.recognize()
    qtbot.waitUntil(lambda: tab.reading is not None, timeout=15000)
    before = tab.profile_panel.profile.counts()
    qtbot.keyClicks(tab.profile_panel.code_edit, "889??")
    qtbot.mouseClick(tab.profile_panel.teach_button, Qt.LeftButton)
    after = tab.profile_panel.profile.counts()
    assert after[8] == before[8] + 2 and after[9] == before[9] + 1
    assert sum(after) == sum(before) + 3  # blank boxes are skipped
    assert tab.profile_panel.code_edit.text() == ""


def test_a_damaged_profile_is_refused_with_a_message_and_digits_are_still_read(
    qtbot, tab, monkeypatch, real_digits
):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    path = tab.profile_panel.store.path("damaged")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"garbage")
    tab.profile_panel.switch_to("damaged")
    assert warnings and "damaged.npz is not a handwriting profile" in warnings[0]
    assert len(tab.profile_panel.profile) == 0
    assert (path.parent / "damaged.damaged").read_bytes() == b"garbage"
    tab.controls.live_check.setChecked(False)
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=15000)
    _draw_with_mouse(tab.canvas, 0, real_digits[2])  # a 9
    tab.recognize()
    qtbot.waitUntil(lambda: tab.reading is not None, timeout=15000)
    assert tab.reading.digits[0].digit == 9
