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

During the start-up itself (`starting=True`) nothing is collected: the imports make tens of
thousands of objects between two checks, and a collection of them took 8-17 ms of the GUI thread
(bench/gui_stalls.py) while nearly all of them live as long as the app. They are set aside at
once (`gc.freeze`, which walks nothing); the start-up's little garbage (about a hundred objects
found then) is kept with them: a bounded leak, never a stall.
"""

from __future__ import annotations

import gc

from PyQt5.QtCore import QObject, QTimer, pyqtSlot

CHECK_INTERVAL_MS = 500


class GuiThreadGarbageCollector(QObject):
    """Disables automatic garbage collection and collects from the GUI thread's event loop."""

    def __init__(
        self,
        parent: QObject | None = None,
        interval_ms: int = CHECK_INTERVAL_MS,
        starting: bool = False,
    ) -> None:
        super().__init__(parent)
        self._starting = starting  # until `freeze()`: set young objects aside, collect nothing
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(interval_ms)

    @pyqtSlot()
    def collect_due(self) -> int:
        """Collect the oldest generation whose count is past its threshold (as Python would);
        while starting, set every object aside instead.

        Returns the generation that was due, or -1 when nothing was.
        """
        due = -1
        for generation, (count, threshold) in enumerate(
            zip(gc.get_count(), gc.get_threshold(), strict=True)
        ):
            if threshold <= 0 or count <= threshold:
                break
            due = generation
        if due >= 0 and self._starting:
            gc.freeze()
        elif due >= 0:
            gc.collect(due)
        return due

    @pyqtSlot()
    def freeze(self) -> None:
        """The start-up is over: leave every object alive now out of later collections (nothing
        is walked: garbage among them, if any, is kept for good, a bounded leak, never a stall),
        and collect from now on."""
        self._starting = False
        gc.freeze()

    def uninstall(self) -> None:
        """Stop the timer and give collection back to Python (as it was before)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
