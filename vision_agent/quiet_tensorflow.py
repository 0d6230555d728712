"""TensorFlow's start-up lines go to the log file instead of the user's terminal.

Importing TensorFlow writes absl, oneDNN and CPU-feature lines (and, in the CUDA build, CUDA
probing lines) straight to file descriptor 2, some of them whatever `TF_CPP_MIN_LOG_LEVEL` says.
`install()` sets TensorFlow's logging variable and makes the first `import tensorflow` of the
process (by Keras, tf2onnx or our code alike) run with descriptor 2 pointed at a temporary file;
what was caught there is then written to the log (`vision_agent.tensorflow`). Python's
`sys.stderr` is flushed around it, so nothing is reordered. TensorFlow's Python logger (AutoGraph
and retracing warnings) is then pointed at the log file too. The CLI calls `install()` at start and
every model child process does before it builds its model; a child also sends its Python warnings
there (`warnings_to_log`).
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from importlib.machinery import ModuleSpec
from types import ModuleType

# TensorFlow's C++ logging: 2 keeps errors only (its INFO and WARNING lines stay out).
TF_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "2"}

log = logging.getLogger("vision_agent.tensorflow")


def install() -> None:
    """Set TensorFlow's logging variable (children inherit it) and quiet its first import."""
    for name, value in TF_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietFinder())


@contextlib.contextmanager
def native_stderr_to_log() -> Iterator[None]:
    """Descriptor 2 into a temporary file for the block; its lines are logged afterwards."""
    _flush_stderr()
    try:
        saved = os.dup(2)
    except OSError:  # no standard error at all (a windowed app): nothing to keep quiet
        yield
        return
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            _flush_stderr()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            for line in caught.read().decode("utf-8", "replace").splitlines():
                if line.strip():
                    log.info("%s", line)


def _flush_stderr() -> None:
    if sys.stderr is not None:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()


def warnings_to_log() -> None:
    """Python warnings (Keras's, numpy's) go to the log file (model child processes)."""
    logging.captureWarnings(True)
    _to_log_file(logging.getLogger("py.warnings"))


def _python_logger_to_log(tensorflow: ModuleType) -> None:
    """TensorFlow's Python logger (AutoGraph and retracing warnings) writes to the log file."""
    with contextlib.suppress(Exception):  # an unusual TensorFlow: leave its logger alone
        _to_log_file(tensorflow.get_logger())


def _to_log_file(logger: logging.Logger) -> None:
    """`logger` writes through the app's log handlers only (not to stderr)."""
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.propagate = False
    for handler in logging.getLogger("vision_agent").handlers:
        logger.addHandler(handler)


class _QuietFinder(importlib.abc.MetaPathFinder):
    """Finds nothing itself; hands out TensorFlow's own spec with a quiet loader, once."""

    def find_spec(self, name: str, path=None, target=None) -> ModuleSpec | None:
        if name != "tensorflow":
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


class _QuietLoader(importlib.abc.Loader):
    """Runs the wrapped loader with descriptor 2 caught, then puts the real loader back."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        with native_stderr_to_log():
            self._loader.exec_module(module)
        _python_logger_to_log(module)

    def __getattr__(self, name: str):
        return getattr(self._loader, name)
