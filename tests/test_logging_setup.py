"""The log file: where it is, what it records (uncaught errors too), and that it rotates."""

from __future__ import annotations

import logging
import sys
import threading

import pytest

from vision_agent import __version__, logging_setup


@pytest.fixture
def fresh_log(isolated_log):
    return isolated_log


def test_log_file_in_user_data_dir(fresh_log):
    path = logging_setup.setup_logging()
    assert path == fresh_log / "logs" / "vision-agent.log"
    assert logging_setup.setup_logging() == path  # a second call adds no second handler
    assert len(logging.getLogger("vision_agent").handlers) == 1
    logging.getLogger("vision_agent.test").warning("hello from the test")
    text = path.read_text(encoding="utf-8")
    assert f"Vision Agent {__version__} starting" in text
    assert "WARNING" in text and "vision_agent.test: hello from the test" in text


def test_uncaught_exception_is_logged(fresh_log, capsys):
    path = logging_setup.setup_logging()
    try:
        raise ValueError("the model folder vanished")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    text = path.read_text(encoding="utf-8")
    assert "CRITICAL" in text and "Uncaught exception" in text
    assert "ValueError: the model folder vanished" in text
    assert "Traceback" in text
    assert "the model folder vanished" in capsys.readouterr().err  # still printed too


def test_uncaught_exception_in_thread_is_logged(fresh_log):
    path = logging_setup.setup_logging()

    def fail() -> None:
        raise RuntimeError("worker broke")

    thread = threading.Thread(target=fail, name="worker-7")
    thread.start()
    thread.join()
    text = path.read_text(encoding="utf-8")
    assert "Uncaught exception in thread worker-7" in text
    assert "RuntimeError: worker broke" in text


def test_log_rotates(fresh_log, monkeypatch):
    monkeypatch.setattr(logging_setup, "LOG_MAX_BYTES", 20_000)
    path = logging_setup.setup_logging()
    logger = logging.getLogger("vision_agent.test")
    for index in range(2_000):
        logger.info("line %d %s", index, "x" * 60)
    backups = sorted(path.parent.glob("vision-agent.log.*"))
    assert [p.name for p in backups] == [f"vision-agent.log.{n}" for n in (1, 2, 3)]
    assert path.stat().st_size <= 20_000
    assert "line 1999" in path.read_text(encoding="utf-8")


def test_a_log_file_that_is_a_link_is_never_written_through(fresh_log, monkeypatch, capsys):
    monkeypatch.setattr(logging_setup, "_problem", [])
    elsewhere = fresh_log / "someone else's file"
    elsewhere.write_text("keep me")
    (fresh_log / "logs").mkdir()
    (fresh_log / "logs" / "vision-agent.log").symlink_to(elsewhere)
    assert logging_setup.setup_logging() is None
    logging.getLogger("vision_agent.test").warning("hello from the test")
    assert elsewhere.read_text() == "keep me"
    assert "is a link" in logging_setup.log_problem()
    assert capsys.readouterr().err.count("cannot write the log file") == 1
