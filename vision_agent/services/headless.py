"""Running a model service without a window (self-test, scripts): load, call once, return."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PyQt5.QtCore import QCoreApplication, QEventLoop, QTimer

from vision_agent.core.errors import UserError
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.services.model_service import ModelService, ModelState


def call_service_once(
    spec: RecognizerSpec, method: Callable[..., Any], *args: Any, timeout_s: float = 180.0
) -> Any:
    """Load `spec` in a ModelService thread, run `method(*args)` there, and return the result.

    Raises UserError with the service's message if loading or the call fails or times out.
    """
    app = QCoreApplication.instance() or QCoreApplication([])
    service = ModelService("headless")
    loop = QEventLoop()
    outcome: dict[str, Any] = {}

    def on_result(result: Any) -> None:
        outcome["result"] = result
        loop.quit()

    def on_error(message: str) -> None:
        outcome.setdefault("error", message)
        loop.quit()

    def on_state(state: str, detail: str) -> None:
        if state in (ModelState.FAILED, ModelState.MISSING):
            on_error(detail)

    service.sig_state_changed.connect(on_state)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    try:
        service.load(spec)
        service.call(method, *args).then(on_result, on_error)
        loop.exec_()
    finally:
        service.shutdown()
        del app
    if "error" in outcome:
        raise UserError(outcome["error"])
    if "result" not in outcome:
        raise UserError(f"{spec.describe()}: no answer within {timeout_s:.0f} s")
    return outcome["result"]
