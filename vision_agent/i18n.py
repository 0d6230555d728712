"""UI text in English (the source strings) and Korean.

Every user-visible string is written in English and passed through `tr`. Korean translations live
in `resources/i18n/ko*.json` files ({"English": "한국어"}), one per feature. Qt-free: the window
calls `set_language` and then asks its widgets to re-read their text.
"""

from __future__ import annotations

import locale
import os
import re
from collections.abc import Sequence

from vision_agent.core.user_files import read_user_json
from vision_agent.paths import resource

LANGUAGES = {"en": "English", "ko": "한국어"}
CATALOG_MAX_BYTES = 4 << 20
_state = {"language": "en"}
_catalogs: dict[str, dict[str, str]] = {}


def system_language() -> str:
    """'ko' when the system locale is Korean, else 'en'."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(variable)
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    code = locale.getlocale()[0] or ""
    return "ko" if code.lower().startswith("ko") else "en"


def set_language(language: str) -> None:
    _state["language"] = language if language in LANGUAGES else "en"


def language() -> str:
    return _state["language"]


def tr(text: str) -> str:
    """The current language's version of an English UI string (itself if untranslated)."""
    lang = _state["language"]
    if lang == "en":
        return text
    return _catalog(lang).get(text, text)


def tr_template(text: str, templates: Sequence[str]) -> str:
    """`text` made from one of `templates` (English, "{name}" standing for any text) said in the
    UI's language with the same values; unknown texts are kept as they are."""
    for template in templates:
        if match := re.fullmatch(_template_pattern(template) + r"\.?", text, re.DOTALL):
            return tr(template).format(**match.groupdict())
    return text


def _template_pattern(template: str) -> str:
    """A regular expression for the texts made from `template`; a name used twice ("load
    '{file}' … open '{file}'") stands for the same text both times."""
    seen: set[str] = set()

    def group(match: re.Match) -> str:
        name = match[1]
        if name in seen:
            return f"(?P={name})"
        seen.add(name)
        return f"(?P<{name}>.+?)"

    escaped = re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
    return re.sub(r"{(\w+)}", group, escaped)


def _catalog(lang: str) -> dict[str, str]:
    if lang not in _catalogs:
        merged: dict[str, str] = {}
        folder = resource("i18n")
        for path in sorted(folder.glob(f"{lang}*.json")):
            merged.update(read_user_json(path, "a message catalog", CATALOG_MAX_BYTES))
        _catalogs[lang] = merged
    return _catalogs[lang]


def missing_translations(texts: list[str], lang: str = "ko") -> list[str]:
    """Which of `texts` have no translation (for tests that keep the catalogs complete)."""
    catalog = _catalog(lang)
    return [t for t in texts if t not in catalog]
