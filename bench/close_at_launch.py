"""Close fresh app processes at random moments after launch; count those that exit promptly.

    python bench/close_at_launch.py [--runs 30] [--stalled 10] [--seed 1]

Each run starts `python -m vision_agent` on a private Xvfb (with openbox when installed) and
closes its main window after a random delay of 0–3 s (as soon as the window maps, if later),
by WM_DELETE_WINDOW or Ctrl+Q. Then `--stalled` runs close the window 0.5 s after the user
clicked Download towards a server that never answers or trickles a byte every 20 s.
Targets: every process exits within 2 s of a close at launch, within 1 s during a stall.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.model_server import ModelServer
from tests.support.x_session import (
    CLOSE_METHODS,
    XSession,
    close_after,
    isolated_env,
    launch_app,
    launch_downloading,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--stalled", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    reason = XSession.missing()
    if reason:
        print(f"cannot run: {reason}")
        return 2
    rng = random.Random(args.seed)
    at_launch: list[float | None] = []
    stalled: list[float | None] = []
    with XSession() as x, tempfile.TemporaryDirectory() as scratch:
        print(f"{'run':>4} {'kind':<16} {'closed at s':>11} {'exit after s':>12}")
        for run in range(args.runs):
            delay, method = rng.uniform(0.0, 3.0), rng.choice(CLOSE_METHODS)
            folder = Path(scratch) / f"run{run}"
            process = launch_app(x, **isolated_env(folder))
            took, closed_at = close_after(x, process, delay, method, 10.0)
            at_launch.append(took)
            print(f"{run:>4} {method:<16} {closed_at:>11.2f} {_seconds(took):>12}", flush=True)
        for run in range(args.stalled):
            route = ("silent", "trickle")[run % 2]
            with ModelServer(trickle_seconds=20.0) as server:
                folder = Path(scratch) / f"stalled{run}"
                folder.mkdir()
                process = launch_downloading(x, folder, server.url(route, ""))
                took, closed_at = close_after(x, process, 0.5, "wm-delete", 10.0)
            stalled.append(took)
            kind = f"{route} download"
            print(f"{run:>4} {kind:<16} {closed_at:>11.2f} {_seconds(took):>12}", flush=True)
    _tally("closed at launch", at_launch, 2.0)
    _tally("closed during a stalled download", stalled, 1.0)
    ok = all(t is not None and t <= 2.0 for t in at_launch)
    return 0 if ok and all(t is not None and t <= 1.0 for t in stalled) else 1


def _seconds(took: float | None) -> str:
    return "no exit" if took is None else f"{took:.2f}"


def _tally(what: str, times: list[float | None], target: float) -> None:
    if not times:
        return
    done = [t for t in times if t is not None]
    prompt = sum(t <= target for t in done)
    figures = f"median {statistics.median(done):.2f} s, max {max(done):.2f} s" if done else ""
    print(
        f"{what}: {prompt}/{len(times)} exited within {target:g} s "
        f"({len(times) - len(done)} never exited); {figures}"
    )


if __name__ == "__main__":
    sys.exit(main())
