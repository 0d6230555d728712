"""How sure a digit reading is: `ok`, `unsure`, `blank` or `not_digit`, from calibrated outputs.

A digit model gives ten probabilities (digits 0-9) or eleven (the shipped model adds "not a
digit"). The probabilities are tempered (temperature scaling, fitted on real writers kept out of
training) and then judged: the likeliest class is "not a digit" → `not_digit`; a reading in
doubt → `unsure` (with the top two as alternatives); else `ok`.

Doubt has two signals. The network's own confidence (the likeliest digit's probability) is
one; the other is where the reading's features lie among the digits (`digit_centres`: its
margin, how much nearer it is to its digit's centre than to another's). A model with stored
centres judges the sum `margin + weight · logit(confidence)` against a threshold; without them
(or for a box the handwriting profile read) the confidence alone is compared with
`unsure_below`. The shipped model's temperature, weight and thresholds come from its card
(`calibration`), its centres from the file beside it; other models get neutral defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import NamedTuple

import numpy as np

from vision_agent.core.digit_centres import FeatureCentres, centres_path
from vision_agent.core.errors import UserError
from vision_agent.core.probabilities import softmax
from vision_agent.core.user_files import read_user_json

DIGIT_CLASSES = 10
CARD_MAX_BYTES = 1 << 20  # a card is a few hundred bytes


class DigitStatus(str, Enum):
    OK = "ok"
    UNSURE = "unsure"
    BLANK = "blank"
    NOT_DIGIT = "not_digit"


@dataclass(frozen=True)
class FeatureDoubt:
    """Unsure when `margin + confidence_weight · logit(confidence)` is below `unsure_below`."""

    centres: FeatureCentres
    confidence_weight: float
    unsure_below: float

    def score(self, margin: np.ndarray, confidence: np.ndarray) -> np.ndarray:
        """The doubt score (lower: more doubt), elementwise."""
        return margin + self.confidence_weight * logit(confidence)


@dataclass(frozen=True)
class Calibration:
    temperature: float = 1.0
    unsure_below: float = 0.80  # on the confidence, when the feature doubt cannot be used
    doubt: FeatureDoubt | None = None


def logit(p: np.ndarray) -> np.ndarray:
    """log(p / (1 − p)), elementwise, finite for p = 0 and p = 1."""
    p = np.minimum(np.maximum(np.asarray(p, np.float64), 1e-7), 1 - 1e-7)  # np.clip, leaner
    return np.log(p) - np.log1p(-p)


def calibration_for(model_path: str | Path) -> Calibration:
    """The calibration stored in the model's card (`NAME.card.json` beside it) with the
    centres stored beside the model, or defaults; a card without usable centres gives the
    confidence threshold alone."""
    card = Path(model_path).with_suffix(".card.json")
    try:
        stored = read_user_json(card, "a model card", CARD_MAX_BYTES)["calibration"]
        calibration = Calibration(float(stored["temperature"]), float(stored["unsure_below"]))
        feature_doubt = stored.get("feature_doubt")
        weight, below = (
            (float(feature_doubt["confidence_weight"]), float(feature_doubt["unsure_below"]))
            if feature_doubt is not None
            else (0.0, 0.0)
        )
    except (UserError, ValueError, KeyError, TypeError, AttributeError):
        return Calibration()
    if not (calibration.temperature > 0 and 0 < calibration.unsure_below <= 1):
        return Calibration()
    centres = FeatureCentres.load(centres_path(model_path)) if feature_doubt else None
    if centres is None or not (np.isfinite(weight) and weight >= 0 and np.isfinite(below)):
        return calibration
    return Calibration(
        calibration.temperature, calibration.unsure_below, FeatureDoubt(centres, weight, below)
    )


def tempered(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Softmax(log p / T), row by row: the same ranking, sharper or softer confidences."""
    if temperature == 1.0:
        return probabilities
    return softmax(np.log(np.minimum(np.maximum(probabilities, 1e-12), 1.0)) / temperature)


class Judgement(NamedTuple):  # a tuple: five boxes' are made on every reading
    digit: int | None
    confidence: float
    status: DigitStatus
    not_digit: float
    alternatives: tuple[tuple[int, float], ...]


def judge(
    rows: np.ndarray, calibration: Calibration, margins: np.ndarray | None = None
) -> list[Judgement]:
    """Boxes' (tempered) probabilities, (n, 10) or (n, 11), as digits with their statuses; the
    feature doubt is used when the calibration has one and the boxes' `margins` (n, 10), one
    per digit (see `FeatureCentres.margins`), are given: a box whose margins are NaN is judged
    by its confidence alone. Each box is judged on its own row only."""
    digits = rows[:, :DIGIT_CLASSES]
    count = np.arange(len(rows))
    top_two = np.argsort(digits, axis=1)[:, ::-1][:, :2]
    best, confidence = top_two[:, 0], digits[count, top_two[:, 0]]
    unsure = confidence < calibration.unsure_below
    if calibration.doubt is not None and margins is not None:
        margin = margins[count, best]
        scored = ~np.isnan(margin)
        score = calibration.doubt.score(margin[scored], confidence[scored])
        unsure[scored] = score < calibration.doubt.unsure_below
    not_digit = rows[:, DIGIT_CLASSES] if rows.shape[1] > DIGIT_CLASSES else np.zeros(len(rows))
    judged = []
    for (first, second), p1, p2, none_p, doubted in zip(
        top_two.tolist(), confidence.tolist(), digits[count, top_two[:, 1]].tolist(),
        not_digit.tolist(), unsure.tolist(), strict=True,
    ):  # fmt: skip
        alternatives = ((first, p1), (second, p2))
        if none_p > p1:
            judged.append(Judgement(None, none_p, DigitStatus.NOT_DIGIT, none_p, alternatives))
        else:
            status = DigitStatus.UNSURE if doubted else DigitStatus.OK
            judged.append(Judgement(first, p1, status, none_p, alternatives))
    return judged
