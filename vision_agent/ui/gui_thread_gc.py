"""Garbage collection on the GUI thread only.

Python's cyclic garbage collector runs in whichever thread happens to allocate when a threshold
is crossed. In this app that is often a model service's worker thread (a download retry, a
result being built). If the garbage it finds holds a Qt widget — a tab or dialog kept alive by a
reference cycle — the widget is destroyed on that worker thread while the GUI thread paints and
dispatches events, and the process can die with a segmentation fault.

`GuiThreadGarbageCollector` turns automatic collection off and collects from a timer on the GUI
thread instead, with Python's own generation thresholds, so garbage is still collected (a few
hundred milliseconds later at most) but only where Qt objects may be destroyed.

A full collection walks every object alive: about 30 ms of the GUI thread once numpy, OpenCV,
pyqtgraph and the tabs are in. `freeze()`, called when the window's start-up is over, leaves
what is alive then (modules and windows that live as long as the app) out of later collections.
"""

from __future__ import annotations

import gc

from PyQt5.QtCore import QObject, QTimer, pyqtSlot

CHECK_INTERVAL_MS = 500


class GuiThreadGarbageCollector(QObject):
    """Disables automatic garbage collection and collects from the GUI thread's event loop."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(interval_ms)

    @pyqtSlot()
    def collect_due(self) -> int:
        """Collect the oldest generation whose count is past its threshold (as Python would).

        Returns the generation collected, or -1 when nothing was due.
        """
        due = -1
        for generation, (count, threshold) in enumerate(
            zip(gc.get_count(), gc.get_threshold(), strict=True)
        ):
            if threshold <= 0 or count <= threshold:
                break
            due = generation
        if due >= 0:
            gc.collect(due)
        return due

    @pyqtSlot()
    def freeze(self) -> None:
        """Leave every object alive now out of later collections (the young garbage is collected
        first; older garbage, if any, is kept for good: a bounded leak, never a stall)."""
        gc.collect(1)
        gc.freeze()

    def uninstall(self) -> None:
        """Stop the timer and give collection back to Python (as it was before)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
