"""Keyboard shortcuts that say what they do (Help ▸ Keyboard shortcuts lists them)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import QShortcut, QWidget

# (key, what it does in English, slot): the description is shown through tr() by Help ▸ Keyboard
# shortcuts, so it needs a Korean entry like any tr() text (tests/test_i18n.py checks it).
ShortcutEntry = tuple[QKeySequence.StandardKey | str, str, Callable[[], object]]
DESCRIPTION_PROPERTY = "description"


def add_shortcuts(widget: QWidget, entries: Iterable[ShortcutEntry]) -> None:
    """One shortcut per (key, description, slot), active while the focus is inside `widget`
    (owned by it: the sheet finds them among its children)."""
    for key, description, slot in entries:
        shortcut = QShortcut(QKeySequence(key), widget, context=Qt.WidgetWithChildrenShortcut)
        shortcut.setProperty(DESCRIPTION_PROPERTY, description)
        shortcut.activated.connect(slot)
