"""Keyboard shortcuts that say what they do (Help ▸ Keyboard shortcuts lists them).

A tab's keys work wherever the keyboard focus is while the tab is the one shown: on any of its
controls, on the tab bar, or nowhere yet (right after launch, after a button hid itself). Only
controls that need a key for themselves keep it: text fields keep the letters they type, and a
focused button or drop-down list keeps Space and Enter (they press it, or open it). A mouse click
leaves the focus where it was: a tab's buttons, lists and sliders take the focus from the Tab key
only, so Space after clicking Start pauses (it would press Start again if the click had focused it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PyQt5.QtCore import QEvent, QObject, Qt
from PyQt5.QtGui import QKeyEvent, QKeySequence
from PyQt5.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QApplication,
    QComboBox,
    QShortcut,
    QWidget,
)

# (key, what it does in English, slot): the description is shown through tr() by Help ▸ Keyboard
# shortcuts, so it needs a Korean entry like any tr() text (tests/test_i18n.py checks it).
ShortcutEntry = tuple[QKeySequence.StandardKey | str, str, Callable[[], object]]
DESCRIPTION_PROPERTY = "description"
PRESS_KEYS = (Qt.Key_Space, Qt.Key_Return, Qt.Key_Enter)


def _focus_from_keyboard_only(widget: QWidget) -> None:
    """The controls in `widget` that a click would focus take the focus from the Tab key only."""
    for kind in (QAbstractButton, QComboBox, QAbstractSlider):
        for control in widget.findChildren(kind):
            if control.focusPolicy() == Qt.StrongFocus:
                control.setFocusPolicy(Qt.TabFocus)


class _ControlsKeepPressKeys(QObject):
    """Installed on a tab: Space and Enter go to its focused button or drop-down list; each time
    the tab is shown, its controls (also ones added since) take the focus from the keyboard only."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Show and isinstance(watched, QWidget):
            _focus_from_keyboard_only(watched)
        if (
            event.type() == QEvent.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in PRESS_KEYS
            and isinstance(QApplication.focusWidget(), QAbstractButton | QComboBox)
        ):
            event.accept()
            return True
        return False


def add_shortcuts(
    widget: QWidget,
    entries: Iterable[ShortcutEntry],
    context: Qt.ShortcutContext = Qt.WindowShortcut,
) -> None:
    """One shortcut per (key, description, slot), owned by `widget` (the sheet finds them among
    its children). By default active while `widget` is visible in the active window, wherever the
    focus is; `Qt.WidgetWithChildrenShortcut` keeps a key to the focus inside `widget`."""
    if widget.findChild(_ControlsKeepPressKeys) is None:
        widget.installEventFilter(_ControlsKeepPressKeys(widget))
    for key, description, slot in entries:
        shortcut = QShortcut(QKeySequence(key), widget, context=context)
        shortcut.setProperty(DESCRIPTION_PROPERTY, description)
        shortcut.activated.connect(slot)
