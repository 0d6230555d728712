"""Self-test of the postal-code service: the shipped model reads a drawn code."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from vision_agent.core.errors import UserError
from vision_agent.core.postal import CANVAS_HEIGHT, CANVAS_WIDTH, box_rect
from vision_agent.paths import resource
from vision_agent.selftest import CheckResult

# The Keras twin of the shipped ONNX model: loading it proves TensorFlow works in the child process
# (in a frozen bundle: that tensorflow and keras were collected and multiprocessing spawn works).
SHIPPED_KERAS_MODEL = resource("models", "digits", "digits_cnn.keras")

# Strokes of a few digits in a 0..1 box: easy shapes any digit model should read.
_STROKES = {
    "1": [[(0.5, 0.1), (0.5, 0.9)]],
    "7": [[(0.2, 0.15), (0.8, 0.15), (0.4, 0.9)]],
    "0": [[(0.5 + 0.28 * np.cos(t), 0.5 + 0.4 * np.sin(t)) for t in np.linspace(0, 6.4, 40)]],
}


def draw_code(code: str) -> np.ndarray:
    """A canvas with `code` (digits 0, 1, 7) drawn in the boxes, black on white."""
    canvas = np.full((CANVAS_HEIGHT, CANVAS_WIDTH), 255, np.uint8)
    for index, char in enumerate(code):
        x, y, w, h = box_rect(index)
        for stroke in _STROKES[char]:
            points = np.array(
                [(x + 15 + px * (w - 30), y + 10 + py * (h - 20)) for px, py in stroke]
            )
            cv2.polylines(canvas, [points.astype(np.int32)], False, 0, 8, cv2.LINE_AA)
    return canvas


def _read_drawn_code(name: str, model: Path) -> CheckResult:
    """Load `model` through its service (a child process for Keras) and read a drawn code."""
    from vision_agent.core.postal import PostalRecognizer
    from vision_agent.engine.recipes import digit_model_spec
    from vision_agent.services.headless import call_service_once

    if not model.is_file():
        return CheckResult(name, False, f"missing {model}")
    try:
        reading = call_service_once(
            digit_model_spec(model), PostalRecognizer.recognize, draw_code("10701")
        )
    except UserError as exc:
        return CheckResult(name, False, str(exc))
    ok = reading.code == "10701"
    detail = f"{model.name} read {reading.code} (expected 10701) in {reading.latency_ms:.1f} ms"
    return CheckResult(name, ok, detail)


def self_test_checks() -> list[CheckResult]:
    from vision_agent.core.postal import SHIPPED_MODEL

    return [
        _read_drawn_code("postal: shipped digit model through the service", SHIPPED_MODEL),
        _read_drawn_code("postal: Keras model through the process host", SHIPPED_KERAS_MODEL),
    ]
