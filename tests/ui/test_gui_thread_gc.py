"""Qt objects die on the GUI thread: windows free themselves, other garbage waits for the GUI.

A CI run crashed with a segmentation fault while a model service's worker thread was retrying a
download: the classifier tab of the test before was held by a reference cycle (a lambda slot), so
a garbage collection that started on the worker thread could destroy the widget there.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable
from functools import partial

import pytest
from PyQt5.QtCore import QObject
from PyQt5.QtWidgets import QWidget

from vision_agent.ui.dialogs.train_dogs import TrainDogsDialog
from vision_agent.ui.gui_thread_gc import GuiThreadGarbageCollector
from vision_agent.ui.main_window import MainWindow
from vision_agent.ui.models_dialog import ModelsDialog
from vision_agent.ui.tabs.classifier_tab import ClassifierTab
from vision_agent.ui.tabs.dog_tab import DogTab
from vision_agent.ui.tabs.face_tab import FaceCamTab
from vision_agent.ui.tabs.postal_tab import PostalTab


@pytest.mark.parametrize(
    "make",
    [
        partial(ClassifierTab, model="mobilenet_v2"),
        DogTab,
        PostalTab,
        FaceCamTab,
        MainWindow,
        ModelsDialog,
        TrainDogsDialog,
    ],
    ids=lambda make: getattr(make, "func", make).__name__,
)
def test_windows_are_freed_with_their_last_reference(qtbot, make: Callable[[], QWidget]) -> None:
    """No reference cycles: a closed window is destroyed at once, on the thread that drops it."""
    widget = make()
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.wait(50)  # the events of showing it are handled
    if hasattr(widget, "shutdown"):
        widget.shutdown()
    for page in getattr(widget, "tab_pages", []):
        page.shutdown()
    widget.close()
    alive = weakref.ref(widget)
    assert not gc.isenabled()  # only reference counting can free it here
    del widget
    assert alive() is None, f"{type(alive()).__name__} is held by a reference cycle"


class _Cyclic(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.me = self


@pytest.fixture
def automatic_gc():
    """Python's automatic collection on, as it is before the collector is installed."""
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


def _churn_cyclic_garbage() -> None:
    for _ in range(200_000):
        pair: list = []
        pair.append(pair)


def _garbage_then_a_busy_worker() -> tuple[list[int], threading.Thread]:
    """A QObject left in a reference cycle, then a worker thread that crosses every collection
    threshold; returns the threads the object was destroyed on (so far) and the worker."""
    destroyed_on: list[int] = []
    garbage = _Cyclic()
    weakref.finalize(garbage, lambda: destroyed_on.append(threading.get_ident()))
    del garbage
    worker = threading.Thread(target=_churn_cyclic_garbage)
    worker.start()
    worker.join()
    return destroyed_on, worker


def test_garbage_made_on_a_worker_thread_is_collected_on_the_gui_thread(
    qtbot, automatic_gc
) -> None:
    collector = GuiThreadGarbageCollector(interval_ms=20)
    assert not gc.isenabled()
    destroyed_on, _worker = _garbage_then_a_busy_worker()
    assert destroyed_on == []  # the worker crossed every threshold but collected nothing
    qtbot.waitUntil(lambda: bool(destroyed_on), timeout=5000)
    assert destroyed_on == [threading.get_ident()]
    collector.uninstall()
    assert gc.isenabled()


def test_without_the_collector_the_worker_thread_collects(automatic_gc) -> None:
    """What the collector prevents (so the test above can fail)."""
    gc.collect()  # the counts start from zero: the main thread crosses no threshold below
    destroyed_on, worker = _garbage_then_a_busy_worker()
    assert destroyed_on == [worker.ident]


def test_nothing_is_collected_before_a_threshold_is_crossed(qapp, automatic_gc) -> None:
    collector = GuiThreadGarbageCollector()
    gc.collect()
    assert collector.collect_due() == -1
    _churn_cyclic_garbage()
    assert collector.collect_due() >= 0
    collector.uninstall()


@pytest.fixture
def collections_started() -> list[int]:
    """The generation of every garbage collection started from now on (gc.callbacks)."""
    started: list[int] = []

    def spy(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(spy)
    yield started
    gc.callbacks.remove(spy)


def test_while_starting_young_objects_are_set_aside_and_nothing_is_walked(
    qtbot, automatic_gc, collections_started
) -> None:
    """A start-up's imports make tens of thousands of objects that live as long as the app:
    while starting, a due check freezes them (walks nothing); garbage among them is kept."""
    collector = GuiThreadGarbageCollector(interval_ms=60_000, starting=True)
    destroyed_on, _worker = _garbage_then_a_busy_worker()
    frozen = gc.get_freeze_count()
    assert collector.collect_due() >= 0
    assert collections_started == [] and destroyed_on == []
    assert gc.get_freeze_count() > frozen
    collector.freeze()  # the start-up is over: garbage made from now on is collected
    assert collections_started == []
    later, _worker = _garbage_then_a_busy_worker()
    assert collector.collect_due() >= 0
    assert later == [threading.get_ident()] and collections_started != []
    collector.uninstall()
    gc.unfreeze()
