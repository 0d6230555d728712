"""Every file dialog goes through `ui/settings.ask_*`: it starts in the folder last used for its
kind of file and names the file types in the UI's language (a Korean user saw "Images (*.jpg …)",
"Videos and photos", "Handwriting profile" in otherwise Korean dialogs)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from PyQt5.QtWidgets import QFileDialog

from tests.support.paths import asset
from vision_agent.i18n import set_language, tr
from vision_agent.ui.settings import ask_folder, ask_open_paths, in_ui_language
from vision_agent.ui.widgets.photo_list import PhotoList

PACKAGE = Path(__file__).resolve().parents[2] / "vision_agent"
GATE = PACKAGE / "ui" / "settings.py"
# "Images (*.jpg …)", "Keras models (… saved_model.pb)": a file type's description and patterns
FILE_TYPE = re.compile(r"([A-Za-z][\w ,]*?) \((?:\*|saved_model|\{\})")
FORMAT_NAMES = {"PNG", "JPEG", "Keras"}  # names of formats, the same in every language


def _string_pieces(tree: ast.AST) -> list[str]:
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_no_file_dialog_is_opened_past_the_gate():
    opened_elsewhere = []
    for path in PACKAGE.rglob("*.py"):
        if path == GATE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "QFileDialog"
                and node.attr.startswith("get")
            ):
                opened_elsewhere.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.attr}")
    assert opened_elsewhere == []


def test_every_file_type_has_a_korean_name():
    descriptions = set()
    for path in PACKAGE.rglob("*.py"):
        for text in _string_pieces(ast.parse(path.read_text(encoding="utf-8"))):
            descriptions.update(FILE_TYPE.findall(text))
    assert {"Images", "Videos and photos", "Handwriting profile"} <= descriptions
    set_language("ko")
    try:
        untranslated = sorted(d for d in descriptions - FORMAT_NAMES if tr(d) == d)
    finally:
        set_language("en")
    assert untranslated == []


def test_the_filter_is_said_in_the_ui_language_and_keeps_its_patterns():
    set_language("ko")
    try:
        said = in_ui_language("Images (*.jpg *.png);;All files (*)")
    finally:
        set_language("en")
    assert said == f"{tr_ko('Images')} (*.jpg *.png);;{tr_ko('All files')} (*)"
    assert "Images" not in said
    assert in_ui_language("PNG (*.png)") == "PNG (*.png)"


def tr_ko(text: str) -> str:
    set_language("ko")
    try:
        return tr(text)
    finally:
        set_language("en")


def test_open_photos_shows_korean_types_and_starts_where_the_last_photos_were(qtbot, monkeypatch):
    photos = PhotoList("classifier")
    qtbot.addWidget(photos)
    seen: list[tuple[str, str]] = []
    photo = asset("photos", "objects", "banana_jetson_banana_0.jpg")

    def dialog(parent, title, folder, file_filter):
        seen.append((folder, file_filter))
        return [str(photo)], file_filter

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(dialog))
    set_language("ko")
    try:
        photos.choose_photos()
        photos.choose_photos()
    finally:
        set_language("en")
    assert seen[0][1].startswith(tr_ko("Images") + " (*.jpg")
    assert seen[1][0] == str(photo.parent)


def test_a_chosen_folder_is_where_the_next_folder_dialog_starts(qtbot, monkeypatch, tmp_path):
    starts: list[str] = []

    def dialog(parent, title, start):
        starts.append(start)
        return str(tmp_path)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(dialog))
    assert ask_folder(None, "x", "own_classes_photos") == tmp_path
    assert ask_folder(None, "x", "own_classes_photos") == tmp_path
    assert starts[1] == str(tmp_path)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", staticmethod(lambda *a: ([], ""))
    )  # cancelled: nothing chosen, nothing remembered
    assert ask_open_paths(None, "x", "own_classes_photos", "Images (*.jpg)") == []
