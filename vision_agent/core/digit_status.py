"""How sure a digit reading is: `ok`, `unsure`, `blank` or `not_digit`, from calibrated outputs.

A digit model gives ten probabilities (digits 0-9) or eleven (the shipped model adds "not a
digit"). The probabilities are tempered (temperature scaling, fitted on real writers kept out of
training) and then judged: the likeliest class is "not a digit" → `not_digit`; the likeliest
digit below the model's threshold → `unsure` (with the top two as alternatives); else `ok`.
The temperature and threshold of the shipped model come from its card (`calibration`); other
models get neutral defaults.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np

DIGIT_CLASSES = 10


class DigitStatus(str, Enum):
    OK = "ok"
    UNSURE = "unsure"
    BLANK = "blank"
    NOT_DIGIT = "not_digit"


@dataclass(frozen=True)
class Calibration:
    temperature: float = 1.0
    unsure_below: float = 0.80


def calibration_for(model_path: str | Path) -> Calibration:
    """The calibration stored in the model's card (`NAME.card.json` beside it), or defaults."""
    card = Path(model_path).with_suffix(".card.json")
    try:
        stored = json.loads(card.read_text(encoding="utf-8"))["calibration"]
        calibration = Calibration(float(stored["temperature"]), float(stored["unsure_below"]))
    except (OSError, ValueError, KeyError, TypeError):
        return Calibration()
    if not (calibration.temperature > 0 and 0 < calibration.unsure_below <= 1):
        return Calibration()
    return calibration


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by each row's maximum so that exp never overflows."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def tempered(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Softmax(log p / T), row by row: the same ranking, sharper or softer confidences."""
    if temperature == 1.0:
        return probabilities
    return softmax(np.log(np.clip(probabilities, 1e-12, 1.0)) / temperature)


@dataclass(frozen=True)
class Judgement:
    digit: int | None
    confidence: float
    status: DigitStatus
    not_digit: float
    alternatives: tuple[tuple[int, float], ...]


def judge(row: np.ndarray, calibration: Calibration) -> Judgement:
    """One box's (tempered) probabilities, 10 or 11 of them, as a digit with its status."""
    digits = row[:DIGIT_CLASSES]
    not_digit = float(row[DIGIT_CLASSES]) if len(row) > DIGIT_CLASSES else 0.0
    order = np.argsort(digits)[::-1]
    best = int(order[0])
    confidence = float(digits[best])
    alternatives = tuple((int(d), float(digits[d])) for d in order[:2])
    if not_digit > confidence:
        return Judgement(None, not_digit, DigitStatus.NOT_DIGIT, not_digit, alternatives)
    status = DigitStatus.UNSURE if confidence < calibration.unsure_below else DigitStatus.OK
    return Judgement(best, confidence, status, not_digit, alternatives)
