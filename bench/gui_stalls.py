"""The longest GUI-thread stall from launch through the first result of every tab.

One fresh process per condition builds the main window (offscreen), then, tab by tab, gives each
its input and waits for its first result: a drawn postal code, a dog photo, an ImageNet photo, a
face photo; then opens Help ▸ Keyboard shortcuts and the Models dialog. A 5 ms timer on the GUI
thread records the longest gap between its ticks in each phase. The "My classes" tab has no
result before a training run, so it is only built. Run once on a quiet machine and once beside
two busy processes (Python busy loops); figures are reported, never asserted.

A second table gives, per phase, the most CPU time the GUI thread used between two ticks (its
own work in one go, `time.thread_time`): on a machine others load, a gap also holds the time the
thread waited for a core, and this figure does not. A third gives the longest gap less the time
the GUI thread waited for a core in it (Linux's schedstat): its own work plus its waits for the
interpreter lock held by the app's other threads, which a quiet machine would show too. A
fourth gives the longest garbage collection in each phase (`gc.callbacks`).

    python bench/gui_stalls.py              # quiet, then with two busy processes
    python bench/gui_stalls.py --busy 0     # quiet only
    python bench/gui_stalls.py --busy 0 --stacks   # and what ran during each phase's longest gap

With --stacks a thread samples every thread's stack each 2 ms while the GUI thread has not ticked
for 10 ms, and each phase's longest gap is printed with its samples: the GUI thread's own stack
(the handler it was in) and what the other threads ran meanwhile (who held the interpreter lock).
The sampling thread itself takes the lock, so take figures without it.
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

LAUNCHED = time.perf_counter()
REPO = Path(__file__).resolve().parents[1]
ASSETS = REPO.parent / "shared" / "assets"
BUSY_LOOP = "while True: pass"
STACKS_ENV = "GUI_STALLS_STACKS"


def core_wait_ms() -> float:
    """How long this thread has waited for a core so far (Linux schedstat; 0 elsewhere)."""
    try:
        with open(f"/proc/self/task/{threading.get_native_id()}/schedstat") as stat:
            return int(stat.read().split()[1]) / 1e6
    except OSError:
        return 0.0


class GcPauses:
    """The longest garbage collection (wall clock) since `longest` was last set to 0."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._started = 0.0
        gc.callbacks.append(self._on_collection)

    def _on_collection(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.longest = max(self.longest, (time.perf_counter() - self._started) * 1000)


def stack_line(frame, depth: int) -> str:
    """The innermost `depth` frames of a stack, innermost last, as module:function:line."""
    frames = traceback.extract_stack(frame)[-depth:]
    return " > ".join(f"{Path(f.filename).stem}:{f.name}:{f.lineno}" for f in frames)


class StackSampler:
    """Every 2 ms, while the GUI thread's last tick is over 10 ms old, every thread's stack,
    tagged with the number of the gap it fell in (`gap()` gives the current one)."""

    def __init__(self, last_tick, gap) -> None:
        self._last_tick = last_tick
        self._gap = gap
        self.samples: list[tuple[int, str, str]] = []  # (gap, thread, stack)
        self._gui = threading.main_thread().ident
        threading.Thread(target=self._run, name="stack-sampler", daemon=True).start()

    def _run(self) -> None:
        names = {}
        while True:
            time.sleep(0.002)
            if time.perf_counter() - self._last_tick() < 0.010:
                continue
            gap = self._gap()
            names.update({t.ident: t.name for t in threading.enumerate()})
            for ident, frame in sys._current_frames().items():
                if ident == threading.get_ident():
                    continue
                gui = ident == self._gui
                name = "GUI" if gui else names.get(ident, str(ident))
                self.samples.append((gap, name, stack_line(frame, 14 if gui else 4)))

    def report(self, gap: int) -> str:
        counts = collections.Counter((t, s) for g, t, s in self.samples if g == gap)
        return "\n".join(f"  {n:>3} x {t}: {s}" for (t, s), n in counts.most_common(12))


def child() -> None:
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "bench"))
    from postal_latency import StallMeter
    from PyQt5.QtWidgets import QApplication

    from vision_agent.checks.postal import draw_code
    from vision_agent.core.video_source import SourceSpec

    class SliceMeter(StallMeter):
        """Also, between two ticks, the GUI thread's longest CPU time (`longest_cpu`: its own
        work in one go) and its longest gap less the time it waited for a core
        (`longest_uncrowded`, from the kernel's schedstat: what others' load added is taken
        out; its waits for the interpreter lock stay in)."""

        def __init__(self) -> None:
            super().__init__()
            self.gap = self.longest_gap = 0
            self.restart()

        def restart(self) -> None:
            self.longest = self.longest_cpu = self.longest_uncrowded = 0.0
            self._cpu = time.thread_time()
            self._core_wait = core_wait_ms()
            self.clock.restart()
            self.last_tick = time.perf_counter()

        def _tick(self) -> None:
            now, core_wait = time.thread_time(), core_wait_ms()
            self.longest_cpu = max(self.longest_cpu, (now - self._cpu) * 1000)
            gap = (time.perf_counter() - self.last_tick) * 1000
            self.longest_uncrowded = max(self.longest_uncrowded, gap - core_wait + self._core_wait)
            self._cpu, self._core_wait = now, core_wait
            before = self.longest
            super()._tick()
            if self.longest > before:
                self.longest_gap = self.gap
            self.gap += 1
            self.last_tick = time.perf_counter()

    from vision_agent.ui.gui_thread_lock import give_the_gui_thread_its_turn

    give_the_gui_thread_its_turn()  # as app.py
    app = QApplication([])
    meter = SliceMeter()
    meter.start()
    sampler = (
        StackSampler(lambda: meter.last_tick, lambda: meter.gap)
        if os.environ.get(STACKS_ENV)
        else None
    )
    figures: dict[str, float] = {}
    cpu: dict[str, float] = {}
    uncrowded: dict[str, float] = {}
    gc_pauses: dict[str, float] = {}
    collecting = GcPauses()

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
        collecting.longest = 0.0
        act()
        wait(done)
        settle = time.monotonic() + 0.1
        wait(lambda: time.monotonic() > settle)
        figures[name] = meter.longest
        cpu[name] = meter.longest_cpu
        uncrowded[name] = meter.longest_uncrowded
        gc_pauses[name] = collecting.longest
        if sampler is not None:
            print(f"{name}: longest gap {meter.longest} ms", file=sys.stderr)
            print(sampler.report(meter.longest_gap), file=sys.stderr)

    from vision_agent.ui.gui_thread_gc import GuiThreadGarbageCollector
    from vision_agent.ui.main_window import MainWindow

    collector = GuiThreadGarbageCollector(starting=True)  # as app.py
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
    print(
        json.dumps(
            {"stalls": figures, "cpu": cpu, "uncrowded": uncrowded, "collections": gc_pauses}
        )
    )


def run(busy: int, stacks: bool) -> dict[str, float]:
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
                **({STACKS_ENV: "1"} if stacks else {}),
            )
            load = os.getloadavg()[0]
            done = subprocess.run(
                [sys.executable, __file__, "--child"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=None if stacks else subprocess.PIPE,
                text=True,
            )
            if done.returncode:
                sys.exit(f"the measured process failed:\n{done.stderr}")
            out = done.stdout
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
    parser.add_argument(
        "--stacks", action="store_true", help="print what ran during each longest gap"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    conditions = [("quiet", 0)] + (
        [(f"{args.busy} busy processes", args.busy)] if args.busy else []
    )
    results = {name: run(busy, args.stacks) for name, busy in conditions}
    not_stalls = ("launch -> first postal reading (ms)", "load average at start")
    for table, title in (
        ("stalls", "longest GUI stall (ms)"),
        ("cpu", "longest GUI CPU slice (ms)"),
        ("uncrowded", "longest stall less core waits (ms)"),
        ("collections", "longest garbage collection (ms)"),
    ):
        figures = [r[table] for r in results.values()]
        print(f"{title:<40}" + "".join(f"{name:>22}" for name in results))
        for row in figures[0]:
            print(f"{row:<40}" + "".join(f"{f[row]:>22.1f}" for f in figures))
        worst = [max(v for k, v in f.items() if k not in not_stalls) for f in figures]
        print(f"{'longest of all phases':<40}" + "".join(f"{w:>22.0f}" for w in worst) + "\n")


if __name__ == "__main__":
    main()
