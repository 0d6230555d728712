"""The postal-code tab driven like a user: real mouse strokes, keys, buttons, files, language."""

import re
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from PyQt5.QtCore import QEvent, QPoint, Qt
from PyQt5.QtGui import QMouseEvent
from PyQt5.QtWidgets import QApplication, QFileDialog, QMessageBox

from tests.support.drawings import DIGIT_STROKES
from tests.support.paths import REPO_ROOT
from tests.support.settled import all_answered
from tests.support.told_once import places_saying
from vision_agent.core.postal import box_rect
from vision_agent.i18n import set_language
from vision_agent.ui.main_window import MainWindow
from vision_agent.ui.settings import app_settings

CODE = "17101"  # 경기도


def _send(widget, kind, point, button, buttons):
    QApplication.sendEvent(widget, QMouseEvent(kind, point, button, buttons, Qt.NoModifier))


def drag(canvas, points: list[tuple[float, float]]) -> None:
    """A real mouse stroke: press, moves with the left button held, release."""
    pixels = [QPoint(round(x), round(y)) for x, y in points]
    _send(canvas, QEvent.MouseButtonPress, pixels[0], Qt.LeftButton, Qt.LeftButton)
    for point in pixels[1:]:
        _send(canvas, QEvent.MouseMove, point, Qt.NoButton, Qt.LeftButton)
    _send(canvas, QEvent.MouseButtonRelease, pixels[-1], Qt.LeftButton, Qt.NoButton)


def write_digit(canvas, index: int, digit: int) -> None:
    x, y, _, _ = box_rect(index)
    for stroke in DIGIT_STROKES[digit][0]:
        dense = []
        for (x0, y0), (x1, y1) in pairwise(stroke):
            dense += [(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) for t in np.linspace(0, 1, 6)]
        drag(canvas, [(x + 25 + px * 50, y + 12 + py * 76) for px, py in dense])


@pytest.fixture
def window(qtbot):
    set_language("en")
    window = MainWindow()
    qtbot.addWidget(window)
    window.tabs.setCurrentWidget(window.postal_tab())  # other tests may have saved another tab
    window.show()
    window.activateWindow()  # key shortcuts only reach the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    window.start_tabs()
    yield window
    window.close()
    set_language("en")


@pytest.fixture
def tab(window):
    return window.postal_tab()


def wait_for_code(qtbot, tab, code: str) -> None:
    qtbot.waitUntil(lambda: tab.reading is not None and tab.reading.code == code, timeout=15000)


def test_drawn_code_is_recognized_with_the_R_key(qtbot, tab):
    tab.controls.live_check.setChecked(False)
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=10000)
    for index, char in enumerate(CODE):
        write_digit(tab.canvas, index, int(char))
    all_answered(qtbot, tab.controller.service)  # a reading asked for would be here now
    assert tab.reading is None  # nothing recognized until R
    qtbot.keyClick(tab.canvas, Qt.Key_R)
    wait_for_code(qtbot, tab, CODE)
    assert CODE in tab.readout.code_label.text()
    assert "Gyeonggi-do" in tab.readout.region_label.text()
    assert tab.readout.box_buttons.button(0).text().startswith("1")
    assert tab.chart.bars.values and abs(sum(tab.chart.bars.values) - 1) < 1e-3


def test_recognize_button_and_live_recognition(qtbot, tab):
    write_digit(tab.canvas, 0, 7)  # live: recognized after the stroke
    qtbot.waitUntil(lambda: tab.reading is not None and tab.reading.code == "7????", timeout=15000)
    assert "blank" in tab.readout.box_buttons.button(1).text()
    write_digit(tab.canvas, 1, 1)
    qtbot.mouseClick(tab.controls.recognize_button, Qt.LeftButton)
    wait_for_code(qtbot, tab, "71???")


def test_undo_erase_and_model_inputs(qtbot, tab):
    write_digit(tab.canvas, 0, 1)
    write_digit(tab.canvas, 1, 0)
    wait_for_code(qtbot, tab, "10???")
    qtbot.keyClick(tab.canvas, Qt.Key_S)
    assert tab.inputs_strip.isVisible()
    previews = [view.pixmap().toImage() for view in tab.inputs_strip.views]
    ink = [sum(p.pixelColor(x, y).value() for x in range(84) for y in range(84)) for p in previews]
    assert ink[0] > 0 and ink[1] > 0 and ink[2:] == [0, 0, 0]
    tab.controls.undo_button.click()
    wait_for_code(qtbot, tab, "1????")
    assert tab.canvas.stroke_count() == 1
    qtbot.keyClick(tab.canvas, Qt.Key_E)
    assert not tab.canvas.has_ink() and tab.reading is None
    assert "-----" in tab.readout.code_label.text()


def test_save_then_open_drawing_and_read_it_on_the_command_line(qtbot, tab, tmp_path, monkeypatch):
    for index, char in enumerate(CODE):
        write_digit(tab.canvas, index, int(char))
    wait_for_code(qtbot, tab, CODE)
    target = tmp_path / "우편번호 그림.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    tab.save_drawing()
    assert target.is_file()
    tab.erase()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(target), ""))
    tab.open_drawing()
    wait_for_code(qtbot, tab, CODE)
    assert app_settings().value("folders/drawings") == str(tmp_path)

    from vision_agent.cli import build_parser
    from vision_agent.commands.postal import run

    args = build_parser().parse_args(["postal", str(target)])
    assert run(args) == 0


def test_unreadable_drawing_gives_a_message_and_keeps_the_work(qtbot, tab, tmp_path, monkeypatch):
    write_digit(tab.canvas, 0, 1)
    wait_for_code(qtbot, tab, "1????")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    assert not tab.load_drawing(broken)
    assert warnings and "broken.png" in warnings[0]
    assert tab.canvas.stroke_count() == 1


def test_refused_model_keeps_the_previous_one(qtbot, tab, tmp_path):
    from tests.support.model_files import keras_model_file

    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=10000)
    tab.controller.load_model(keras_model_file(tmp_path / "five.keras", (28, 28, 1), 5))
    panel = tab.model_status.panel
    qtbot.waitUntil(lambda: panel.isVisibleTo(tab), timeout=60000)
    assert "gives 5 outputs" in panel.text() and "Still using digits_cnn.onnx." in panel.text()
    assert not panel.download_button.isVisibleTo(tab)  # a user's file: nothing to download
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=10000)
    assert tab.model_status.line.text() == "Model: digits_cnn.onnx"  # said once, in the panel
    panel.dismiss_button.click()
    assert not panel.isVisibleTo(tab) and tab.controller.slot.refusal is None
    assert tab.controller.model_path.name == "digits_cnn.onnx"
    write_digit(tab.canvas, 0, 7)
    wait_for_code(qtbot, tab, "7????")


def test_file_menu_brings_back_the_shipped_model(qtbot, window, tmp_path):
    from PyQt5.QtWidgets import QMenu

    from tests.support.model_files import keras_model_file

    tab = window.postal_tab()
    tab.controller.load_model(keras_model_file(tmp_path / "ten.keras", (28, 28, 1), 10))
    assert tab.controller.model_path.name == "ten.keras"
    menu = QMenu()
    tab.fill_file_menu(menu)
    shipped = next(a for a in menu.actions() if a.text() == "Use the shipped digit model")
    shipped.trigger()
    assert tab.controller.model_path.name == "digits_cnn.onnx"
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=60000)
    write_digit(tab.canvas, 0, 7)
    wait_for_code(qtbot, tab, "7????")


def test_language_switch_is_immediate_and_persists(qtbot, window):
    tab = window.postal_tab()
    window.language_actions["ko"].trigger()  # View → Language → 한국어
    assert tab.controls.recognize_button.text().startswith("인식")
    assert window.tabs.tabText(0) == "우편번호 인식"
    assert app_settings().value("language") == "ko"
    assert window.language_actions["ko"].isChecked()
    window.language_actions["en"].trigger()
    assert tab.controls.recognize_button.text().startswith("Recognize")


def test_geometry_is_remembered(qtbot):
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.resize(1234, 777)
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (1234, 777)
    second.close()


def test_q_key_closes_the_window(qtbot, window):
    tab = window.postal_tab()
    qtbot.keyClick(tab.canvas, Qt.Key_Q)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert not tab.controller.service.is_running()


def test_closing_while_a_keras_model_is_loading_joins_every_thread(qtbot, tab):
    from tests.support.model_files import SHIPPED_KERAS

    keras = Path(SHIPPED_KERAS)
    state = tab.controller.service.sig_state_changed
    loading = lambda *args: args == ("loading", keras.name)  # noqa: E731
    with qtbot.waitSignal(state, timeout=10000, check_params_cb=loading):
        tab.controller.load_model(keras)  # its child process starts TensorFlow now
    tab.window().close()
    assert not tab.controller.service._thread.isRunning()


def test_status_bar_shows_the_current_tab_only(qtbot, window):
    postal = window.postal_tab()
    other = next(page for page in window.tab_pages if page is not postal)
    window.tabs.setCurrentWidget(postal)
    other.sig_status_message.emit("from the other tab")
    assert window.statusBar().currentMessage() != "from the other tab"
    postal.sig_status_message.emit("from the postal tab")
    assert window.statusBar().currentMessage() == "from the postal tab"
    window.tabs.setCurrentWidget(other)
    assert window.statusBar().currentMessage() == "from the other tab"


# --- issue 15, item 6 ---------------------------------------------------------------------------
def strip_ink(tab) -> list[int]:
    """How much ink each of the five 28×28 input previews shows."""
    images = [view.pixmap().toImage() for view in tab.inputs_strip.views]
    return [
        sum(im.pixelColor(x, y).value() for x in range(0, 84, 3) for y in range(0, 84, 3))
        for im in images
    ]


def test_opening_a_drawing_fills_the_inputs_strip_at_once(
    qtbot, window, tab, tmp_path, monkeypatch
):
    write_digit(tab.canvas, 0, 1)
    write_digit(tab.canvas, 1, 0)
    wait_for_code(qtbot, tab, "10???")
    target = tmp_path / "code.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    tab.save_drawing()
    qtbot.keyClick(tab.canvas, Qt.Key_E)
    qtbot.keyClick(tab.canvas, Qt.Key_S)  # the strip is on, and black
    assert tab.inputs_strip.isVisible() and strip_ink(tab) == [0] * 5
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(target), ""))
    open_action = next(a for a in window.file_menu.actions() if a.text() == "Open drawing…")
    open_action.trigger()
    ink = strip_ink(tab)  # at once: no S, no waiting for the model
    assert ink[0] > 0 and ink[1] > 0 and ink[2:] == [0, 0, 0]
    wait_for_code(qtbot, tab, "10???")


def test_redo_brings_back_what_undo_took(qtbot, tab):
    write_digit(tab.canvas, 0, 1)
    write_digit(tab.canvas, 1, 0)
    wait_for_code(qtbot, tab, "10???")
    qtbot.keyClick(tab.canvas, Qt.Key_Z, Qt.ControlModifier)
    wait_for_code(qtbot, tab, "1????")
    qtbot.keyClick(tab.canvas, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    wait_for_code(qtbot, tab, "10???")
    qtbot.keyClick(tab.canvas, Qt.Key_Z, Qt.ControlModifier)
    wait_for_code(qtbot, tab, "1????")
    qtbot.keyClick(tab.canvas, Qt.Key_Y, Qt.ControlModifier)
    wait_for_code(qtbot, tab, "10???")
    tab.controls.undo_button.click()
    wait_for_code(qtbot, tab, "1????")
    assert tab.controls.redo_button.isEnabled()
    qtbot.mouseClick(tab.controls.redo_button, Qt.LeftButton)
    wait_for_code(qtbot, tab, "10???")
    assert not tab.controls.redo_button.isEnabled()
    tab.controls.undo_button.click()
    write_digit(tab.canvas, 1, 7)  # a new stroke: what was undone is gone for good
    wait_for_code(qtbot, tab, "17???")
    assert not tab.controls.redo_button.isEnabled()
    qtbot.keyClick(tab.canvas, Qt.Key_Y, Qt.ControlModifier)
    assert tab.canvas.stroke_count() == 2


def test_erase_can_be_undone(qtbot, tab):
    write_digit(tab.canvas, 0, 7)
    wait_for_code(qtbot, tab, "7????")
    qtbot.keyClick(tab.canvas, Qt.Key_E)
    assert not tab.canvas.has_ink()
    qtbot.keyClick(tab.canvas, Qt.Key_Z, Qt.ControlModifier)
    wait_for_code(qtbot, tab, "7????")
    qtbot.keyClick(tab.canvas, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert not tab.canvas.has_ink() and tab.reading is None


def test_status_line_forgets_the_code_after_erase_and_after_undoing_everything(qtbot, window, tab):
    status = window.statusBar()
    write_digit(tab.canvas, 0, 2)
    wait_for_code(qtbot, tab, "2????")
    qtbot.waitUntil(lambda: "2____" in status.currentMessage(), timeout=5000)
    qtbot.keyClick(tab.canvas, Qt.Key_E)
    assert "2____" not in status.currentMessage()
    all_answered(qtbot, tab.controller.service)  # nothing late brings it back
    assert "2____" not in status.currentMessage() and "-----" in tab.readout.code_label.text()
    write_digit(tab.canvas, 0, 2)
    qtbot.waitUntil(lambda: "2____" in status.currentMessage(), timeout=15000)
    while tab.canvas.has_ink():
        qtbot.keyClick(tab.canvas, Qt.Key_Z, Qt.ControlModifier)
    assert "2____" not in status.currentMessage()
    all_answered(qtbot, tab.controller.service)
    assert "2____" not in status.currentMessage() and tab.reading is None


def chart_is_whole(chart) -> bool:
    """Every digit's bar and tick label lies inside the chart's viewport."""
    viewport = chart.viewport().rect()
    view_box = chart.getPlotItem().getViewBox()
    from PyQt5.QtCore import QPointF

    for digit in range(10):
        for value in (0.0, 1.0):
            point = chart.mapFromScene(view_box.mapViewToScene(QPointF(digit, value)))
            if not viewport.contains(point):
                return False
    axis = chart.getAxis("bottom")
    return viewport.contains(chart.mapFromScene(axis.sceneBoundingRect()).boundingRect())


@pytest.mark.parametrize("code", ["en", "ko"])
def test_chart_is_whole_at_the_window_minimum_size(qtbot, window, tab, code):
    window.switch_language(code)
    window.resize(1, 1)  # the smallest the window allows
    qtbot.waitUntil(lambda: window.width() < 1100, timeout=5000)
    qtbot.wait(100)
    assert chart_is_whole(tab.chart.bars)  # before any drawing: the hint in the title
    for index, char in enumerate("17101"):
        write_digit(tab.canvas, index, int(char))
    wait_for_code(qtbot, tab, "17101")
    qtbot.mouseClick(tab.readout.box_buttons.button(2), Qt.LeftButton)
    qtbot.wait(100)
    assert tab.chart.bars.isVisible() and chart_is_whole(tab.chart.bars)
    title = chart_title(tab)
    assert title.isVisible() and title.text().startswith("Box 3" if code == "en" else "3번 칸")
    assert title.heightForWidth(title.width()) <= title.height()  # every line of it shows


def chart_title(tab):
    return tab.chart.title


def test_a_drawing_opened_before_the_model_starts_is_read(qtbot, tmp_path):
    """`vision-agent gui drawing.png` opens the drawing before the tabs load their models."""
    from tests.controllers.test_postal_controller import ones
    from vision_agent.core.imageio import write_image

    set_language("en")
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    tab = window.postal_tab()
    path = tmp_path / "code.png"
    write_image(path, ones(2))
    assert tab.load_drawing(path)
    window.start_tabs()
    wait_for_code(qtbot, tab, "11???")
    window.close()


def test_status_and_model_line_follow_a_live_language_switch(qtbot, window, tab):
    status = window.statusBar()
    write_digit(tab.canvas, 0, 7)
    wait_for_code(qtbot, tab, "7????")
    qtbot.waitUntil(lambda: status.currentMessage().startswith("Recognized 7____"), timeout=5000)
    window.switch_language("ko")
    assert status.currentMessage().startswith("7____ 인식")
    assert tab.model_status.line.text() == "모델: digits_cnn.onnx"
    assert tab.profile_panel.combo.currentText() == "기본"  # the default profile's name
    window.switch_language("en")
    assert status.currentMessage().startswith("Recognized 7____")
    assert tab.model_status.line.text() == "Model: digits_cnn.onnx"
    assert tab.profile_panel.combo.currentText() == "default"


def test_profiles_are_chosen_from_the_list_by_their_shown_names(qtbot, tmp_path):
    from vision_agent.core.handwriting_profile import HandwritingProfile, ProfileStore
    from vision_agent.ui.widgets.profile_panel import ProfilePanel

    set_language("ko")
    store = ProfileStore(tmp_path)
    store.save(HandwritingProfile("민지"))
    panel = ProfilePanel(store=store)
    qtbot.addWidget(panel)
    panel.switch_to("민지")
    combo = panel.combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["기본", "민지"]
    qtbot.keyClick(combo, Qt.Key_Up)  # the user picks the default profile, shown as 기본
    assert panel.profile.name == "default" and combo.currentText() == "기본"
    qtbot.keyClick(combo, Qt.Key_Down)
    assert panel.profile.name == "민지"
    qtbot.keyClick(combo, Qt.Key_Up)  # the default again, for the tests after this one
    set_language("en")


def test_opening_the_saved_profile_again_writes_no_settings(qtbot, tmp_path):
    """The tab's start opens the profile chosen last time: the settings file is not written again
    (a write locks and replaces the file, on the GUI thread)."""
    from vision_agent.core.handwriting_profile import HandwritingProfile, ProfileStore
    from vision_agent.ui.settings import app_settings
    from vision_agent.ui.widgets.profile_panel import ProfilePanel

    store = ProfileStore(tmp_path)
    store.save(HandwritingProfile("mine"))
    panel = ProfilePanel(store=store)
    qtbot.addWidget(panel)
    panel.switch_to("mine")
    path = Path(app_settings().path)
    before = (path.stat().st_ino, path.stat().st_mtime_ns)
    panel.open_saved_choice()
    assert panel.profile.name == "mine"
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == before
    panel.switch_to("default")


# --- what the canvas says about ink it cannot read well (issue 21, item 5) -------------------
SHORT_BAR_SEVEN = [(0.3, 0.05), (0.6, 0.05), (0.55, 0.95)]  # "7 or 1?": a 7 with a short bar


def write_at(canvas, left: float, top: float, strokes) -> None:
    """Write strokes (unit-box points, as DIGIT_STROKES) in a 50×76 frame at (left, top)."""
    for stroke in strokes:
        dense = []
        for (x0, y0), (x1, y1) in pairwise(stroke):
            dense += [(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) for t in np.linspace(0, 1, 6)]
        drag(canvas, [(left + px * 50, top + py * 76) for px, py in dense])


def code_line(tab) -> str:
    """The code as the code line shows it (its rich text without the markup)."""
    text = re.sub("<[^>]+>", "", tab.readout.code_label.text())
    return "".join(c for c in text.split(":")[-1] if c in "0123456789?_✗")


def test_a_digit_across_a_box_edge_is_unsure_and_warned(qtbot, window, tab):
    x, y, w, _ = box_rect(0)
    write_at(tab.canvas, x + w - 25, y + 12, DIGIT_STROKES[7][0])  # half in box 1, half in 2
    qtbot.waitUntil(lambda: tab.reading is not None, timeout=15000)
    reading = tab.reading
    assert reading.crossing_boxes == (0, 1)
    assert all(reading.digits[i].status.value in ("unsure", "not_digit") for i in (0, 1))
    assert code_line(tab)[:2] != "77" and code_line(tab) == reading.marked_code
    warning = tab.readout.warning_label.text()
    assert "crosses a box's edge (box 1, 2)" in warning and tab.readout.warning_label.isVisible()
    qtbot.waitUntil(lambda: "Recognized" in window.statusBar().currentMessage(), timeout=5000)
    assert places_saying(tab, warning, [window.statusBar().currentMessage()]) == ["QLabel"]


def test_ink_outside_the_boxes_is_warned_and_ink_inside_is_not(qtbot, window, tab):
    write_digit(tab.canvas, 0, 1)
    wait_for_code(qtbot, tab, "1????")
    assert not tab.reading.ink_outside and not tab.readout.warning_label.text()
    x, y, _, _ = box_rect(2)
    drag(tab.canvas, [(x + 20 + 4 * k, y - 30) for k in range(15)])  # a dash above box 3
    qtbot.waitUntil(lambda: tab.reading is not None and tab.reading.ink_outside, timeout=15000)
    assert tab.reading.code == "1????" and tab.reading.digits[0].status.value == "ok"
    assert tab.readout.warning_label.text() == "Ink outside the five boxes is not read."
    qtbot.waitUntil(lambda: "Recognized" in window.statusBar().currentMessage(), timeout=5000)
    said = places_saying(tab, "outside the five boxes", [window.statusBar().currentMessage()])
    assert said == ["QLabel"]  # told once, under the code


def test_status_bar_and_region_line_follow_the_code_line(qtbot, window, tab):
    x, y, _, _ = box_rect(0)
    write_at(tab.canvas, x + 25, y + 12, [SHORT_BAR_SEVEN])
    for index, char in enumerate("0101", start=1):
        write_digit(tab.canvas, index, int(char))
    qtbot.waitUntil(
        lambda: tab.reading is not None and tab.reading.code[1:] == "0101", timeout=15000
    )
    assert tab.reading.digits[0].unsure  # "7 or 1?": the drawing is meant to be in doubt
    shown = code_line(tab)
    assert shown == "?0101"
    status = window.statusBar()
    qtbot.waitUntil(lambda: "Recognized ?0101" in status.currentMessage(), timeout=5000)
    region = tab.readout.region_label.text()
    assert region == "The region waits for the unsure first two digits: check them."
    assert tab.reading.region is None


def test_real_mail_written_with_the_mouse_is_read(qtbot, tab):
    """Five USPS ZIP-code digits of a fold no model trained on, written into the boxes with the
    mouse (each row of ink one stroke, 64 px tall as the issue's check draws them), then R."""
    from vision_agent.training.usps import KEPT_OUT_FOLDS, read_usps, usps_folds

    usps = REPO_ROOT.parent / "shared" / "datasets" / "usps" / "zip.train.gz"
    if not usps.is_file():
        pytest.skip(f"USPS digits not available: {usps}")
    frames, labels = read_usps(usps)
    picked = np.flatnonzero(usps_folds(len(labels)) == KEPT_OUT_FOLDS[-1])[:5]
    tab.controls.live_check.setChecked(False)
    tab.controls.pen_spin.setValue(5)
    for index, k in enumerate(picked):
        x, y, _, _ = box_rect(index)
        for row, values in enumerate(frames[k] >= 128):
            columns = np.flatnonzero(values)
            runs = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
            for run in (r for r in runs if len(r)):
                top = y + 18 + 4 * row + 2
                drag(tab.canvas, [(x + 18 + 4 * c + 2, top) for c in range(run[0], run[-1] + 1)])
    code = "".join(str(labels[k]) for k in picked)
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=15000)
    qtbot.keyClick(tab.canvas, Qt.Key_R)
    wait_for_code(qtbot, tab, code)
    assert code_line(tab) == tab.reading.marked_code
