"""Every UI string passed to tr() has a Korean translation, and switching language works."""

import ast
import re
from pathlib import Path

from vision_agent import i18n
from vision_agent.i18n import LANGUAGES

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


# Words that read the same in both languages: product, model and format names.
NEUTRAL_WORDS = re.compile(
    r"English|ImageNet|GoogLeNet|Grad-CAM|Keras|Caffe|TensorFlow|OpenCV|ONNX|MNIST|SSD|CNN|"
    r"res\d+|ResNet-?\d*|DenseNet\d*|MobileNetV?\d*|int8|uint8|fp16|fp32|[kM]B|ms|FPS|\S+\.\w{1,5}\b"
)


def is_language_neutral(text: str) -> bool:
    """No English word left once names, numbers and file names are taken out."""
    return re.search(r"[A-Za-z]{2,}", NEUTRAL_WORDS.sub("", text)) is None


def shown_texts(window) -> dict[tuple[str, str], str]:
    """Every text a user can see in the window: widgets of every tab (as if it were current),
    menus, tooltips, placeholders, tab captions, the status bar."""
    from PyQt5.QtWidgets import (
        QAbstractButton,
        QComboBox,
        QGroupBox,
        QLabel,
        QLineEdit,
        QMenu,
        QTabWidget,
        QTextEdit,
        QWidget,
    )

    pages = window.built_pages()
    texts: dict[tuple[str, str], str] = {}

    def path(obj) -> str:
        """Where the object sits in the window (menus rebuild their actions: no object ids)."""
        parent = obj.parent()
        if parent is None:
            return type(obj).__name__
        siblings = [c for c in parent.children() if type(c) is type(obj)]
        return f"{path(parent)}/{type(obj).__name__}[{siblings.index(obj)}]"

    def add(obj, what: str, text: str) -> None:
        if text and text.strip():
            texts[(path(obj), what)] = text

    def shown(widget: QWidget) -> bool:
        page = next((p for p in pages if p is widget or p.isAncestorOf(widget)), None)
        return widget.isVisibleTo(page if page is not None else window)

    add(window, "title", window.windowTitle())
    add(window, "status", window.statusBar().currentMessage())
    for widget in window.findChildren(QWidget):
        if isinstance(widget, QMenu):
            add(widget, "title", widget.title())
            for index, action in enumerate(widget.actions()):
                add(widget, f"action {index}", action.text())
                tip = action.toolTip()  # Qt makes one from the text when none is set
                if tip != action.text().replace("&", ""):
                    add(widget, f"action {index} tip", tip)
            continue
        if not shown(widget):
            continue
        add(widget, "tooltip", widget.toolTip())
        if isinstance(widget, (QLabel, QAbstractButton)):
            add(widget, "text", widget.text())
        elif isinstance(widget, QLineEdit):
            add(widget, "placeholder", widget.placeholderText())
        elif isinstance(widget, QTextEdit):
            add(widget, "text", widget.toPlainText())
            add(widget, "placeholder", widget.placeholderText())
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                add(widget, f"item {i}", widget.itemText(i))
        elif isinstance(widget, QGroupBox):
            add(widget, "title", widget.title())
        elif isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                add(widget, f"tab {i}", widget.tabText(i))
        placeholder = getattr(widget, "placeholder", None)  # ImageView's text on an empty view
        if callable(placeholder):
            add(widget, "placeholder", placeholder())
    return texts


def test_every_shown_text_switches_language_live(qtbot, tmp_path, monkeypatch):
    """Offline, with no downloadable model here (so the missing-model panels and the model
    store's messages show), every text of every tab changes when the language changes."""
    from tests.support.offline_window import no_models_here, offline_window
    from tests.support.settled import models_settled

    no_models_here(tmp_path, monkeypatch)
    i18n.set_language("en")
    window, _ = offline_window(qtbot)
    try:
        models_settled(qtbot, window)  # the model lines say their last word
        english = shown_texts(window)
        assert len(english) > 80  # every tab, its panels and the menus were read
        window.switch_language("ko")
        korean = shown_texts(window)
        # The language menu names each language in itself, on purpose.
        bilingual = {window.language_menu.title(), *LANGUAGES.values()}
        unchanged = sorted(
            {
                text
                for key, text in english.items()
                if korean.get(key) == text
                and text not in bilingual
                and not is_language_neutral(text)
            }
        )
        assert unchanged == [], "\n".join(unchanged)
        window.switch_language("en")
        assert shown_texts(window) == english
    finally:
        window.close()
        i18n.set_language("en")
