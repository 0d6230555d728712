"""Shared test set-up: offscreen Qt, isolated settings and caches, and the shared assets folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
_SANDBOX = Path(tempfile.mkdtemp(prefix="vision-agent-tests-"))
# The settings, the model cache and user data never touch the developer's real folders.
os.environ["XDG_CONFIG_HOME"] = str(_SANDBOX / "config")
os.environ["VISION_AGENT_DATA_DIR"] = str(_SANDBOX / "data")
os.environ.setdefault("VISION_AGENT_CACHE_DIR", str(_SANDBOX / "cache"))

from tests.support.paths import asset  # noqa: E402 (after the environment is set)


@pytest.fixture(autouse=True)
def own_user_data(tmp_path_factory, monkeypatch):
    """Each test starts with its own empty user-data folder (profiles, logs, trained models), and
    the app processes it starts inherit it: a sample one test teaches never votes in another's
    reading (the default profile used to be shared by the whole session)."""
    monkeypatch.setenv("VISION_AGENT_DATA_DIR", str(tmp_path_factory.mktemp("user-data")))


@pytest.fixture
def model_server():
    """A real HTTP server on 127.0.0.1 serving model files (see tests/support/model_server.py)."""
    from tests.support.model_server import ModelServer

    with ModelServer() as server:
        yield server


@pytest.fixture
def hashing_threads(monkeypatch) -> list:
    """The thread of every call of the model store's hashing function from now on (list it
    before the fixtures whose set-up should be seen too)."""
    import threading

    from vision_agent.models import store

    threads: list[threading.Thread] = []
    digest = store.file_digest

    def recorded(path, algorithm):
        threads.append(threading.current_thread())
        return digest(path, algorithm)

    monkeypatch.setattr(store, "file_digest", recorded)
    return threads


@pytest.fixture(scope="module")
def postal_recognizer():
    """The shipped digit model's PostalRecognizer, one per test module (teaching changes it)."""
    from tests.support.model_files import SHIPPED_MODEL
    from vision_agent.core.postal import PostalRecognizer

    return PostalRecognizer.from_file(SHIPPED_MODEL)


@pytest.fixture(scope="session")
def mnist() -> dict:
    import numpy as np

    with np.load(asset("mnist", "mnist.npz")) as data:
        return {key: data[key] for key in ("x_test", "y_test")}


@pytest.fixture
def isolated_log(tmp_path, monkeypatch):
    """An empty user-data folder for the log, with Python's hooks and the log handlers restored."""
    import logging
    import sys
    import threading

    monkeypatch.setenv("VISION_AGENT_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    logger = logging.getLogger("vision_agent")
    saved = logger.handlers[:]
    logger.handlers = []
    yield tmp_path
    for handler in logger.handlers:
        handler.close()
    logger.handlers = saved


FAILED_KEY = pytest.StashKey[bool]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if outcome.get_result().failed:
        item.stash[FAILED_KEY] = True


def stop_services_left_running() -> None:
    """Stop every model service a failed test left running: collecting one whose thread still
    runs aborts the whole test process (Qt: "QThread: Destroyed while thread is still running")."""
    import gc

    from vision_agent.services.model_service import ModelService

    for thing in gc.get_objects():
        if isinstance(thing, ModelService) and thing.is_running():
            thing.shutdown()


@pytest.fixture(autouse=True)
def garbage_collected_on_the_gui_thread(request):
    """Qt tests collect garbage as the app does (`GuiThreadGarbageCollector`), and leave none.

    Without it a widget kept by a reference cycle could be destroyed by a collection that
    happens to start on a model service's worker thread (a segmentation fault in CI).
    """
    if "qapp" not in request.fixturenames and "qtbot" not in request.fixturenames:
        yield
        return
    import gc

    from vision_agent.ui.gui_thread_gc import GuiThreadGarbageCollector

    collector = GuiThreadGarbageCollector()
    yield
    if request.node.stash.get(FAILED_KEY, False):
        stop_services_left_running()
    gc.collect()  # this test's garbage goes here, on the GUI thread
    collector.uninstall()


@pytest.fixture(scope="session")
def keras2_files(tmp_path_factory) -> Path:
    """A folder of model files saved by Keras 2 (tf_keras) with Keras 2's own predictions
    (tests/support/keras2_files.py), made once per session in one TensorFlow process, or a
    folder the script made before, named by VISION_AGENT_KERAS2_FILES (to rerun tests quickly)."""
    import importlib.util
    import subprocess
    import sys

    from tests.support.paths import ASSETS, REPO_ROOT

    if importlib.util.find_spec("tf_keras") is None:
        pytest.skip("tf_keras (Keras 2) is not installed")
    asset("photos", "dogs", "Beagle_01141.jpg")
    asset("mnist", "mnist.npz")
    if os.environ.get("VISION_AGENT_KERAS2_FILES"):
        return Path(os.environ["VISION_AGENT_KERAS2_FILES"])
    folder = tmp_path_factory.mktemp("keras2")
    env = os.environ | {"PYTHONPATH": str(REPO_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.keras2_files", str(folder), str(ASSETS)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return folder


@pytest.fixture(autouse=True)
def english_again_after_each_test():
    """A test that switched to Korean, or saved Korean as the user's choice (the window's
    language menu does), leaves English behind: the next test, or an app it starts, reads it."""
    yield
    import sys

    if "vision_agent.i18n" in sys.modules:
        sys.modules["vision_agent.i18n"].set_language("en")
    if "vision_agent.ui.settings" in sys.modules:
        settings = sys.modules["vision_agent.ui.settings"].app_settings()
        if settings.value("language") not in (None, "", "en"):
            settings.setValue("language", "en")
    if "vision_agent.ui.qt_translations" in sys.modules:
        sys.modules["vision_agent.ui.qt_translations"].use_qt_translations("en")
