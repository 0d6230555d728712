"""Help (F1) on the postal tab explains what the student sees: reading is automatic, and the
marks ? _ ✗ ✎ and the orange "3 or 8?" are each said, in both languages."""

from __future__ import annotations

import pytest

from vision_agent.i18n import set_language
from vision_agent.ui.help_menu import how_to_text
from vision_agent.ui.tabs.postal_tab import PostalTab


@pytest.mark.parametrize("language", ["en", "ko"])
def test_postal_help_explains_the_marks_and_that_reading_is_automatic(qtbot, language):
    tab = PostalTab()
    qtbot.addWidget(tab)
    set_language(language)
    try:
        text = how_to_text(tab)
    finally:
        set_language("en")
        tab.shutdown()
    for mark in ("?", "_", "✗", "✎", "3"):
        assert mark in text
    assert "Press R (Recognize) to read them" not in text
    assert ("as you draw" in text) if language == "en" else ("그리는 대로 인식" in text)


def test_the_digit_model_is_named_for_students_not_engineers():
    from vision_agent.models.registry import get

    entry = get("digits_cnn")
    assert "ours" not in entry.name_en and "MNIST" not in entry.name_en  # it learned more
    assert "이 프로젝트" in entry.name_ko
