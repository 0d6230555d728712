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
from vision_agent.core.errors import UserError
from vision_agent.core.user_writes import require_writable_target
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


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Log `vision_agent.*` to the rotating file and log uncaught exceptions; returns the path.

    When the user data folder cannot hold the log (a file in its place, read-only, a full disk),
    warnings go to stderr instead, `log_problem()` says why, stderr says so once, and None is
    returned: the app runs on either way.
    """
    handler = _our_handler()
    if handler is not None:
        return None if isinstance(handler, _StderrLog) else Path(handler.baseFilename)
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        require_writable_target(path, _NotOurFile)
        handler = _LogFile(path)
    except (OSError, _NotOurFile) as exc:
        handler = _StderrLog()
        _report_problem(path, exc)
    handler.vision_agent_log = True
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
    return None if log_problem() else path


class _NotOurFile(UserError):
    """The log's place holds a link, a device or a FIFO: never written through."""


_problem: list[str] = []


def log_problem() -> str | None:
    """Why the log file cannot be written (it then goes to stderr), or None."""
    return _problem[0] if _problem else None


def _report_problem(path: Path, exc: OSError | UserError) -> None:
    if _problem:
        return
    _problem.append(str(exc) if isinstance(exc, UserError) else f"{path}: {exc.strerror or exc}")
    if sys.stderr is not None:
        print(
            f"vision-agent: cannot write the log file {_problem[0]}; logging to stderr instead.",
            file=sys.stderr,
            flush=True,
        )


class _StderrLog(logging.StreamHandler):
    """Warnings and errors on stderr, for when the log file cannot be written."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.setLevel(logging.WARNING)
        self.setFormatter(logging.Formatter(_FORMAT))


class _LogFile(logging.handlers.RotatingFileHandler):
    """The rotating log file; when a write fails (a full disk), stderr takes over, said once."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
        self.setFormatter(logging.Formatter(_FORMAT))
        self._fallback: _StderrLog | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._fallback is not None:
            self._to_stderr(record)
        else:
            super().emit(record)

    def _to_stderr(self, record: logging.LogRecord) -> None:
        """Warnings and errors only: the terminal is the user's, not the log's."""
        if self._fallback is not None and record.levelno >= self._fallback.level:
            self._fallback.handle(record)

    def handleError(self, record: logging.LogRecord) -> None:
        exc = sys.exc_info()[1]
        if self._fallback is None and isinstance(exc, OSError):
            _report_problem(Path(self.baseFilename), exc)
            self._fallback = _StderrLog()
            self._to_stderr(record)
            return
        super().handleError(record)


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
