"""Hangul everywhere in the window: each system's Korean UI font stands behind the app's font.

Qt draws a character its font lacks with a substitute; naming the system's own Korean font as
that substitute (Malgun Gothic on Windows, Apple SD Gothic Neo on macOS, Nanum or Noto CJK on
Linux) keeps Korean text in the font Korean users see in their other programs, instead of the
first font the system's fallback happens to find (or empty boxes where it finds none).
"""

from __future__ import annotations

import sys

from PyQt5.QtGui import QFont, QFontDatabase

KOREAN_FONTS = {
    "win32": ("Malgun Gothic", "Gulim", "Dotum"),
    "darwin": ("Apple SD Gothic Neo", "AppleGothic"),
    "linux": ("NanumGothic", "Noto Sans CJK KR", "Noto Sans KR", "UnDotum", "Baekmuk Gulim"),
}


def korean_fonts(platform: str | None = None) -> tuple[str, ...]:
    """The Korean UI fonts of `platform` (default: this system), preferred first."""
    platform = platform or sys.platform
    return next((fonts for key, fonts in KOREAN_FONTS.items() if platform.startswith(key)), ())


def use_korean_fonts(font: QFont, platform: str | None = None) -> list[str]:
    """Put the installed Korean fonts of `platform` behind `font`'s family; the ones used."""
    installed = set(QFontDatabase().families())
    families = [family for family in korean_fonts(platform) if family in installed]
    if families:
        QFont.insertSubstitutions(font.family(), families)
    return families
