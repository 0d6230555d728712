"""Calibrating a digit model's confidence on real writers kept out of training.

Two numbers are fitted: a temperature (the one that makes the tempered probabilities of the true
digits likeliest, i.e. minimal negative log-likelihood) and the confidence below which a reading
is called `unsure`: the highest threshold that leaves at most `MAX_RIGHT_FLAGGED` of the right
readings not `ok`, so that as many wrong readings as possible are flagged. The figures are
measured both on the data fitted (in-sample) and by two-fold cross-validation over writers
(fit on half the writers, judge the other half), which is what a new writer will see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vision_agent.core.digit_status import Calibration, DigitStatus, judge, tempered

MAX_RIGHT_FLAGGED = 0.025  # the target is ≤ 3 %; keep a margin for writers not seen
TEMPERATURES = np.exp(np.linspace(np.log(0.25), np.log(4.0), 61))


@dataclass(frozen=True)
class CalibrationFigures:
    readings: int
    wrong: int
    wrong_flagged: float  # share of wrong readings that are unsure or not_digit
    right_flagged: float  # share of right readings that are not ok


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    rows = np.arange(len(labels))

    def nll(t: float) -> float:
        return float(-np.log(np.clip(tempered(probabilities, t)[rows, labels], 1e-12, 1)).mean())

    return float(min(TEMPERATURES, key=nll))


def statuses(
    probabilities: np.ndarray, calibration: Calibration
) -> tuple[np.ndarray, list[DigitStatus]]:
    judged = [judge(row, calibration) for row in tempered(probabilities, calibration.temperature)]
    digits = np.array([-1 if j.digit is None else j.digit for j in judged])
    return digits, [j.status for j in judged]


def figures(probabilities: np.ndarray, labels: np.ndarray, calibration: Calibration):
    digits, states = statuses(probabilities, calibration)
    right = digits == labels
    flagged = np.array([s is not DigitStatus.OK for s in states])
    return CalibrationFigures(
        readings=len(labels),
        wrong=int((~right).sum()),
        wrong_flagged=float(flagged[~right].mean()) if (~right).any() else 1.0,
        right_flagged=float(flagged[right].mean()) if right.any() else 0.0,
    )


def fit(probabilities: np.ndarray, labels: np.ndarray) -> Calibration:
    temperature = fit_temperature(probabilities, labels)
    probe = Calibration(temperature, 0.0)
    sharpened = tempered(probabilities, temperature)
    digits, states = statuses(probabilities, probe)
    right = (digits == labels) & np.array([s is DigitStatus.OK for s in states])
    confidences = np.sort(sharpened[right, :10].max(axis=1))
    allowed = int(np.floor(MAX_RIGHT_FLAGGED * len(confidences)))
    threshold = float(confidences[min(allowed, len(confidences) - 1)]) if len(confidences) else 0.8
    return Calibration(round(temperature, 4), round(threshold, 6))


def cross_validated(
    probabilities: np.ndarray, labels: np.ndarray, writers: np.ndarray
) -> CalibrationFigures:
    """Fit on half the writers, judge the other half, and the other way round; summed."""
    unique = np.unique(writers)
    halves = (unique[: len(unique) // 2], unique[len(unique) // 2 :])
    wrong = wrong_flagged = right = right_flagged = 0.0
    for fit_on, judge_on in (halves, halves[::-1]):
        train, test = np.isin(writers, fit_on), np.isin(writers, judge_on)
        calibration = fit(probabilities[train], labels[train])
        result = figures(probabilities[test], labels[test], calibration)
        wrong += result.wrong
        wrong_flagged += result.wrong_flagged * result.wrong
        right += result.readings - result.wrong
        right_flagged += result.right_flagged * (result.readings - result.wrong)
    return CalibrationFigures(
        readings=len(labels),
        wrong=int(wrong),
        wrong_flagged=wrong_flagged / wrong if wrong else 1.0,
        right_flagged=right_flagged / right if right else 0.0,
    )


def calibration_set(
    predict: Callable[[np.ndarray], np.ndarray], writers_file
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw probabilities of every kept-out digit drawn in every check variant, with labels."""
    from vision_agent.training.digit_checks import VARIANTS, real_writer_inputs

    probabilities, labels, writers = [], [], []
    for placement in VARIANTS.values():
        x, y, w = real_writer_inputs(writers_file, placement)
        probabilities.append(predict(x))
        labels.append(y)
        writers.append(w)
    return np.vstack(probabilities), np.concatenate(labels), np.concatenate(writers)


def calibrate_card(model_path, writers_file) -> tuple[Calibration, CalibrationFigures]:
    """Fit the model's calibration on the kept-out writers and store it in its card.

    Returns the calibration and its cross-validated figures (also stored in the card).
    """
    import json
    from pathlib import Path

    from vision_agent.core.postal import DIGIT_INPUT_SHAPE
    from vision_agent.core.predictors import load_predictor
    from vision_agent.training.digits import file_digest

    predictor = load_predictor(model_path, DIGIT_INPUT_SHAPE)
    probabilities, labels, writers = calibration_set(predictor, writers_file)
    calibration = fit(probabilities, labels)
    checked = cross_validated(probabilities, labels, writers)
    card_path = Path(model_path).with_suffix(".card.json")
    card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.is_file() else {}
    card["calibration"] = {
        "temperature": calibration.temperature,
        "unsure_below": calibration.unsure_below,
        "fitted_on": file_digest(Path(writers_file)) + ", every check variant",
        "cross_validated_over_writers": {
            "readings": checked.readings,
            "wrong": checked.wrong,
            "wrong_flagged": round(checked.wrong_flagged, 4),
            "right_flagged": round(checked.right_flagged, 4),
        },
    }
    card_path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return calibration, checked
