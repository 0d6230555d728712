"""Item 7: the postal tab's region line follows the UI language (no Korean in the English UI)."""

from __future__ import annotations

import re

import pytest

from vision_agent.checks.postal import draw_code
from vision_agent.i18n import set_language
from vision_agent.ui.tabs.postal_tab import PostalTab

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture
def tab(qtbot):
    set_language("en")
    widget = PostalTab()
    qtbot.addWidget(widget)
    widget.show()
    widget.start()
    qtbot.waitUntil(lambda: widget.controller.service.state == "ready", timeout=15_000)
    yield widget
    widget.shutdown()
    set_language("en")


def read(qtbot, tab: PostalTab, code: str) -> str:
    tab.canvas.set_drawing(draw_code(code))
    tab.recognize()
    qtbot.waitUntil(lambda: tab.reading is not None and tab.reading.code == code, timeout=15_000)
    return tab.readout.region_label.text()


@pytest.mark.parametrize(
    ("code", "english", "korean"),
    [
        ("10701", "Gyeonggi-do", "경기도"),
        (
            "70107",
            "70 is not a region's prefix (reserved, or the five northern provinces).",
            "이북5도",
        ),
    ],
)
def test_region_text_follows_the_ui_language(qtbot, tab, code, english, korean):
    text = read(qtbot, tab, code)
    assert text == english and not HANGUL.search(text)
    set_language("ko")
    tab.retranslate_ui()
    assert korean in tab.readout.region_label.text()
