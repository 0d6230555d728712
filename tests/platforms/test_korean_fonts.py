"""Korean text in the window uses each system's Korean UI font: Malgun Gothic (Windows), Apple SD
Gothic Neo (macOS), Nanum Gothic or Noto CJK (Linux), put behind the app's font.

What only a run there shows: that the font is installed there and has Hangul (the build
workflow runs these tests on Windows and macOS; docs/packaging.md); here the Linux case runs for
real with the installed fonts."""

from __future__ import annotations

import sys

import pytest
from PyQt5.QtGui import QFont, QFontDatabase, QRawFont

from vision_agent.ui.fonts import korean_fonts, use_korean_fonts


@pytest.mark.parametrize(
    ("platform", "first"),
    [("win32", "Malgun Gothic"), ("darwin", "Apple SD Gothic Neo"), ("linux", "NanumGothic")],
)
def test_each_system_names_its_own_korean_font_first(platform, first):
    assert korean_fonts(platform)[0] == first


def test_fonts_that_are_not_installed_are_not_used(qapp):
    font = QFont("Vision Agent test family A")
    used = use_korean_fonts(font, "win32")
    assert [f for f in used if f not in QFontDatabase().families()] == []
    assert QFont.substitutes(font.family()) == [f.lower() for f in used]


def test_on_linux_an_installed_korean_font_draws_hangul(qapp):
    installed = [f for f in korean_fonts("linux") if f in QFontDatabase().families()]
    if not installed:
        pytest.skip("no Korean font installed (CI installs fonts-nanum)")
    font = QFont("Vision Agent test family B")
    assert use_korean_fonts(font, "linux") == installed
    assert QFont.substitutes(font.family()) == [f.lower() for f in installed]  # Qt folds case
    assert QRawFont.fromFont(QFont(installed[0])).supportsCharacter("우")


@pytest.mark.skipif(
    not sys.platform.startswith(("win32", "darwin")), reason="Windows and macOS ship these fonts"
)
def test_this_systems_korean_font_is_installed_and_has_hangul(qapp):
    first = korean_fonts()[0]
    assert first in QFontDatabase().families()
    assert QRawFont.fromFont(QFont(first)).supportsCharacter("우")
