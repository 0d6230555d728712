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


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    """The parser; without `with_commands` only the window's (importing every command module
    loads numpy, OpenCV and more: a third of a second before the window could appear)."""
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
    for name in COMMAND_MODULES if with_commands else ():
        importlib.import_module(name).register(subparsers)
    return parser


def _opens_the_window(arguments: list[str]) -> bool:
    """No command, or `gui`: the window's parser is enough (help still lists every command)."""
    if any(a in ("-h", "--help") for a in arguments):
        return False
    return not arguments or arguments[0] == "gui" or arguments[0].startswith("-")


def _run_gui(args: argparse.Namespace) -> int:
    from vision_agent.app import run_app

    return run_app(drawing=getattr(args, "drawing", None))


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()
    setup_logging()
    quiet_tensorflow.install()
    arguments = sys.argv[1:] if argv is None else argv
    parser = build_parser(with_commands=not _opens_the_window(arguments))
    args = parser.parse_args(arguments)
    if args.self_test:
        from vision_agent.selftest import run_self_test

        return run_self_test()
    func = getattr(args, "func", _run_gui)
    try:
        status = int(func(args) or 0)
        sys.stdout.flush()
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except OSError as exc:
        from vision_agent.commands.common import is_output_error, output_failed

        if not is_output_error(exc):
            raise
        return output_failed(exc)
    return status
