"""Keyboard-only use: a tab's keys work wherever the focus is inside it (after Tab navigation,
after a button that hides itself, right after launch, after a language switch), the control with
the focus shows a frame, the postal correction menu opens from the keyboard, and Q never throws
away a drawing without asking."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtGui import QImage
from PyQt5.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QToolButton,
)

from tests.support.paths import asset
from tests.support.questions import answer_the_question
from tests.ui.tabs.test_postal_tab import write_digit
from vision_agent.i18n import set_language
from vision_agent.ui.main_window import TAB_KINDS, MainWindow
from vision_agent.ui.settings import app_settings

TAB_INDEX = {kind.class_name: index for index, kind in enumerate(TAB_KINDS)}


def open_window(qtbot, tab: str) -> MainWindow:
    """The window as it opens at launch, with `tab` the remembered one; active, tabs started."""
    set_language("en")
    app_settings().setValue("window/tab", TAB_INDEX[tab])
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    window.start_tabs()
    return window


@pytest.fixture
def windows(qtbot):
    opened: list[MainWindow] = []

    def make(tab: str) -> MainWindow:
        opened.append(open_window(qtbot, tab))
        return opened[-1]

    yield make
    for window in opened:
        window.closed or window.close()
    set_language("en")
    app_settings().setValue("window/tab", 0)


def press(qtbot, window: MainWindow, key, modifier=Qt.NoModifier) -> None:
    """A key as the keyboard sends it: to the widget with the focus, else to the window."""
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)


def is_text_field(widget) -> bool:
    return isinstance(widget, QLineEdit | QAbstractSpinBox)


def test_ctrl_v_works_right_after_launch(qtbot, windows):
    window = windows("ClassifierTab")
    tab = window.current_page()
    QApplication.clipboard().clear()
    with qtbot.waitSignal(tab.sig_status_message, timeout=3000) as status:
        press(qtbot, window, Qt.Key_V, Qt.ControlModifier)
    assert status.args == ["The clipboard holds no image."]


def test_postal_keys_work_wherever_tab_navigation_puts_the_focus(qtbot, windows):
    window = windows("PostalTab")
    tab = window.postal_tab()
    visited = set()
    for _ in range(30):
        press(qtbot, window, Qt.Key_Tab)
        focus = QApplication.focusWidget()
        visited.add(type(focus).__name__)
        if is_text_field(focus):
            continue  # letters typed there are text
        shown = tab.inputs_strip.isVisible()
        press(qtbot, window, Qt.Key_S)
        assert tab.inputs_strip.isVisible() != shown, type(focus).__name__
    assert len(visited) > 4


@pytest.mark.parametrize("tab_name", ["PostalTab", "ClassifierTab"])
def test_a_tab_key_works_after_a_language_switch(qtbot, windows, tab_name):
    window = windows(tab_name)
    tab = window.current_page()
    for code in ("ko", "en"):
        window.language_actions[code].trigger()
        if tab_name == "PostalTab":
            shown = tab.inputs_strip.isVisible()
            press(qtbot, window, Qt.Key_S)
            assert tab.inputs_strip.isVisible() != shown
        else:
            QApplication.clipboard().clear()
            with qtbot.waitSignal(tab.sig_status_message, timeout=3000):
                press(qtbot, window, Qt.Key_V, Qt.ControlModifier)


def test_face_keys_work_after_play_again(qtbot, windows):
    asset("face_detector", "res10_300x300_ssd_iter_140000.caffemodel")
    from vision_agent.core.video_source import SourceSpec

    window = windows("FaceCamTab")
    tab = window.current_page()
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=30000)
    tab.open_source(SourceSpec.file(asset("photos", "video", "Megamind.avi"), fps=0))
    qtbot.waitUntil(lambda: tab.play_again_button.isVisible(), timeout=60000)
    with qtbot.waitSignal(tab.controller.sig_source_opened, timeout=10000):
        qtbot.mouseClick(tab.play_again_button, Qt.LeftButton)
    tab.controller.source = SourceSpec.file(asset("photos", "video", "Megamind.avi"), loop=True)
    tab.open_source(tab.controller.source)  # a looping video, so that pausing has time
    qtbot.waitUntil(lambda: tab.controller.shown is not None, timeout=15000)
    press(qtbot, window, Qt.Key_Space)
    assert tab.controller.is_paused()
    press(qtbot, window, Qt.Key_Escape)
    assert not tab.controller.is_running()


def test_space_pauses_after_a_mouse_click_on_start(qtbot, windows):
    """Start clicked with the mouse, then Space: the video pauses (the click left no button
    holding Space for itself, so Space did not press Start again and restart the video)."""
    asset("face_detector", "res10_300x300_ssd_iter_140000.caffemodel")
    from vision_agent.core.video_source import SourceSpec

    window = windows("FaceCamTab")
    tab = window.current_page()
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=30000)
    tab.source_bar.loop_check.setChecked(True)
    tab.open_source(SourceSpec.file(asset("photos", "video", "Megamind.avi"), loop=True))
    qtbot.waitUntil(lambda: tab.controller.shown is not None, timeout=15000)
    with qtbot.waitSignal(tab.controller.sig_source_opened, timeout=10000):
        qtbot.mouseClick(tab.source_bar.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: tab.controller.is_running(), timeout=10000)
    press(qtbot, window, Qt.Key_Space)
    assert tab.controller.is_paused()
    qtbot.mouseClick(tab.detector_bar.blur_check, Qt.LeftButton)
    press(qtbot, window, Qt.Key_Space)
    assert not tab.controller.is_paused()
    assert tab.detector_bar.blur_check.isChecked()


def pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format_RGB888)
    bits = image.constBits()
    bits.setsize(image.byteCount())
    rows = np.frombuffer(bits, np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


@pytest.mark.parametrize("kind", [QPushButton, QToolButton])
def test_the_control_with_the_focus_shows_a_frame(qtbot, windows, kind):
    window = windows("PostalTab")
    tab = window.postal_tab()
    button = next(b for b in tab.findChildren(kind) if b.isVisible() and b.isEnabled())
    before = pixels(button.grab().toImage())
    button.setFocus(Qt.TabFocusReason)
    qtbot.waitUntil(button.hasFocus, timeout=1000)
    after = pixels(button.grab().toImage())
    changed = (np.abs(after.astype(int) - before.astype(int)).sum(axis=2) > 60).mean()
    assert changed > 0.05  # a frame a student can see, not a one-pixel tint


def test_the_correction_menu_opens_from_the_keyboard(qtbot, windows):
    window = windows("PostalTab")
    tab = window.postal_tab()
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=10000)
    for index, char in enumerate("17101"):
        write_digit(tab.canvas, index, int(char))
    tab.recognize()
    qtbot.waitUntil(lambda: tab.reading is not None, timeout=15000)
    buttons = [tab.readout.box_buttons.button(i) for i in range(5)]
    for _ in range(40):
        press(qtbot, window, Qt.Key_Tab)
        if QApplication.focusWidget() is buttons[2]:
            break
    assert QApplication.focusWidget() is buttons[2]  # Tab reaches every box, not only one
    taught = []
    tab.readout.sig_corrected.connect(lambda box, label: taught.append((box, label)))
    menu = tab.readout.correction_menu
    press(qtbot, window, Qt.Key_Return)
    qtbot.waitUntil(menu.isVisible, timeout=3000)
    qtbot.keyClick(menu, Qt.Key_Down)  # past the "It was:" section: 0, then 1
    qtbot.keyClick(menu, Qt.Key_Down)
    qtbot.keyClick(menu, Qt.Key_Return)
    assert taught == [(2, 1)]


def test_q_asks_before_throwing_a_drawing_away(qtbot, windows):
    window = windows("PostalTab")
    tab = window.postal_tab()
    write_digit(tab.canvas, 0, 4)
    asked: list[str] = []
    answer_the_question(qtbot, QMessageBox.Cancel, asked)
    press(qtbot, window, Qt.Key_Q)  # returns once the question is answered and acted on
    assert len(asked) == 1
    assert window.isVisible() and tab.canvas.has_ink()
    window.activateWindow()  # what the window manager does when the question closes
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    answer_the_question(qtbot, QMessageBox.Discard, asked)
    press(qtbot, window, Qt.Key_Q)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert len(asked) == 2


def test_q_quits_at_once_when_the_drawing_is_saved(qtbot, windows, tmp_path, monkeypatch):
    window = windows("PostalTab")
    tab = window.postal_tab()
    write_digit(tab.canvas, 0, 4)
    target = tmp_path / "code.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    tab.save_drawing()
    assert target.exists()
    press(qtbot, window, Qt.Key_Q)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


def test_the_canvas_shows_when_it_has_the_focus(qtbot, windows):
    window = windows("PostalTab")
    canvas = window.postal_tab().canvas
    canvas.setFocus(Qt.TabFocusReason)
    qtbot.waitUntil(canvas.hasFocus, timeout=1000)
    focused = pixels(canvas.grab().toImage())
    window.postal_tab().controls.recognize_button.setFocus(Qt.TabFocusReason)
    qtbot.waitUntil(lambda: not canvas.hasFocus(), timeout=1000)
    unfocused = pixels(canvas.grab().toImage())
    border = np.ones(focused.shape[:2], bool)
    border[3:-3, 3:-3] = False
    changed = np.abs(focused.astype(int) - unfocused.astype(int)).sum(axis=2) > 60
    assert changed[border].mean() > 0.5 and not changed[~border].any()
