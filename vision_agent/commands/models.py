"""`vision-agent models list | fetch ID... | import DIR | verify | path ID`."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from vision_agent.core.errors import UserError
from vision_agent.models.registry import format_size
from vision_agent.models.store import CORRUPT, READY, ModelStore, default_store


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "models",
        help="list, download, import and check model files",
        description="Model files are looked for in the folders of VISION_AGENT_MODEL_PATH, then "
        "in the per-user cache (VISION_AGENT_CACHE_DIR), then downloaded and verified.",
    )
    actions = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    actions.add_parser("list", help="every known model and its state").set_defaults(
        func=_run(_list)
    )
    fetch = actions.add_parser("fetch", help="download (or find) and verify models")
    fetch.add_argument("model_ids", nargs="+", metavar="ID")
    fetch.set_defaults(func=_run(_fetch))
    imp = actions.add_parser("import", help="copy verified model files from a folder")
    imp.add_argument("folder", metavar="DIR")
    imp.set_defaults(func=_run(_import))
    actions.add_parser(
        "verify", help="check the model files on this computer (exit 1 if one is corrupt)"
    ).set_defaults(func=_run(_verify))
    path = actions.add_parser("path", help="print the local files of a model")
    path.add_argument("model_id", metavar="ID")
    path.set_defaults(func=_run(_path))


def _run(action):
    """Wrap an action: user-facing errors go to stderr with exit status 1."""

    def func(args: argparse.Namespace) -> int:
        try:
            return action(default_store(), args)
        except UserError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1

    return func


def _list(store: ModelStore, args: argparse.Namespace) -> int:
    rows = [("ID", "STATE", "SIZE", "TASK", "NAME")]
    for entry in store.registry.all_entries():
        rows.append(
            (
                entry.id,
                store.status(entry.id),
                format_size(*entry.known_size),
                entry.task,
                entry.name_en,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(row[i].ljust(widths[i]) for i in range(4)) + "  " + row[4])
    search = ", ".join(map(str, store.search_path)) or "(VISION_AGENT_MODEL_PATH is not set)"
    print(f"\ncache: {store.cache_dir}\nsearch path: {search}")
    return 0


def _fetch(store: ModelStore, args: argparse.Namespace) -> int:
    for model_id in args.model_ids:
        store.registry.get(model_id)  # fail on a typo before downloading anything
    for model_id in args.model_ids:
        bar = ProgressBar(sys.stderr)
        try:
            paths = store.resolve(model_id, progress=bar.update)
        finally:
            bar.close()
        for role, path in paths.items():
            print(f"{model_id}\t{role}\t{path}")
    return 0


def _import(store: ModelStore, args: argparse.Namespace) -> int:
    results = store.import_dir(args.folder)
    for r in results:
        stream = sys.stdout if r.dest is not None else sys.stderr
        print(f"{r.model_id}\t{r.role}\t{r.source}\t{r.detail}", file=stream)
    if not any(r.dest is not None for r in results):
        print(f"error: no verified model file found in {args.folder}", file=sys.stderr)
        return 1
    return 0


def _verify(store: ModelStore, args: argparse.Namespace) -> int:
    reports = store.verify()
    for report in reports:
        print(f"{report.model_id}: {report.state}")
        for f in report.files:
            where = f" {f.path}" if f.path else ""
            print(f"  {f.role:<12} {f.state:<8} {f.name} ({f.detail}){where}")
    ready = sum(r.state == READY for r in reports)
    corrupt = sum(r.state == CORRUPT for r in reports)
    print(f"\n{ready} ready, {corrupt} corrupt, {len(reports) - ready - corrupt} missing")
    return 1 if corrupt else 0


def _path(store: ModelStore, args: argparse.Namespace) -> int:
    for role, path in store.local_files(args.model_id).items():
        print(f"{role}\t{path}")
    return 0


class ProgressBar:
    """A one-line text progress bar, redrawn at most 10 times a second."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._last = 0.0
        self._drawn = False

    def update(self, done: int, total: int | None, name: str) -> None:
        now = time.monotonic()
        if now - self._last < 0.1 and not (total is not None and done >= total):
            return
        self._last = now
        if total:
            filled = int(self.WIDTH * done / total)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            text = f"{name} [{bar}] {100 * done // total:3d}% {done / 1e6:.1f}/{total / 1e6:.1f} MB"
        else:
            text = f"{name} {done / 1e6:.1f} MB"
        self.stream.write("\r" + text)
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
