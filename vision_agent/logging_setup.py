"""The app's log file: `<user data dir>/logs/vision-agent.log`, rotated, uncaught errors included.

A frozen app started from a file manager has no terminal, so whatever goes wrong must land in a
file the user can send. `setup_logging` is called once at start-up (GUI and CLI alike); it is
Qt-free, and repeated calls only return the same path.
"""

from __future__ import annotations

import logging
import logging.handlers
import platform
import sys
import threading
from pathlib import Path
from types import TracebackType

from vision_agent import __version__
from vision_agent.paths import user_data_dir

LOG_FILE_NAME = "vision-agent.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(name)s: %(message)s"

log = logging.getLogger("vision_agent")


def log_path() -> Path:
    return user_data_dir() / "logs" / LOG_FILE_NAME


def _our_handler() -> logging.Handler | None:
    return next((h for h in log.handlers if getattr(h, "vision_agent_log", False)), None)


def setup_logging(level: int = logging.INFO) -> Path:
    """Log `vision_agent.*` to the rotating file and log uncaught exceptions; returns the path."""
    handler = _our_handler()
    if handler is not None:
        return Path(handler.baseFilename)
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=True
    )
    handler.vision_agent_log = True
    handler.setFormatter(logging.Formatter(_FORMAT))
    log.addHandler(handler)
    log.setLevel(level)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
    log.info(
        "Vision Agent %s starting (%s, Python %s, %s)",
        __version__,
        "frozen" if getattr(sys, "frozen", False) else "source",
        platform.python_version(),
        platform.platform(),
    )
    return path


def _log_uncaught(
    kind: type[BaseException], value: BaseException, traceback: TracebackType | None
) -> None:
    """Log the exception, then let Python print it as usual (where there is a terminal)."""
    if not issubclass(kind, KeyboardInterrupt):
        log.critical("Uncaught exception", exc_info=(kind, value, traceback))
    if sys.stderr is not None:
        sys.__excepthook__(kind, value, traceback)


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    log.critical(
        "Uncaught exception in thread %s",
        name,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )
    if sys.stderr is not None:
        threading.__excepthook__(args)
