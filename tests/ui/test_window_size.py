"""The window opens at a size every tab fits, in either language, at the 9-point font of a Linux or
Windows desktop: showing a tab for the first time never makes the window wider or taller (on X it
jumped by 30-60 px on the face and My classes tabs, whose long model names, labels and plots
needed more than the window's first size). Qt's offscreen platform draws with a 12-point font by
default, so the tests set the desktop's."""

from __future__ import annotations

from itertools import pairwise

import pytest
from PyQt5.QtGui import QFont
from PyQt5.QtWidgets import QApplication

from vision_agent.i18n import set_language
from vision_agent.ui.main_window import FIRST_SIZE, TAB_KINDS, MainWindow
from vision_agent.ui.settings import app_settings


@pytest.fixture
def first_start(qtbot):
    """`open(language)`: the window as at a first start (no size remembered), shown at the
    desktop's 9-point font."""
    font = QApplication.font()
    opened: list[MainWindow] = []

    def open_window(language: str = "en") -> MainWindow:
        app_settings().remove("window/geometry")  # an earlier test's window may have saved one
        set_language(language)
        QApplication.setFont(QFont("DejaVu Sans", 9))
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        opened.append(window)
        return window

    yield open_window
    for window in opened:
        window.close()
    QApplication.setFont(font)
    set_language("en")


def show_tab(qtbot, window: MainWindow, index: int):
    tab = window.page(index, start=False)
    window.tabs.setCurrentIndex(index)
    QApplication.processEvents()
    qtbot.wait(50)  # the layouts settle: a tab wider than the window widens it here
    return tab


@pytest.mark.parametrize("language", ["en", "ko"])
def test_no_tab_makes_the_window_grow_from_its_first_size(qtbot, first_start, language):
    window = first_start(language)
    assert window.size() == FIRST_SIZE
    for index in range(len(TAB_KINDS)):
        show_tab(qtbot, window, index)
        assert window.size() == FIRST_SIZE, TAB_KINDS[index].class_name


def test_a_long_run_summary_scrolls_instead_of_covering_the_my_classes_curves(qtbot, first_start):
    """Seen on X after a run whose plain regression was kept: six wrapped lines of summary were
    drawn over the plots' axes."""
    window = first_start()
    index = next(i for i, kind in enumerate(TAB_KINDS) if kind.class_name == "OwnClassesTab")
    tab = show_tab(qtbot, window, index)
    tab.summary_label.setText("run 1 — validation accuracy 83.3 %, kept: plain LR. " * 8)
    QApplication.processEvents()
    qtbot.wait(50)
    holder = tab.summary_label
    while holder.parentWidget() is not tab.results_box:
        holder = holder.parentWidget()
    column = [tab.curves, holder, tab.pages, tab.try_button]  # pages: runs, wrong, tried
    rects = [w.rect().translated(w.mapTo(tab, w.rect().topLeft())) for w in column]
    for upper, lower in pairwise(rects):
        assert upper.bottom() < lower.top(), (upper, lower)
    assert tab.curves.height() >= tab.curves.minimumHeight()
