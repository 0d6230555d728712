"""Calibrating a digit model's confidence on real writers kept out of training.

Fitted, in this order:
- the temperature that makes the tempered probabilities of the true digits likeliest (minimal
  negative log-likelihood);
- the digits' centres in the model's feature space (`core/digit_centres.py`), from digits of
  the writers the model trained on (`pendigits.tra` rows drawn as on the canvas), never from the
  kept-out writers;
- the doubt score `margin + w · logit(confidence)`: `w` gives the confidence `CONFIDENCE_SHARE`
  of the margin's say, both measured by their spread over the kept-out readings;
- the thresholds: the highest that leave at most `MAX_RIGHT_FLAGGED` of the right readings not
  `ok` (one on the doubt score; one on the confidence alone, for when features are missing).

The figures are measured on the data fitted (in-sample) and cross-validated over writers: fitted
on five writers and judged on the sixth, each in turn, and fitted on half the writers and judged
on the other half, every way — what a new writer will see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from vision_agent.core.digit_centres import FeatureCentres, centres_path
from vision_agent.core.digit_status import (
    DIGIT_CLASSES,
    Calibration,
    DigitStatus,
    FeatureDoubt,
    judge,
    logit,
    tempered,
)

if TYPE_CHECKING:
    from vision_agent.core.postal import PostalRecognizer

MAX_RIGHT_FLAGGED = 0.016  # the target is ≤ 3 %; new writers' right readings are flagged more
CONFIDENCE_SHARE = 0.5  # the confidence's say in the doubt score, beside the feature margin's
TEMPERATURES = np.exp(np.linspace(np.log(0.25), np.log(4.0), 61))
REFERENCE_COPIES = 2  # each training row drawn this many times (random pen, size, slant, place)


@dataclass(frozen=True)
class CalibrationSet:
    """Kept-out digits as the model reads them: raw outputs, features, labels, writers."""

    probabilities: np.ndarray
    features: np.ndarray
    labels: np.ndarray
    writers: np.ndarray

    def subset(self, mask: np.ndarray) -> CalibrationSet:
        return CalibrationSet(
            self.probabilities[mask], self.features[mask], self.labels[mask], self.writers[mask]
        )


@dataclass(frozen=True)
class CalibrationFigures:
    readings: int
    wrong: int
    wrong_flagged: float  # share of wrong readings that are unsure or not_digit
    right_flagged: float  # share of right readings that are not ok

    def as_card(self) -> dict:
        return {
            "readings": self.readings,
            "wrong": self.wrong,
            "wrong_flagged": round(self.wrong_flagged, 4),
            "right_flagged": round(self.right_flagged, 4),
        }


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    rows = np.arange(len(labels))

    def nll(t: float) -> float:
        return float(-np.log(np.clip(tempered(probabilities, t)[rows, labels], 1e-12, 1)).mean())

    return float(min(TEMPERATURES, key=nll))


def statuses(data: CalibrationSet, calibration: Calibration) -> tuple[np.ndarray, np.ndarray]:
    """The digit read (-1: none) and whether the reading is flagged (not `ok`), per reading."""
    rows = tempered(data.probabilities, calibration.temperature)
    margins = None
    if calibration.doubt is not None:
        margins = calibration.doubt.centres.margins(data.features)
    judged = judge(rows, calibration, margins)
    digits = np.array([-1 if j.digit is None else j.digit for j in judged])
    return digits, np.array([j.status is not DigitStatus.OK for j in judged])


def figures(data: CalibrationSet, calibration: Calibration) -> CalibrationFigures:
    digits, flagged = statuses(data, calibration)
    right = digits == data.labels
    return CalibrationFigures(
        readings=len(data.labels),
        wrong=int((~right).sum()),
        wrong_flagged=float(flagged[~right].mean()) if (~right).any() else 1.0,
        right_flagged=float(flagged[right].mean()) if right.any() else 0.0,
    )


def _threshold(right_scores: np.ndarray) -> float:
    """The score below which at most `MAX_RIGHT_FLAGGED` of these right readings fall."""
    ordered = np.sort(right_scores)
    allowed = int(np.floor(MAX_RIGHT_FLAGGED * len(ordered)))
    return float(ordered[min(allowed, len(ordered) - 1)])


def fit(data: CalibrationSet, centres: FeatureCentres | None = None) -> Calibration:
    """The calibration fitted on these readings, with the feature doubt when `centres`."""
    temperature = round(fit_temperature(data.probabilities, data.labels), 4)
    sharpened = tempered(data.probabilities, temperature)
    rows = np.arange(len(data.labels))
    digits = sharpened[:, :DIGIT_CLASSES].argmax(axis=1)
    confidence = sharpened[rows, digits]
    right = digits == data.labels
    if sharpened.shape[1] > DIGIT_CLASSES:
        right &= sharpened[:, DIGIT_CLASSES] <= confidence
    if not right.any():
        return Calibration(temperature)
    calibration = Calibration(temperature, round(_threshold(confidence[right]), 6))
    margins = None if centres is None else centres.margins(data.features)
    if margins is None:
        return calibration
    margin = margins[rows, digits]
    spread = float(logit(confidence).std())
    weight = round(CONFIDENCE_SHARE * float(margin.std()) / max(spread, 1e-9), 6)
    below = _threshold(FeatureDoubt(centres, weight, 0.0).score(margin, confidence)[right])
    return replace(calibration, doubt=FeatureDoubt(centres, weight, round(below, 6)))


def leave_one_writer_out(writers: np.ndarray) -> list[np.ndarray]:
    return [np.array([w]) for w in np.unique(writers)]


def every_half(writers: np.ndarray) -> list[np.ndarray]:
    """Every way to pick half the writers (20 for six): each is judged, fitted on the rest."""
    unique = np.unique(writers)
    return [np.array(group) for group in combinations(unique, len(unique) // 2)]


def cross_validated(
    data: CalibrationSet, centres: FeatureCentres | None, held_out: Sequence[np.ndarray]
) -> CalibrationFigures:
    """For each group of writers: fit on the others, judge that group; summed over groups (a
    reading in several groups counts once for each)."""
    readings = 0
    wrong = wrong_flagged = right = right_flagged = 0.0
    for group in held_out:
        judged = np.isin(data.writers, group)
        result = figures(data.subset(judged), fit(data.subset(~judged), centres))
        readings += result.readings
        wrong += result.wrong
        wrong_flagged += result.wrong_flagged * result.wrong
        right += result.readings - result.wrong
        right_flagged += result.right_flagged * (result.readings - result.wrong)
    return CalibrationFigures(
        readings=readings,
        wrong=int(wrong),
        wrong_flagged=wrong_flagged / wrong if wrong else 1.0,
        right_flagged=right_flagged / right if right else 0.0,
    )


def calibration_set(recognizer: PostalRecognizer, writers_file: str | Path) -> CalibrationSet:
    """Every kept-out digit drawn in every check variant, as the recognizer's model reads it."""
    from vision_agent.training.digit_checks import VARIANTS, real_writer_inputs

    parts = []
    for placement in VARIANTS.values():
        x, y, w = real_writer_inputs(writers_file, placement)
        parts.append((recognizer.predictor(x), recognizer.features(x), y, w))
    return CalibrationSet(*(np.concatenate(column) for column in zip(*parts, strict=True)))


def reference_centres(recognizer: PostalRecognizer, pen_rows_file: str | Path) -> FeatureCentres:
    """The digits' centres in the model's feature space, from the training writers' rows
    (`pendigits.tra`), each drawn `REFERENCE_COPIES` times as the training corpus draws them."""
    from vision_agent.training.digit_corpus import drawn_inputs, pen_row_digit
    from vision_agent.training.pen_digits import read_resampled

    points, labels = read_resampled(pen_rows_file)
    x, kept = drawn_inputs(
        points, labels, pen_row_digit, REFERENCE_COPIES, np.random.default_rng(0)
    )
    features = np.vstack([recognizer.features(x[i : i + 1024]) for i in range(0, len(x), 1024)])
    return FeatureCentres.fit(features, kept)


def calibrate_card(
    model_path: str | Path, writers_file: str | Path, pen_rows_file: str | Path | None = None
) -> tuple[Calibration, CalibrationFigures]:
    """Fit the model's calibration on the kept-out writers and store it in its card (and its
    centres, from `pen_rows_file`, beside it). Returns the calibration and its figures
    cross-validated leaving one writer out (also stored in the card)."""
    import json

    from vision_agent.core.postal import PostalRecognizer
    from vision_agent.training.digits import file_digest

    model_path = Path(model_path)
    recognizer = PostalRecognizer.from_file(model_path)
    data = calibration_set(recognizer, writers_file)
    centres = None if pen_rows_file is None else reference_centres(recognizer, pen_rows_file)
    calibration = fit(data, centres)
    by_writer = cross_validated(data, centres, leave_one_writer_out(data.writers))
    by_halves = cross_validated(data, centres, every_half(data.writers))
    card_path = model_path.with_suffix(".card.json")
    card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.is_file() else {}
    stored: dict = {
        "temperature": calibration.temperature,
        "unsure_below": calibration.unsure_below,
    }
    if calibration.doubt is not None and pen_rows_file is not None:
        path = centres_path(model_path)
        calibration.doubt.centres.save(path)
        stored["feature_doubt"] = {
            "confidence_weight": calibration.doubt.confidence_weight,
            "unsure_below": calibration.doubt.unsure_below,
            "centres": file_digest(path),
            "centres_from": f"{file_digest(Path(pen_rows_file))}, each row drawn "
            f"{REFERENCE_COPIES}× as in training",
        }
    stored["fitted_on"] = file_digest(Path(writers_file)) + ", every check variant"
    stored["max_right_flagged"] = MAX_RIGHT_FLAGGED
    stored["in_sample"] = figures(data, calibration).as_card()
    stored["cross_validated"] = {
        "leave_one_writer_out": by_writer.as_card(),
        "half_the_writers_every_way": by_halves.as_card(),
    }
    card["calibration"] = stored
    card_path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return calibration, by_writer
