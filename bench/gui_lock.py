"""How long the GUI thread waits for the interpreter lock while another thread runs Python.

Qt's event loop runs without Python's lock and takes it again for every Python handler it calls
(each event, slot, and reimplemented method of a widget being painted: pyqtgraph paints its items
in Python). While another thread runs Python, each of those waits for it to give the lock up,
which it does every `sys.getswitchinterval()` seconds. This repaints the postal tab from the
event loop (every widget updated, then `processEvents`), alone and beside a thread running a
Python loop, at several switch intervals in turn (alternating rounds), and prints the median
wall and CPU time of a repaint. Figures are reported, never asserted.

    python bench/gui_lock.py [--rounds 3] [--repaints 15] [--intervals 5 0.5]

The default intervals are Python's default (5 ms) and the app's (`ui/gui_thread_lock.py`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def repaint_times(app, tab, repaints: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of a repaint of every widget of `tab`, event loop driven."""
    from PyQt5.QtWidgets import QWidget

    widgets = [tab, *tab.findChildren(QWidget)]
    walls, cpus = [], []
    for _ in range(repaints):
        cpu, wall = time.thread_time(), time.perf_counter()
        for widget in widgets:
            widget.update()
        app.processEvents()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.thread_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


class BusyThread:
    """A thread running a Python loop until stopped."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="busy")

    def _run(self) -> None:
        count = 0
        while not self._stop.is_set():
            count += 1

    def __enter__(self) -> BusyThread:
        self._thread.start()
        time.sleep(0.05)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repaints", type=int, default=15)
    parser.add_argument("--intervals", type=float, nargs="+", help="ms (default: 5 and the app's)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(REPO))
    from PyQt5.QtWidgets import QApplication

    from vision_agent.ui.gui_thread_lock import SWITCH_INTERVAL_S
    from vision_agent.ui.main_window import MainWindow

    intervals = args.intervals or [5.0, SWITCH_INTERVAL_S * 1000]

    app = QApplication([])
    window = MainWindow()
    window.show()
    window.start_tabs()
    tab = window.postal_tab()
    repaint_times(app, tab, 3)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores)")
    print(f"{'repaint of the postal tab':<40}{'wall ms':>10}{'CPU ms':>10}")
    default = sys.getswitchinterval()
    for round_ in range(1, args.rounds + 1):
        wall, cpu = repaint_times(app, tab, args.repaints)
        print(f"{f'round {round_}: alone':<40}{wall:>10.1f}{cpu:>10.1f}")
        for interval in intervals:
            sys.setswitchinterval(interval / 1000)
            with BusyThread():
                wall, cpu = repaint_times(app, tab, args.repaints)
            label = f"round {round_}: beside a busy thread, {interval:g} ms"
            print(f"{label:<40}{wall:>10.1f}{cpu:>10.1f}")
        sys.setswitchinterval(default)
    window.close()


if __name__ == "__main__":
    main()
