"""The postal-code tab driven like a user: real mouse strokes, keys, buttons, files, language."""

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from PyQt5.QtCore import QEvent, QPoint, Qt
from PyQt5.QtGui import QMouseEvent
from PyQt5.QtWidgets import QApplication, QFileDialog, QMessageBox

from tests.drawings import DIGIT_STROKES
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
    tab.live_check.setChecked(False)
    qtbot.waitUntil(lambda: tab.service.state == "ready", timeout=10000)
    for index, char in enumerate(CODE):
        write_digit(tab.canvas, index, int(char))
    qtbot.wait(100)
    assert tab.reading is None  # nothing recognized until R
    qtbot.keyClick(tab.canvas, Qt.Key_R)
    wait_for_code(qtbot, tab, CODE)
    assert CODE in tab.code_label.text()
    assert "Gyeonggi-do" in tab.region_label.text()
    assert tab.box_buttons.button(0).text().startswith("1")
    assert tab.chart.values and abs(sum(tab.chart.values) - 1) < 1e-3


def test_recognize_button_and_live_recognition(qtbot, tab):
    write_digit(tab.canvas, 0, 7)  # live: recognized after the stroke
    qtbot.waitUntil(lambda: tab.reading is not None and tab.reading.code == "7????", timeout=15000)
    assert "blank" in tab.box_buttons.button(1).text()
    write_digit(tab.canvas, 1, 1)
    qtbot.mouseClick(tab.recognize_button, Qt.LeftButton)
    wait_for_code(qtbot, tab, "71???")


def test_undo_erase_and_model_inputs(qtbot, tab):
    write_digit(tab.canvas, 0, 1)
    write_digit(tab.canvas, 1, 0)
    wait_for_code(qtbot, tab, "10???")
    qtbot.keyClick(tab.canvas, Qt.Key_S)
    assert tab.inputs_panel.isVisible()
    previews = [view.pixmap().toImage() for view in tab.input_views]
    ink = [sum(p.pixelColor(x, y).value() for x in range(84) for y in range(84)) for p in previews]
    assert ink[0] > 0 and ink[1] > 0 and ink[2:] == [0, 0, 0]
    tab.undo_button.click()
    wait_for_code(qtbot, tab, "1????")
    assert tab.canvas.stroke_count() == 1
    qtbot.keyClick(tab.canvas, Qt.Key_E)
    assert not tab.canvas.has_ink() and tab.reading is None
    assert "-----" in tab.code_label.text()


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


def test_refused_model_keeps_the_previous_one(qtbot, tab, tmp_path, monkeypatch):
    from tests.model_files import keras_model_file

    qtbot.waitUntil(lambda: tab.service.state == "ready", timeout=10000)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    tab.load_model(keras_model_file(tmp_path / "five.keras", (28, 28, 1), 5))
    qtbot.waitUntil(lambda: bool(warnings), timeout=60000)
    assert "gives 5 outputs" in warnings[0]
    qtbot.waitUntil(lambda: tab.service.state == "ready", timeout=10000)
    assert tab.model_path.name == "digits_cnn.onnx"
    write_digit(tab.canvas, 0, 7)
    wait_for_code(qtbot, tab, "7????")


def test_file_menu_brings_back_the_shipped_model(qtbot, window, tmp_path):
    from PyQt5.QtWidgets import QMenu

    from tests.model_files import keras_model_file

    tab = window.postal_tab()
    tab.load_model(keras_model_file(tmp_path / "ten.keras", (28, 28, 1), 10))
    assert tab.model_path.name == "ten.keras"
    menu = QMenu()
    tab.fill_file_menu(menu)
    shipped = next(a for a in menu.actions() if a.text() == "Use the shipped digit model")
    shipped.trigger()
    assert tab.model_path.name == "digits_cnn.onnx"
    qtbot.waitUntil(lambda: tab.service.state == "ready", timeout=60000)
    write_digit(tab.canvas, 0, 7)
    wait_for_code(qtbot, tab, "7????")


def test_language_switch_is_immediate_and_persists(qtbot, window):
    tab = window.postal_tab()
    window.language_actions["ko"].trigger()  # View → Language → 한국어
    assert tab.recognize_button.text().startswith("인식")
    assert window.tabs.tabText(0) == "우편번호 인식"
    assert app_settings().value("language") == "ko"
    assert window.language_actions["ko"].isChecked()
    window.language_actions["en"].trigger()
    assert tab.recognize_button.text().startswith("Recognize")


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
    assert not tab.service.is_running()


def test_closing_while_a_keras_model_is_loading_joins_every_thread(qtbot, tab):
    from tests.model_files import SHIPPED_KERAS

    tab.load_model(Path(SHIPPED_KERAS))
    qtbot.wait(300)  # the child process is importing TensorFlow now
    tab.window().close()
    assert not tab.service._thread.isRunning()


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
