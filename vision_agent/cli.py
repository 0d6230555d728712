"""The `vision-agent` command: the window by default, and one subcommand per task.

Each subcommand lives in `vision_agent/commands/<name>.py` and exposes
`register(subparsers)`, which adds its parser and sets `func(args) -> int`.
Subcommands print results on stdout and user-facing errors on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import sys

from vision_agent import __version__, quiet_tensorflow
from vision_agent.logging_setup import setup_logging

COMMAND_MODULES = (
    "vision_agent.commands.postal",
    "vision_agent.commands.classify",
    "vision_agent.commands.dog",
    "vision_agent.commands.models",
    "vision_agent.commands.train",
    "vision_agent.commands.faces",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vision-agent",
        description="Vision Agent: postal codes, dog breeds, ImageNet top-5 and SSD faces. "
        "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"vision-agent {__version__}")
    parser.add_argument(
        "--self-test", action="store_true", help="check every tab's model service and exit"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = subparsers.add_parser("gui", help="open the window (the default)")
    gui.add_argument("drawing", nargs="?", help="a postal-code drawing to open")
    gui.set_defaults(func=_run_gui)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _run_gui(args: argparse.Namespace) -> int:
    from vision_agent.app import run_app

    return run_app(drawing=getattr(args, "drawing", None))


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()
    setup_logging()
    quiet_tensorflow.install()
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:
        from vision_agent.selftest import run_self_test

        return run_self_test()
    func = getattr(args, "func", _run_gui)
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
