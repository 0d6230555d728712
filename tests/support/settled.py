"""Waits that let a test say something did *not* happen: each returns once that thing would have
happened had it been going to, so no test sleeps for a guessed time and then looks.
"""

from __future__ import annotations

from PyQt5.QtCore import QObject, Qt, QTimer

from vision_agent.services.model_service import ModelService, ModelState


def all_answered(qtbot, *services: ModelService, timeout: int = 30_000) -> None:
    """Every call made of these model services is answered, or superseded (its reply dropped):
    no reply of theirs can come any more, and every reply's handlers have run."""
    qtbot.waitUntil(lambda: all(s.calls_in_flight() == 0 for s in services), timeout=timeout)


def models_settled(qtbot, root: QObject, timeout: int = 60_000) -> None:
    """Every model service under `root` has ended its load (ready, failed or missing) and answered
    every call: what the tabs show of their models will not change by itself any more."""
    services = root.findChildren(ModelService)
    assert services, "no model service under this widget"
    qtbot.waitUntil(
        lambda: all(s.state != ModelState.LOADING and s.calls_in_flight() == 0 for s in services),
        timeout=timeout,
    )


def timers_due_by(qtbot, ms: int) -> None:
    """Every Qt timer already started that falls due within `ms` from now has fired: Qt fires
    timers in the order they fall due, and this one falls due after them (a coarse timer may move
    by up to 5 % of its interval; this precise one waits 10 % longer)."""
    timer = QTimer()
    timer.setSingleShot(True)
    timer.setTimerType(Qt.PreciseTimer)
    with qtbot.waitSignal(timer.timeout, timeout=ms + 30_000):
        timer.start(ms + ms // 10 + 1)
