"""Launch → window shown: the frozen bundle against the Python install, in the same run.

    python bench/bundle_start.py dist/vision-agent/vision-agent [--launches 7] [--python PY]

Starts the bundle's executable and `PY -m vision_agent` (default: this Python) alternately,
offscreen, each time with fresh data, cache and config folders and no VISION_AGENT_MODEL_PATH
(a first launch), and times each until it prints `startup window_shown` (VISION_AGENT_STARTUP_LOG).
Prints both medians and their ratio (issue 23's target: the bundle within 1.5× the install).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def time_to_window(command: list[str]) -> float:
    with tempfile.TemporaryDirectory() as home:
        env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            VISION_AGENT_STARTUP_LOG="1",
            VISION_AGENT_DATA_DIR=f"{home}/data",
            VISION_AGENT_CACHE_DIR=f"{home}/cache",
            XDG_CONFIG_HOME=f"{home}/config",
            HOME=home,
        )
        env.pop("VISION_AGENT_MODEL_PATH", None)
        started = time.monotonic()
        process = subprocess.Popen(
            command, env=env, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        try:
            for line in process.stderr:
                if line.startswith("startup window_shown"):
                    return time.monotonic() - started
            raise SystemExit(f"{command[0]} ended without showing its window")
        finally:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", help="the bundle's executable")
    parser.add_argument("--launches", type=int, default=7)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    commands = {"bundle": [args.bundle], "python": [args.python, "-m", "vision_agent"]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.launches):
        for name, command in commands.items():
            times[name].append(time_to_window(command))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"{name}: median {medians[name]:.2f} s  ({', '.join(f'{v:.2f}' for v in values)})")
    print(f"bundle / python: {medians['bundle'] / medians['python']:.2f}")


if __name__ == "__main__":
    main()
