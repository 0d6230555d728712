"""The five-digit postal-code canvas and its recognizer (the course's programs 8-3 and 8-4).

The canvas is 520×200 white paper with five 100×100 boxes at x = 10 + 100·i, y = 50..150.
Each box is cut out, normalised like MNIST (see `digits.py`), and the five inputs are classified
in one batch. A blank box reads as no digit ("?" in the code), never as a guess.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from vision_agent.core.digit_features import (
    FeatureExtractor,
    JointOnnxRun,
    features_for,
    onnx_features,
    pixel_features,
)
from vision_agent.core.digit_status import (
    Calibration,
    DigitStatus,
    calibration_for,
    judge,
    tempered,
)
from vision_agent.core.digit_variants import reshaped
from vision_agent.core.digits import (
    INK_THRESHOLD,
    MIN_INK_PIXELS,
    MNIST_SIZE,
    drawing_problem,
    ink_from_gray,
    normalize_digits,
)
from vision_agent.core.errors import ImageReadError, UserError
from vision_agent.core.imageio import read_photo
from vision_agent.core.predictors import (
    Predictor,
    load_predictor,
    require_model_file,
)
from vision_agent.core.probabilities import as_probabilities
from vision_agent.core.profile_reader import ProfileIndex, VoteSettings, adapt
from vision_agent.core.regions import Region, region_for_code
from vision_agent.core.taught_samples import TaughtSamples
from vision_agent.paths import resource

if TYPE_CHECKING:
    from vision_agent.core.digit_explain import BoxExplanation
    from vision_agent.core.layer_activations import LayerReader

CANVAS_WIDTH, CANVAS_HEIGHT = 520, 200
BOX_COUNT, BOX_SIZE, BOX_LEFT, BOX_TOP = 5, 100, 10, 50
BOX_MARGIN = 3  # pixels inside each box edge ignored (box outlines in saved screenshots)
DIGIT_INPUT_SHAPE = (MNIST_SIZE, MNIST_SIZE, 1)
SHIPPED_MODEL = resource("models", "digits", "digits_cnn.onnx")
VARIANT_MARGIN = 0.01  # mean log-probability a variant must gain on the taught samples to be used


def box_rect(index: int) -> tuple[int, int, int, int]:
    """(x, y, width, height) of box `index` (0..4) on the canvas."""
    return BOX_LEFT + BOX_SIZE * index, BOX_TOP, BOX_SIZE, BOX_SIZE


@dataclass(frozen=True)
class DigitReading:
    """One box: the digit (None when blank or no digit), its confidence and status, the ten
    digit probabilities, the likeliest two digits and the probability of "not a digit"."""

    digit: int | None
    confidence: float
    probabilities: tuple[float, ...] = ()
    status: DigitStatus = DigitStatus.BLANK
    alternatives: tuple[tuple[int, float], ...] = ()
    not_digit: float = 0.0
    by_profile: bool = False  # the handwriting profile changed the model's answer
    crosses_edge: bool = False  # ink of one stroke lies in this box and beyond its edge

    @property
    def unsure(self) -> bool:
        return self.status is DigitStatus.UNSURE

    def to_json(self) -> dict:
        record: dict = {
            "digit": self.digit,
            "confidence": round(self.confidence, 4),
            "status": self.status.value,
        }
        if self.status is not DigitStatus.BLANK:
            record["alternatives"] = [[d, round(p, 4)] for d, p in self.alternatives]
        if self.by_profile:
            record["by_profile"] = True
        if self.crosses_edge:
            record["crosses_edge"] = True
        return record

    @property
    def symbol(self) -> str:
        return "?" if self.digit is None else str(self.digit)


@dataclass(frozen=True)
class PostalReading:
    """The whole canvas: five readings, the code ('?' for blanks), its region, and the inputs."""

    digits: tuple[DigitReading, ...]
    inputs: np.ndarray = field(repr=False)  # (5, 28, 28) float32, zeros for blank boxes
    latency_ms: float = 0.0
    ink_outside: bool = False  # ink outside every box, which is not read

    @property
    def code(self) -> str:
        """The likeliest digits, unsure ones included ('?' for a box without one)."""
        return "".join(d.symbol for d in self.digits)

    @property
    def crossing_boxes(self) -> tuple[int, ...]:
        """The boxes whose digit crosses the box's edge."""
        return tuple(i for i, d in enumerate(self.digits) if d.crosses_edge)

    @property
    def marked_code(self) -> str:
        """The code as the tab shows it: `?` for an unsure digit, `_` blank, `✗` no digit."""
        marks = {DigitStatus.UNSURE: "?", DigitStatus.BLANK: "_", DigitStatus.NOT_DIGIT: "✗"}
        return "".join(marks.get(d.status, d.symbol) for d in self.digits)

    @property
    def region(self) -> Region | None:
        """The region of the code's first two digits when both are sure (it is named by them;
        an unsure guess names none) and every box holds a digit."""
        sure = self.marked_code
        if not sure[:2].isdigit() or any(d.digit is None for d in self.digits):
            return None
        return region_for_code(self.code)

    def region_name(self, language: str) -> str | None:
        """The code's region in one language ("ko": its Korean name, else English), or None."""
        region = self.region
        if region is None:
            return None
        return region.ko if language == "ko" else region.en

    def taught_labels(self, code: str) -> dict[int, int] | None:
        """'That was: 48058' as {box: digit} for the boxes holding ink ('?' skips a box); None
        unless the code is five characters, each a digit or '?'."""
        if len(code) != BOX_COUNT or set(code) - set("0123456789?"):
            return None
        inked = [d.status is not DigitStatus.BLANK for d in self.digits]
        return {i: int(c) for i, c in enumerate(code) if c != "?" and inked[i]}

    def taught_boxes(self, labels: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """The (n, 28, 28) inputs of these boxes ({box: right label}), in box order, and their
        labels: what teaching them adds to the profile."""
        boxes = sorted(labels)
        return self.inputs[boxes], np.array([labels[i] for i in boxes])

    def to_json(self, file: str | None = None) -> dict:
        record: dict = {} if file is None else {"file": file}
        record["code"] = self.code
        record["digits"] = [d.to_json() for d in self.digits]
        region = self.region
        record["region"] = None if region is None else {"ko": region.ko, "en": region.en}
        record["latency_ms"] = round(self.latency_ms, 2)
        if self.ink_outside:
            record["ink_outside"] = True
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


def _read_area(index: int) -> tuple[slice, slice]:
    x, y, w, h = box_rect(index)
    m = BOX_MARGIN
    return slice(y + m, y + h - m), slice(x + m, x + w - m)


_READ_AREAS = [_read_area(i) for i in range(BOX_COUNT)]


def box_ink(canvas_gray: np.ndarray, index: int) -> np.ndarray:
    """The ink inside box `index` (0 = paper), without the box's edge."""
    return ink_from_gray(canvas_gray[_READ_AREAS[index]])


def canvas_inputs(canvas_gray: np.ndarray) -> tuple[np.ndarray, list[bool]]:
    """The five 28×28 model inputs and which boxes hold a digit."""
    inputs, present = normalize_digits(
        ink_from_gray(np.stack([canvas_gray[a] for a in _READ_AREAS]))
    )
    return inputs, present.tolist()


OVERFLOW_PIXELS = 12  # ink of a box's stroke this far past its edge (beyond the margin) counts


def _box_maps() -> tuple[np.ndarray, np.ndarray]:
    """Per canvas pixel: the box whose read area it is in (-1: none), and whether it lies past
    every box's edge by more than the margin."""
    place = np.full((CANVAS_HEIGHT, CANVAS_WIDTH), -1, np.int16)
    beyond = np.ones((CANVAS_HEIGHT, CANVAS_WIDTH), bool)
    m = BOX_MARGIN
    for i in range(BOX_COUNT):
        x, y, w, h = box_rect(i)
        place[y + m : y + h - m, x + m : x + w - m] = i
        beyond[max(y - m, 0) : y + h + m, max(x - m, 0) : x + w + m] = False
    return place, beyond


_PLACE, _BEYOND = _box_maps()
_READ_TOP, _READ_BOTTOM = BOX_TOP + BOX_MARGIN, BOX_TOP + BOX_SIZE - BOX_MARGIN
_UNREAD_COLUMNS = np.flatnonzero(_PLACE[_READ_TOP] < 0)  # beside and between the read areas


def ink_layout(canvas_gray: np.ndarray) -> tuple[bool, frozenset[int]]:
    """Where the canvas's ink lies: (whether a stroke lies outside every box, the boxes whose
    strokes also reach into another box or past the box's edge). A stroke is a connected
    piece of ink; the 3 px just inside and beyond each box edge are tolerated."""
    darkest = min(
        canvas_gray[:_READ_TOP].min(),
        canvas_gray[_READ_BOTTOM:].min(),
        canvas_gray[_READ_TOP:_READ_BOTTOM, _UNREAD_COLUMNS].min(),
    )  # the darkest pixel outside the boxes' read areas
    if darkest > 255 - INK_THRESHOLD:
        return False, frozenset()  # all ink inside read areas, which no stroke joins
    ink = (ink_from_gray(canvas_gray) >= INK_THRESHOLD).astype(np.uint8)
    count, pieces, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    outside, crossing = False, set()
    for piece in range(1, count):
        left, top, width, height, area = (int(v) for v in stats[piece])
        window = (slice(top, top + height), slice(left, left + width))
        mine = pieces[window] == piece
        boxes = np.bincount(_PLACE[window][mine] + 1, minlength=BOX_COUNT + 1)[1:]
        inside = np.flatnonzero(boxes >= MIN_INK_PIXELS)
        spilled = int(np.count_nonzero(_BEYOND[window][mine]))
        if len(inside) > 1 or (len(inside) == 1 and spilled >= OVERFLOW_PIXELS):
            crossing.update(int(b) for b in inside)
        elif not len(inside) and area >= MIN_INK_PIXELS:
            outside = True
    return outside, frozenset(crossing)


def _crossing(reading: DigitReading) -> DigitReading:
    """A digit whose strokes cross its box's edge: read from part of it, so unsure."""
    status = DigitStatus.UNSURE if reading.status is DigitStatus.OK else reading.status
    return dataclasses.replace(reading, status=status, crosses_edge=True)


class PostalRecognizer:
    """Reads the five boxes of a canvas with a digit model (28×28×1 in; 10 probabilities out, or
    11 with "not a digit"), judging each reading with the model's calibration."""

    def __init__(
        self,
        predictor: Predictor,
        calibration: Calibration | None = None,
        features: Callable[[], FeatureExtractor] = lambda: pixel_features,
        path: Path | None = None,
        joint: JointOnnxRun | None = None,
    ) -> None:
        self.predictor = predictor
        self.calibration = calibration or Calibration()
        self._make_features = features
        self._joint = joint  # an ONNX model's outputs and features in one pass
        self._features: FeatureExtractor | None = joint
        self.profile = ProfileIndex.empty()
        self.vote_settings = VoteSettings()  # how the profile's samples vote (bench: others)
        self.variant_margin: float | None = VARIANT_MARGIN
        self.taught = TaughtSamples(self.run, self.variant_margin)
        self.path = path  # the model file, for looking inside it (see `explain`)
        self._layers: LayerReader | None = None
        self._check_outputs()

    @classmethod
    def from_file(cls, path: str | Path) -> PostalRecognizer:
        """The model loaded once: an ONNX graph in onnxruntime (~4× faster than OpenCV DNN for
        this network, and the same pass gives the handwriting profile's features), anything
        else through `load_predictor`; a Keras model is shared with its features and layers."""
        path = require_model_file(path)  # before anything opens it (a FIFO would block)
        joint = onnx_features(path, DIGIT_INPUT_SHAPE) if path.suffix.lower() == ".onnx" else None
        if joint is None:
            predictor = load_predictor(path, DIGIT_INPUT_SHAPE)
        else:
            predictor = Predictor(path.name, "onnxruntime", DIGIT_INPUT_SHAPE, joint.outputs)
        return cls(predictor, calibration_for(path), lambda: features_for(predictor), path, joint)

    def _extractor(self) -> FeatureExtractor:
        if self._features is None:
            self._features = self._make_features()
        return self._features

    def features(self, inputs: np.ndarray) -> np.ndarray:
        """The model's features of (n, 28, 28, 1) inputs (the extractor is built on first use)."""
        return self._extractor()(np.asarray(inputs, np.float32))

    def use_profile(self, inputs: np.ndarray, labels: np.ndarray) -> int:
        """Read with these taught samples from now on (none: the general model); their count."""
        self.taught = TaughtSamples(self.run, self.variant_margin)
        return self.teach(inputs, labels)

    def teach(self, inputs: np.ndarray, labels: np.ndarray) -> int:
        """Add taught samples to the profile in use; the profile's new size."""
        self.taught.add(inputs, labels)
        self.profile = self.taught.index
        return len(self.profile)

    @property
    def variant(self) -> str:
        """How this user's boxes are redrawn before the model reads them (`digit_variants`)."""
        return self.taught.variant

    def run(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(n, 28, 28, 1) inputs as the model's probabilities and features."""
        batch = np.asarray(batch, np.float32)
        if self._joint is not None:
            outputs, features = self._joint.both(batch)
        else:
            outputs, features = self.predictor(batch), self.features(batch)
        return as_probabilities(outputs), features

    @property
    def model_name(self) -> str:
        return self.predictor.name

    def _check_outputs(self) -> None:
        from vision_agent.core.errors import ModelLoadError

        probe = np.zeros((2, *DIGIT_INPUT_SHAPE), np.float32)
        probe[1] = 1.0  # a box full of ink: a model can be finite on blank and overflow on ink
        outputs = self.predictor(probe)
        if outputs.shape[1] not in (10, 11):
            raise ModelLoadError(
                f"{self.predictor.name} gives {outputs.shape[1]} outputs; a digit model "
                "must give 10 (one per digit 0-9), or 11 with 'not a digit' last."
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
            judged = self.read_boxes(inputs[indices][..., None])
            for reading, i in zip(judged, indices, strict=True):
                readings[i] = reading
        outside, crossing = ink_layout(canvas_gray)
        for i in crossing:
            if readings[i].digit is not None or readings[i].status is DigitStatus.NOT_DIGIT:
                readings[i] = _crossing(readings[i])
        latency = (time.perf_counter() - started) * 1000
        return PostalReading(tuple(readings), inputs, latency, outside)

    def read_boxes(self, boxes: np.ndarray) -> list[DigitReading]:
        """(n, 28, 28, 1) inputs of boxes holding ink, read with the profile when one is in use.

        An ONNX model gives its outputs and features in one onnxruntime pass; with a profile,
        the boxes are redrawn the way chosen for its user first."""
        boxes = reshaped(boxes, self.variant)
        if self._joint is not None:
            return self.readings(*self._joint.both(boxes))
        if not len(self.profile) and self.calibration.doubt is None:
            return self.readings(self.predictor(boxes))
        return self.readings(self.predictor(boxes), self.features(boxes))

    def readings(
        self, outputs: np.ndarray, features: np.ndarray | None = None
    ) -> list[DigitReading]:
        """Model outputs as calibrated readings, judged with the boxes' feature margins when
        their `features` are given and the model has stored centres, and corrected by the
        handwriting profile in use. A box the profile votes on is judged by its confidence
        alone (the user's own samples are its reference there), and is sure wherever those
        samples vouch for its digit (`ProfileVote.vouches`); a reading is marked
        `by_profile` when the profile changed its digit or its status."""
        probabilities = as_probabilities(outputs)
        general = tempered(probabilities, self.calibration.temperature)
        margins = self._margins(features)
        readings = self._judged(general, margins)
        if not len(self.profile) or features is None:
            return readings
        vote = adapt(probabilities, features, self.profile, self.vote_settings)
        adapted = tempered(vote.probabilities, self.calibration.temperature)
        voted = vote.voted
        if margins is not None:
            margins = np.where(voted[:, None], np.nan, margins)  # judged by confidence alone
        result = []
        judged = self._judged(adapted, margins)
        for box, (before, after) in enumerate(zip(readings, judged, strict=True)):
            if after.status is DigitStatus.UNSURE and voted[box] and vote.vouches(box, after.digit):
                after = dataclasses.replace(after, status=DigitStatus.OK)
            changed = (after.digit, after.status) != (before.digit, before.status)
            result.append(dataclasses.replace(after, by_profile=changed))
        return result

    def _margins(self, features: np.ndarray | None) -> np.ndarray | None:
        """The boxes' feature margins per digit, (n, 10), when they can be had."""
        doubt = self.calibration.doubt
        return None if doubt is None or features is None else doubt.centres.margins(features)

    def _judged(self, rows: np.ndarray, margins: np.ndarray | None) -> list[DigitReading]:
        return [
            DigitReading(j.digit, j.confidence, tuple(row), j.status, j.alternatives, j.not_digit)
            for j, row in zip(
                judge(rows, self.calibration, margins), rows[:, :10].tolist(), strict=True
            )
        ]

    def recognize_file(self, path: str | Path) -> PostalReading:
        return self.recognize(read_canvas(path))

    def explain(self, canvas_gray: np.ndarray, box: int) -> BoxExplanation | None:
        """What each layer makes of box `box` ("Inside the network"); None if it is blank."""
        from vision_agent.core.digit_explain import digit_layer_reader, explain_digit

        if self.path is None:
            raise UserError(f"{self.model_name} was not loaded from a file: nothing to look into.")
        if self._layers is None:
            self._layers = digit_layer_reader(
                self.path, DIGIT_INPUT_SHAPE, self.predictor.keras_model
            )
        return explain_digit(self._layers, box_ink(canvas_gray, box), box, self.model_name)
