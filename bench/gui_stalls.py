"""The longest GUI-thread stall from launch through the first result of every tab.

One fresh process per condition builds the main window (offscreen), then, tab by tab, gives each
its input and waits for its first result: a drawn postal code, a dog photo, an ImageNet photo, a
face photo; then opens Help ▸ Keyboard shortcuts and the Models dialog. A 5 ms timer on the GUI
thread records the longest gap between its ticks in each phase. The "My classes" tab has no
result before a training run, so it is only built. Run once on a quiet machine and once beside
two busy processes (Python busy loops); figures are reported, never asserted.

A second table gives, per phase, the most CPU time the GUI thread used between two ticks (its
own work in one go, `time.thread_time`): on a machine others load, a gap also holds the time the
thread waited for a core, and this figure does not.

    python bench/gui_stalls.py              # quiet, then with two busy processes
    python bench/gui_stalls.py --busy 0     # quiet only
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LAUNCHED = time.perf_counter()
REPO = Path(__file__).resolve().parents[1]
ASSETS = REPO.parent / "shared" / "assets"
BUSY_LOOP = "while True: pass"


def child() -> None:
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "bench"))
    from postal_latency import StallMeter
    from PyQt5.QtWidgets import QApplication

    from vision_agent.checks.postal import draw_code
    from vision_agent.core.video_source import SourceSpec

    class SliceMeter(StallMeter):
        """Also the GUI thread's longest CPU time between two ticks (`longest_cpu`)."""

        def __init__(self) -> None:
            super().__init__()
            self.longest_cpu = 0.0
            self._cpu = time.thread_time()

        def restart(self) -> None:
            self.longest = self.longest_cpu = 0.0
            self._cpu = time.thread_time()
            self.clock.restart()

        def _tick(self) -> None:
            now = time.thread_time()
            self.longest_cpu = max(self.longest_cpu, (now - self._cpu) * 1000)
            self._cpu = now
            super()._tick()

    app = QApplication([])
    meter = SliceMeter()
    meter.start()
    figures: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def wait(condition, timeout_s: float = 180.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError("no result in time")
            app.processEvents()
            time.sleep(0.002)

    def phase(name: str, act, done) -> None:
        """Longest gap from just before `act` until `done()` and 100 ms more (so that a gap the
        act itself caused is seen by the next tick)."""
        app.processEvents()
        meter.restart()
        act()
        wait(done)
        settle = time.monotonic() + 0.1
        wait(lambda: time.monotonic() > settle)
        figures[name] = meter.longest
        cpu[name] = meter.longest_cpu

    from vision_agent.ui.gui_thread_gc import GuiThreadGarbageCollector
    from vision_agent.ui.main_window import MainWindow

    collector = GuiThreadGarbageCollector()  # as app.py: garbage collected on the GUI thread
    window = MainWindow()
    window.sig_started.connect(collector.freeze)
    phase("window shown", window.show, lambda: window.isVisible())
    phase(  # as app.py starts it: the tab's modules imported off the GUI thread, then built
        "postal: tab built, model ready",
        lambda: window.start_tabs_after_imports(lambda: None),
        lambda: bool(window.built_pages()) and window.built_pages()[0].controller.slot.is_ready(),
    )
    postal = window.postal_tab()
    phase(
        "postal: first reading",
        lambda: (postal.canvas.set_drawing(draw_code("10701")), postal.recognize()),
        lambda: postal.reading is not None,
    )
    figures["launch -> first postal reading (ms)"] = (time.perf_counter() - LAUNCHED) * 1000
    dog = window.page(1)
    phase(
        "dog: first photo",
        lambda: dog.photos.open_paths([ASSETS / "photos" / "dogs" / "Beagle_01141.jpg"]),
        lambda: dog.controller.result is not None,
    )
    imagenet = window.page(2)
    phase(
        "ImageNet: first photo",
        lambda: imagenet.photos.open_paths([ASSETS / "photos" / "dogs" / "Basenji_00974.jpg"]),
        lambda: imagenet.controller.result is not None,
    )
    faces = window.page(3)
    phase(
        "face cam: first photo",
        lambda: faces.open_source(
            SourceSpec.file(ASSETS / "photos" / "faces" / "grace_hopper_matplotlib.jpg")
        ),
        lambda: faces.controller.shown is not None,
    )
    phase("My classes: built", lambda: window.page(4), lambda: True)
    sheet = {}
    phase(
        "Help > Keyboard shortcuts",
        lambda: sheet.setdefault("sheet", window.help_menu.show_shortcuts()),
        lambda: sheet["sheet"].isVisible(),
    )
    sheet["sheet"].close()

    def close_dialog() -> None:
        dialog = app.activeModalWidget()
        if dialog is not None:
            dialog.close()

    from PyQt5.QtCore import QTimer

    QTimer.singleShot(500, close_dialog)
    phase("Models dialog", window.show_models_dialog, lambda: True)
    window.close()
    collector.uninstall()
    print(json.dumps({"stalls": figures, "cpu": cpu}))


def run(busy: int) -> dict[str, float]:
    loops = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(busy)]
    try:
        time.sleep(1.0 if busy else 0.0)
        with tempfile.TemporaryDirectory() as home:
            env = dict(
                os.environ,
                QT_QPA_PLATFORM="offscreen",
                PYTHONPATH=str(REPO),
                VISION_AGENT_MODEL_PATH=str(ASSETS),
                XDG_CONFIG_HOME=home,
                XDG_DATA_HOME=home,
            )
            load = os.getloadavg()[0]
            out = subprocess.run(
                [sys.executable, __file__, "--child"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        figures["stalls"]["load average at start"] = load
        return figures
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=2, help="busy processes for the second run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    conditions = [("quiet", 0)] + (
        [(f"{args.busy} busy processes", args.busy)] if args.busy else []
    )
    results = {name: run(busy) for name, busy in conditions}
    not_stalls = ("launch -> first postal reading (ms)", "load average at start")
    for table, title in (
        ("stalls", "longest GUI stall (ms)"),
        ("cpu", "longest GUI CPU slice (ms)"),
    ):
        figures = [r[table] for r in results.values()]
        print(f"{title:<40}" + "".join(f"{name:>22}" for name in results))
        for row in figures[0]:
            print(f"{row:<40}" + "".join(f"{f[row]:>22.1f}" for f in figures))
        worst = [max(v for k, v in f.items() if k not in not_stalls) for f in figures]
        print(f"{'longest of all phases':<40}" + "".join(f"{w:>22.0f}" for w in worst) + "\n")


if __name__ == "__main__":
    main()
