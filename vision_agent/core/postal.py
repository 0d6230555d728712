"""The five-digit postal-code canvas and its recognizer (the course's programs 8-3 and 8-4).

The canvas is 520×200 white paper with five 100×100 boxes at x = 10 + 100·i, y = 50..150.
Each box is cut out, normalised like MNIST (see `digits.py`), and the five inputs are classified
in one batch. A blank box reads as no digit ("?" in the code), never as a guess.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from vision_agent.core.digits import MNIST_SIZE, drawing_problem, ink_from_gray, normalize_digit
from vision_agent.core.errors import ImageReadError
from vision_agent.core.imageio import read_photo
from vision_agent.core.predictors import Predictor, load_predictor, needs_tensorflow
from vision_agent.core.regions import Region, region_for_code
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.paths import resource

CANVAS_WIDTH, CANVAS_HEIGHT = 520, 200
BOX_COUNT, BOX_SIZE, BOX_LEFT, BOX_TOP = 5, 100, 10, 50
BOX_MARGIN = 3  # pixels inside each box edge ignored (box outlines in saved screenshots)
UNSURE_BELOW = 0.80
DIGIT_INPUT_SHAPE = (MNIST_SIZE, MNIST_SIZE, 1)
SHIPPED_MODEL = resource("models", "digits", "digits_cnn.onnx")


def digit_model_spec(path: str | Path) -> RecognizerSpec:
    """How to host a digit model: OpenCV files in the worker thread, Keras files in a process."""
    path = Path(path)
    return RecognizerSpec(
        factory="vision_agent.core.postal:PostalRecognizer.from_file",
        kwargs={"path": str(path)},
        in_process=not needs_tensorflow(path),
        label=path.name,
    )


def box_rect(index: int) -> tuple[int, int, int, int]:
    """(x, y, width, height) of box `index` (0..4) on the canvas."""
    return BOX_LEFT + BOX_SIZE * index, BOX_TOP, BOX_SIZE, BOX_SIZE


@dataclass(frozen=True)
class DigitReading:
    """One box: the digit (None when the box is blank), its confidence and all ten probabilities."""

    digit: int | None
    confidence: float
    probabilities: tuple[float, ...] = ()

    @property
    def unsure(self) -> bool:
        return self.digit is not None and self.confidence < UNSURE_BELOW

    @property
    def symbol(self) -> str:
        return "?" if self.digit is None else str(self.digit)


@dataclass(frozen=True)
class PostalReading:
    """The whole canvas: five readings, the code ('?' for blanks), its region, and the inputs."""

    digits: tuple[DigitReading, ...]
    inputs: np.ndarray = field(repr=False)  # (5, 28, 28) float32, zeros for blank boxes
    latency_ms: float = 0.0

    @property
    def code(self) -> str:
        return "".join(d.symbol for d in self.digits)

    @property
    def region(self) -> Region | None:
        return region_for_code(self.code)

    def to_json(self, file: str | None = None) -> dict:
        record: dict = {} if file is None else {"file": file}
        record["code"] = self.code
        record["digits"] = [
            {"digit": d.digit, "confidence": round(d.confidence, 4)} for d in self.digits
        ]
        region = self.region
        record["region"] = None if region is None else {"ko": region.ko, "en": region.en}
        record["latency_ms"] = round(self.latency_ms, 2)
        return record


def canvas_from_rgb(image: np.ndarray) -> np.ndarray:
    """Grayscale 520×200 canvas from any RGB image (resized if it has another size)."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    if gray.shape != (CANVAS_HEIGHT, CANVAS_WIDTH):
        gray = cv2.resize(gray, (CANVAS_WIDTH, CANVAS_HEIGHT), interpolation=cv2.INTER_AREA)
    return gray


def read_canvas(path: str | Path) -> np.ndarray:
    """A saved drawing (the tab's PNG format) as a grayscale canvas; refused if not ink on paper."""
    photo = read_photo(path, max_side=2 * CANVAS_WIDTH)
    width, height = photo.original_size
    if height < 20 or width < 50:
        raise ImageReadError(f"{path} is too small ({width}×{height}) to be a drawing.")
    problem = drawing_problem(photo.rgb)
    if problem is not None:
        raise ImageReadError(f"{path} is not a drawing of dark ink on light paper: {problem}.")
    return canvas_from_rgb(photo.rgb)


def canvas_inputs(canvas_gray: np.ndarray) -> tuple[np.ndarray, list[bool]]:
    """The five 28×28 model inputs and which boxes hold a digit."""
    inputs = np.zeros((BOX_COUNT, MNIST_SIZE, MNIST_SIZE), np.float32)
    present = []
    for i in range(BOX_COUNT):
        x, y, w, h = box_rect(i)
        m = BOX_MARGIN
        crop = canvas_gray[y + m : y + h - m, x + m : x + w - m]
        digit = normalize_digit(ink_from_gray(crop))
        present.append(digit is not None)
        if digit is not None:
            inputs[i] = digit
    return inputs, present


def _as_probabilities(outputs: np.ndarray) -> np.ndarray:
    """Softmax unless the model already returns probabilities (course models end in softmax)."""
    outputs = outputs.astype(np.float64)
    sums = outputs.sum(axis=1)
    if np.all(outputs >= -1e-6) and np.allclose(sums, 1.0, atol=1e-3):
        return outputs
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


class PostalRecognizer:
    """Reads the five boxes of a canvas with a digit model (28×28×1 in, 10 probabilities out)."""

    def __init__(self, predictor: Predictor) -> None:
        self.predictor = predictor
        self._check_outputs()

    @classmethod
    def from_file(cls, path: str | Path) -> PostalRecognizer:
        return cls(load_predictor(path, DIGIT_INPUT_SHAPE))

    @property
    def model_name(self) -> str:
        return self.predictor.name

    def _check_outputs(self) -> None:
        from vision_agent.core.errors import ModelLoadError

        probe = np.zeros((2, *DIGIT_INPUT_SHAPE), np.float32)
        probe[1] = 1.0  # a box full of ink: a model can be finite on blank and overflow on ink
        outputs = self.predictor(probe)
        if outputs.shape[1] != 10:
            raise ModelLoadError(
                f"{self.predictor.name} gives {outputs.shape[1]} outputs; a digit model "
                "must give 10 (one per digit 0-9)."
            )
        if not np.isfinite(outputs).all():
            raise ModelLoadError(
                f"{self.predictor.name} gives NaN or infinite outputs on a test input."
            )

    def recognize(self, canvas_gray: np.ndarray) -> PostalReading:
        started = time.perf_counter()
        inputs, present = canvas_inputs(canvas_gray)
        readings = [DigitReading(None, 0.0)] * BOX_COUNT
        indices = [i for i, p in enumerate(present) if p]
        if indices:
            probabilities = _as_probabilities(self.predictor(inputs[indices][..., None]))
            for row, i in zip(probabilities, indices, strict=True):
                best = int(row.argmax())
                readings[i] = DigitReading(best, float(row[best]), tuple(float(p) for p in row))
        latency = (time.perf_counter() - started) * 1000
        return PostalReading(tuple(readings), inputs, latency)

    def recognize_file(self, path: str | Path) -> PostalReading:
        return self.recognize(read_canvas(path))
