"""Every tab puts its own file actions in the File menu, the first of them on Ctrl+O (as a user
of any desktop program expects: File ▸ Open… does what the tab opens)."""

from __future__ import annotations

from PyQt5.QtGui import QKeySequence

from tests.support.offline_window import every_tab_shown
from vision_agent.ui.main_window import TAB_KINDS


def test_every_tab_fills_the_file_menu_with_an_open_action_on_ctrl_o(qtbot):
    window = every_tab_shown(qtbot)
    missing = []
    for index in range(len(TAB_KINDS)):
        window.tabs.setCurrentIndex(index)
        actions = [a for a in window.file_menu.actions() if not a.isSeparator()]
        own = actions[:-1]  # the last is Quit, the window's own
        opens = [a for a in own if a.shortcut() == QKeySequence(QKeySequence.Open)]
        if not own or own[0] not in opens:
            missing.append(window.tabs.tabText(index))
    window.close()  # every tab's threads stopped
    assert missing == []
