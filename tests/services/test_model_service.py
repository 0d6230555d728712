"""The model service: loads once in a thread (or child process), serves, reports errors, stops."""

import os
import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from tests.support.drawings import random_mnist_canvas
from tests.support.fake_recognizers import Sleeper, TwinOffering, refusing_loader
from tests.support.model_files import SHIPPED_KERAS
from tests.support.settled import all_answered
from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer
from vision_agent.engine.recipes import digit_model_spec
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.services.model_service import ModelService, Reply


def sleeper(in_process: bool = True, load_seconds: float = 0.0) -> RecognizerSpec:
    return RecognizerSpec(
        Sleeper,
        {"load_seconds": load_seconds},
        in_process,
        label="zz",
    )


class Collector:
    """Every reply's outcome by call (results, errors), the service's events and states."""

    def __init__(self, service: ModelService) -> None:
        self.service = service
        self.results: dict[Reply, object] = {}
        self.errors: dict[Reply, str] = {}
        self.events: list[object] = []
        self.states: list[tuple[str, str]] = []
        service.sig_event.connect(self.events.append)
        service.sig_state_changed.connect(lambda s, d: self.states.append((s, d)))

    def call(self, method: Callable, *args, latest: bool = False) -> Reply:
        reply = self.service.call(method, *args, latest=latest)
        reply.finished.connect(lambda r: self.results.__setitem__(reply, r))
        reply.failed.connect(lambda m: self.errors.__setitem__(reply, m))
        return reply


@pytest.fixture
def service(qtbot):
    service = ModelService("test")
    yield service
    service.shutdown()


def test_first_request_waits_for_the_model_and_gets_the_code(qtbot, service, mnist):
    seen = Collector(service)
    canvas, code = random_mnist_canvas(mnist["x_test"], mnist["y_test"], np.random.default_rng(1))
    service.load(digit_model_spec(SHIPPED_MODEL))
    request = seen.call(PostalRecognizer.recognize, canvas)  # made before the model is ready
    qtbot.waitUntil(lambda: request in seen.results, timeout=10000)
    assert seen.results[request].code == code
    assert ("ready", "digits_cnn.onnx") in seen.states and not seen.errors


def test_keras_model_runs_in_a_child_process_and_agrees(qtbot, service, mnist):
    seen = Collector(service)
    canvas, code = random_mnist_canvas(mnist["x_test"], mnist["y_test"], np.random.default_rng(2))
    spec = digit_model_spec(SHIPPED_KERAS)
    assert not spec.in_process
    service.load(spec)
    request = seen.call(PostalRecognizer.recognize, canvas)
    qtbot.waitUntil(lambda: request in seen.results, timeout=60000)
    assert seen.results[request].code == code


def test_refused_model_reports_the_reason_and_the_service_recovers(qtbot, service, tmp_path):
    from tests.support.model_files import keras_model_file

    seen = Collector(service)
    bad = keras_model_file(tmp_path / "colour.h5", (32, 32, 3), 10)
    service.load(digit_model_spec(bad))
    qtbot.waitUntil(lambda: service.state == "failed", timeout=60000)
    assert "expects input 32×32×3" in seen.states[-1][1]
    unserved = seen.call(PostalRecognizer.recognize, np.full((200, 520), 255, np.uint8))
    echoed = seen.call(PostalRecognizer.recognize, np.full((200, 520), 255, np.uint8))
    all_answered(qtbot, service)
    assert unserved not in seen.errors and echoed not in seen.errors, "reported once, by the state"
    assert [s for s, _ in seen.states].count("failed") == 1
    service.load(digit_model_spec(SHIPPED_MODEL))
    request = seen.call(PostalRecognizer.recognize, np.full((200, 520), 255, np.uint8))
    qtbot.waitUntil(lambda: request in seen.results, timeout=10000)
    assert seen.results[request].code == "?????"


@pytest.mark.parametrize("in_process", [True, False])
def test_request_errors_come_back_as_messages(qtbot, service, in_process):
    seen = Collector(service)
    service.load(sleeper(in_process))
    refused = seen.call(Sleeper.refuse)
    broken = seen.call(Sleeper.break_down)
    echoed = seen.call(Sleeper.echo, "still alive")
    qtbot.waitUntil(lambda: echoed in seen.results, timeout=60000)
    assert seen.errors[refused] == "this photo is not usable"
    assert seen.errors[broken] == "ValueError: internal bug"
    assert seen.results[echoed] == "still alive"


def twin_offering(**kwargs) -> RecognizerSpec:
    return RecognizerSpec(
        TwinOffering,
        kwargs,
        in_process=False,
        twin_methods=("pid",),
    )


def test_a_child_process_model_hands_over_to_its_in_process_twin(qtbot, service):
    """Before the twin is offered, "pid" runs in the child; after, in this process, while the
    other methods stay with the child."""
    seen = Collector(service)
    service.load(twin_offering(after_calls=1))
    before = seen.call(Sleeper.pid)
    qtbot.waitUntil(lambda: before in seen.results, timeout=60000)
    assert seen.results[before] != os.getpid() and not service.serves_in_process(Sleeper.pid)
    echoed = seen.call(Sleeper.echo, "offer it now")  # the host adopts the twin after this
    after = seen.call(Sleeper.pid)
    qtbot.waitUntil(lambda: after in seen.results, timeout=60000)
    assert seen.results[echoed] == "offer it now"
    assert seen.results[after] == os.getpid()
    assert service.serves_in_process(Sleeper.pid) and not service.serves_in_process(Sleeper.echo)
    assert not seen.errors


def test_a_twin_that_cannot_be_built_leaves_the_child_serving(qtbot, service):
    seen = Collector(service)
    service.load(twin_offering(after_calls=0, twin_factory=refusing_loader))
    request = seen.call(Sleeper.pid)
    qtbot.waitUntil(lambda: request in seen.results, timeout=60000)
    assert seen.results[request] != os.getpid()
    assert not service.serves_in_process(Sleeper.pid) and not seen.errors


def test_child_process_crash_is_reported_not_fatal(qtbot, service):
    seen = Collector(service)
    service.load(sleeper(in_process=False))
    died = seen.call(Sleeper.die)
    qtbot.waitUntil(lambda: died in seen.errors, timeout=60000)
    assert "stopped unexpectedly (exit code 3)" in seen.errors[died]


def test_load_failure_in_child_process_is_reported(qtbot, service):
    seen = Collector(service)
    service.load(RecognizerSpec(refusing_loader, in_process=False))
    qtbot.waitUntil(lambda: service.state == "failed", timeout=60000)
    assert seen.states[-1] == ("failed", "this model does not fit")


def test_events_reach_the_gui_thread_from_a_child_process(qtbot, service):
    seen = Collector(service)
    service.load(sleeper(in_process=False))
    request = seen.call(Sleeper.count, 3)
    qtbot.waitUntil(lambda: request in seen.results, timeout=60000)
    assert seen.events == [{"step": 0}, {"step": 1}, {"step": 2}]


def test_superseded_requests_are_dropped(qtbot, service):
    seen = Collector(service)
    service.load(sleeper())
    qtbot.waitUntil(lambda: service.state == "ready", timeout=5000)
    gate, open_gate = threading.Event(), threading.Event()
    open_gate.set()
    first = seen.call(Sleeper.block, gate, latest=True)
    qtbot.waitUntil(lambda: "blocked" in seen.events, timeout=10000)  # the first one runs now
    stale = seen.call(Sleeper.block, open_gate, latest=True)  # these two queue behind it
    newest = seen.call(Sleeper.block, open_gate, latest=True)
    gate.set()
    qtbot.waitUntil(lambda: newest in seen.results, timeout=10000)
    all_answered(qtbot, service)
    assert stale not in seen.results and stale not in seen.errors
    assert first not in seen.results, "the running one finished superseded: its result is dropped"


def test_shutdown_while_a_child_process_is_busy_stops_everything(qtbot):
    service = ModelService("busy")
    seen = Collector(service)
    service.load(sleeper(in_process=False))
    pid_request = seen.call(Sleeper.pid)
    qtbot.waitUntil(lambda: pid_request in seen.results, timeout=60000)
    child = seen.results[pid_request]
    seen.call(Sleeper.sleep, 60)
    qtbot.waitUntil(lambda: {"sleeping": 60} in seen.events, timeout=10000)  # the child is busy
    started = time.monotonic()
    service.shutdown()
    assert time.monotonic() - started < 10
    assert not service._thread.isRunning()
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(child, 0)
            time.sleep(0.1)


def test_shutdown_while_loading_in_thread_waits_for_it(qtbot):
    service = ModelService("loading")
    with qtbot.waitSignal(service.sig_state_changed, timeout=10000) as loading:
        service.load(sleeper(load_seconds=0.5))
    assert loading.args[0] == "loading"
    service.shutdown()
    assert not service._thread.isRunning()
