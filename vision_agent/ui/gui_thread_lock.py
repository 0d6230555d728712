"""The GUI thread's turn at Python's interpreter lock.

Qt's event loop runs without the lock and takes it again for every Python handler it calls: each
event, each slot, each reimplemented method of a widget being painted (pyqtgraph paints its items
in Python, one call each). While another thread runs Python (the start-up imports, a model
service between passes, a training run's bookkeeping), each of those calls waits until that
thread gives the lock up, which it does every `sys.getswitchinterval()` seconds: 5 ms by default,
so a repaint of the postal tab that takes 1.8 ms alone took 74-79 ms beside a thread running
Python (`python bench/gui_lock.py`). The window's process switches every 0.5 ms instead.
"""

from __future__ import annotations

import sys

SWITCH_INTERVAL_S = 0.0005


def give_the_gui_thread_its_turn() -> None:
    """Let another thread hold the lock at most `SWITCH_INTERVAL_S` while the GUI thread waits."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
