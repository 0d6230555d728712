"""The `vision-agent` command: the window by default, and one subcommand per task.

Each subcommand lives in `vision_agent/commands/<name>.py` and exposes
`register(subparsers)`, which adds its parser and sets `func(args) -> int`.
Subcommands print results on stdout and user-facing errors on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from vision_agent import __version__

COMMAND_MODULES: tuple[str, ...] = ("vision_agent.commands.models",)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vision-agent",
        description="Vision Agent: postal codes, dog breeds, ImageNet top-5 and SSD faces. "
        "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"vision-agent {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = subparsers.add_parser("gui", help="open the window (the default)")
    gui.set_defaults(func=_run_gui)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _run_gui(args: argparse.Namespace) -> int:
    from vision_agent.app import run_app

    return run_app()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    func = getattr(args, "func", _run_gui)
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
