"""Starting the window: visible first, models afterwards, TensorFlow never in this process."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vision_agent.ui.main_window import MainWindow

_STARTED = time.perf_counter()


def run_app(argv: list[str] | None = None, drawing: str | None = None) -> int:
    """The window; start-up failures are logged and shown (see `ui/startup.py`)."""
    from vision_agent.ui.startup import run_guarded

    return run_guarded(lambda: _run_window(argv, drawing))


def _run_window(argv: list[str] | None, drawing: str | None) -> int:
    # TensorFlow's LLVM and Mesa's GL clash at exit under X; TF only runs in child processes,
    # but keep Qt away from GL integration anyway (STACK.md).
    os.environ.setdefault("QT_XCB_GL_INTEGRATION", "none")
    from PyQt5.QtWidgets import QApplication

    from vision_agent.i18n import language, set_language, system_language
    from vision_agent.ui.fonts import use_korean_fonts
    from vision_agent.ui.gui_thread_gc import GuiThreadGarbageCollector
    from vision_agent.ui.gui_thread_lock import give_the_gui_thread_its_turn
    from vision_agent.ui.qt_translations import use_qt_translations
    from vision_agent.ui.settings import app_settings
    from vision_agent.ui.startup import apply_app_icon, show_splash, show_storage_problems

    give_the_gui_thread_its_turn()  # the start-up imports and the models run Python beside it
    app = QApplication.instance() or QApplication([sys.argv[0], *(argv or [])])
    app.setApplicationName("Vision Agent")
    app.setOrganizationName("VisionAgent")
    use_korean_fonts(app.font())
    set_language(app_settings().value("language") or system_language())
    use_qt_translations(language())
    apply_app_icon(app)
    splash = show_splash(app)

    from vision_agent.ui.main_window import MainWindow

    # The tabs' model threads run Python code; Qt objects in garbage must not be destroyed
    # there, so garbage is collected on this thread (see gui_thread_gc), and none during the
    # start-up, whose objects are set aside, out of later collections.
    collector = GuiThreadGarbageCollector(starting=True)
    window = MainWindow()
    window.sig_started.connect(collector.freeze)  # the start-up is over
    window.show()
    splash.finish(window)
    _report_startup("window_shown")
    show_storage_problems(window)  # a note owned by the window; the app runs on
    # The window is drawn (its menus and tab bar, empty pages) before the visible tab is
    # built: building it imports numpy, OpenCV and pyqtgraph (about 0.3 s).
    _when_drawn(window, lambda: _fill_window(window, drawing))
    try:
        # A close handled while start-up processed events (the splash does) asked an event
        # loop that was not running yet to quit: that request is lost, so honour it here.
        return 0 if window.closed else app.exec_()
    finally:
        collector.uninstall()


def _when_drawn(window: MainWindow, then: Callable[[], None], waited_ms: int = 0) -> None:
    """Call `then` once the window system shows the window (at most 1 s later)."""
    from PyQt5.QtCore import QTimer

    handle = window.windowHandle()
    if (handle is not None and handle.isExposed()) or waited_ms >= 1000:
        QTimer.singleShot(0, then)
    else:
        QTimer.singleShot(10, lambda: _when_drawn(window, then, waited_ms + 10))


def _fill_window(window: MainWindow, drawing: str | None) -> None:
    """Build the visible tab, load the models, open the drawing given on the command line."""
    window.start_tabs_after_imports(lambda: _open_drawing(window, drawing))


def _open_drawing(window: MainWindow, drawing: str | None) -> None:
    """Once the visible tab is built: read the drawing given on the command line."""
    if drawing or os.environ.get("VISION_AGENT_STARTUP_LOG"):
        postal = window.postal_tab()
        postal.sig_recognized.connect(lambda *_: _report_startup("first_result"))
        if drawing:
            from pathlib import Path

            postal.load_drawing(Path(drawing))


_reported: set[str] = set()


def _report_startup(event: str) -> None:
    """With VISION_AGENT_STARTUP_LOG set, print start-up milestones once each (used by bench/)."""
    if os.environ.get("VISION_AGENT_STARTUP_LOG") and event not in _reported:
        _reported.add(event)
        print(f"startup {event} {time.perf_counter() - _STARTED:.3f}", file=sys.stderr, flush=True)
