"""Which files of the one-folder bundle no run of the frozen app loaded or opened (Linux, strace).

    strace -f -qq -y -e trace=openat,mmap -o TRACE dist/vision-agent/vision-agent ARGS...
    python packaging/unused_files.py dist/vision-agent TRACE... [--min-kb 100]

Run the frozen app under strace once per path it has (docs/packaging.md lists them), then pass
all the traces. A file counts as loaded when the dynamic loader mapped it (MAP_DENYWRITE) or any
process mapped it executable; as opened when it was only opened (data files, and Qt plugins whose
metadata Qt reads without loading them). Prints the totals, then the unused files, biggest first.
Only the standard library is used here.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

MMAP = re.compile(r"mmap\([^,]*, \d+, (PROT_[A-Z_|]+), ([A-Z_|]+), \d+<([^>]*)>")
OPEN = re.compile(r'open(?:at)?\((?:AT_FDCWD(?:<[^>]*>)?, )?"([^"]+)".*\) = \d+')


def touched(traces: list[Path]) -> tuple[set[str], set[str]]:
    """(loaded, opened): real paths of the files the traced processes mapped as code, or opened."""
    loaded: set[str] = set()
    opened: set[str] = set()
    for trace in traces:
        with trace.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if match := MMAP.search(line):
                    protection, flags, path = match.groups()
                    if "PROT_EXEC" in protection or "MAP_DENYWRITE" in flags:
                        loaded.add(os.path.realpath(path))
                elif match := OPEN.search(line):
                    opened.add(os.path.realpath(match.group(1)))
    return loaded, opened


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", type=Path, help="dist/vision-agent")
    parser.add_argument("traces", type=Path, nargs="+", help="strace output files")
    parser.add_argument("--min-kb", type=int, default=100, help="list unused files from this size")
    args = parser.parse_args(argv)

    loaded, opened = touched(args.traces)
    totals = {"loaded": 0, "opened": 0, "unused": 0}
    unused = []
    for path in sorted(args.bundle.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        real, size = os.path.realpath(path), path.stat().st_size
        state = "loaded" if real in loaded else "opened" if real in opened else "unused"
        totals[state] += size
        if state == "unused" and size >= args.min_kb * 1000:
            unused.append((size, path.relative_to(args.bundle)))
    print("  ".join(f"{state}: {size / 1e6:.1f} MB" for state, size in totals.items()))
    for size, path in sorted(unused, reverse=True):
        print(f"{size / 1e6:8.2f} MB  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
