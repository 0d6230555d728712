"""Every UI string passed to tr() has a Korean translation, and switching language works."""

import ast
from pathlib import Path

from vision_agent import i18n

PACKAGE = Path(__file__).resolve().parents[1] / "vision_agent"


def _tr_literals() -> list[str]:
    texts = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "tr"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                texts.append(node.args[0].value)
    return texts


def test_every_ui_string_has_a_korean_translation():
    texts = _tr_literals()
    assert len(texts) > 50
    assert i18n.missing_translations(texts, "ko") == []


def test_switching_language_changes_tr():
    try:
        i18n.set_language("ko")
        assert i18n.tr("Recognize") == "인식"
        i18n.set_language("en")
        assert i18n.tr("Recognize") == "Recognize"
        i18n.set_language("xx")
        assert i18n.language() == "en"
    finally:
        i18n.set_language("en")


def test_system_language_follows_the_locale(monkeypatch):
    for variable in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    assert i18n.system_language() == "ko"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert i18n.system_language() == "en"


def _shortcut_descriptions() -> list[str]:
    """The English descriptions given to `add_shortcuts` (shown through tr() in the Help sheet)."""
    texts = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "add_shortcuts":
                for entry in ast.walk(node.args[1]):
                    if isinstance(entry, ast.Tuple) and len(entry.elts) == 3:
                        description = entry.elts[1]
                        assert isinstance(description, ast.Constant), ast.unparse(entry)
                        texts.append(description.value)
    return texts


def test_every_shortcut_description_has_a_korean_translation():
    texts = _shortcut_descriptions()
    assert "Recognize the drawing" in texts
    assert i18n.missing_translations(texts, "ko") == []
