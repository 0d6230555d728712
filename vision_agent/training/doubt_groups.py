"""The unsure rule chosen across groups of handwriting, and judged on groups it never saw.

A group is one pen writer (`pendigits-orig-writers1-6.tes`, every way of drawing) or one block
of real mail (a USPS fold the model never trained on). The rule is `digit_status.judge`'s: a
reading is flagged when "not a digit" wins or when `margin + w · logit(confidence)` is under a
threshold. Two settings shape it: the share of right readings the threshold may flag on the
groups it is fitted on (`budget`), and the confidence's say beside the feature margin (`share`,
which sets `w`). They are chosen by leaving one group out at a time (`choose`), and the figures
reported are nested (`nested`): for each group, the settings are chosen and the rule fitted on
the other groups only, then that group is judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from vision_agent.core.digit_centres import FeatureCentres, centres_path
from vision_agent.core.digit_status import DIGIT_CLASSES, logit, tempered
from vision_agent.training.digit_calibration import (
    REFERENCE_COPIES,
    CalibrationFigures,
    fit_temperature,
    reference_centres,
)
from vision_agent.training.usps import KEPT_OUT_FOLDS, USPS_WAYS, read_usps, usps_box, usps_folds

if TYPE_CHECKING:
    from vision_agent.core.postal import PostalRecognizer

BUDGETS = (0.005, 0.01, 0.015, 0.02, 0.025, 0.03)
SHARES = (0.25, 0.5, 1.0, 2.0)
RIGHT_FLAGGED_LIMIT = 0.03  # the target: at most 3 % of right readings flagged
USPS_GROUP = 100  # the group of USPS fold f is 100 + f; pen writers keep their numbers
BATCH = 1024  # boxes read at a time


@dataclass(frozen=True)
class Settings:
    budget: float
    share: float


@dataclass(frozen=True)
class Rule:
    """A fitted rule: the temperature, the confidence-only threshold, and the doubt score's
    weight and threshold (see `digit_status.Calibration` and `FeatureDoubt`)."""

    temperature: float
    unsure_below: float
    weight: float
    below: float


@dataclass(frozen=True)
class GroupedReadings:
    """Readings of kept-out digits: raw outputs, each digit's feature margin per reading (n, 10),
    the true labels and each reading's group."""

    probabilities: np.ndarray
    margins: np.ndarray
    labels: np.ndarray
    groups: np.ndarray

    def subset(self, mask: np.ndarray) -> GroupedReadings:
        return GroupedReadings(
            self.probabilities[mask], self.margins[mask], self.labels[mask], self.groups[mask]
        )


def _read(data: GroupedReadings, temperature: float):
    """(digit read, its confidence, its margin, whether 'not a digit' wins) per reading."""
    sharpened = tempered(data.probabilities, temperature)
    rows = np.arange(len(data.labels))
    digits = sharpened[:, :DIGIT_CLASSES].argmax(axis=1)
    confidence = sharpened[rows, digits]
    not_digit = np.zeros(len(rows), bool)
    if sharpened.shape[1] > DIGIT_CLASSES:
        not_digit = sharpened[:, DIGIT_CLASSES] > confidence
    return digits, confidence, data.margins[rows, digits], not_digit


def _quantile(right_scores: np.ndarray, budget: float) -> float:
    ordered = np.sort(right_scores)
    return float(ordered[min(int(np.floor(budget * len(ordered))), len(ordered) - 1)])


def fit_rules(data: GroupedReadings, grid: list[Settings]) -> dict[Settings, Rule]:
    """The rule fitted on these readings for each of the settings (one temperature for all)."""
    temperature = round(fit_temperature(data.probabilities, data.labels), 4)
    digits, confidence, margin, not_digit = _read(data, temperature)
    right = (digits == data.labels) & ~not_digit
    spread = max(float(logit(confidence).std()), 1e-9)
    rules = {}
    for settings in grid:
        weight = settings.share * float(margin.std()) / spread
        score = margin + weight * logit(confidence)
        rules[settings] = Rule(
            temperature,
            _quantile(confidence[right], settings.budget),
            weight,
            _quantile(score[right], settings.budget),
        )
    return rules


def judged(data: GroupedReadings, rule: Rule) -> tuple[np.ndarray, np.ndarray]:
    """Whether each reading is right and whether it is flagged (not `ok`), as `judge` would."""
    digits, confidence, margin, not_digit = _read(data, rule.temperature)
    flagged = not_digit | (margin + rule.weight * logit(confidence) < rule.below)
    return (digits == data.labels) & ~not_digit, flagged


def figures(right: np.ndarray, flagged: np.ndarray) -> CalibrationFigures:
    return CalibrationFigures(
        readings=len(right),
        wrong=int((~right).sum()),
        wrong_flagged=float(flagged[~right].mean()) if (~right).any() else 1.0,
        right_flagged=float(flagged[right].mean()) if right.any() else 0.0,
    )


GRID = [Settings(b, s) for b, s in product(BUDGETS, SHARES)]


def choose(data: GroupedReadings, grid: list[Settings] = GRID) -> Settings:
    """The settings that flag the most wrong readings of a left-out group, summed over leaving
    each group out, among those flagging at most `RIGHT_FLAGGED_LIMIT` of its right ones."""
    outcomes = {s: ([], []) for s in grid}
    for group in np.unique(data.groups):
        out = data.groups == group
        rules = fit_rules(data.subset(~out), grid)
        for settings, rule in rules.items():
            right, flagged = judged(data.subset(out), rule)
            outcomes[settings][0].append(right)
            outcomes[settings][1].append(flagged)
    scored = []
    for rights, flags in outcomes.values():
        f = figures(np.concatenate(rights), np.concatenate(flags))
        scored.append((f.right_flagged <= RIGHT_FLAGGED_LIMIT, f.wrong_flagged, -f.right_flagged))
    best = max(range(len(grid)), key=lambda i: scored[i])
    return grid[best]


def nested(data: GroupedReadings) -> dict[int, tuple[np.ndarray, np.ndarray, Settings]]:
    """For each group: (right, flagged) of its readings under the rule chosen and fitted on the
    other groups only, and the settings chosen there."""
    result = {}
    for group in np.unique(data.groups):
        out = data.groups == group
        rest = data.subset(~out)
        settings = choose(rest)
        rule = fit_rules(rest, [settings])[settings]
        right, flagged = judged(data.subset(out), rule)
        result[int(group)] = (right, flagged, settings)
    return result


def grouped_readings(
    recognizer: PostalRecognizer,
    writers_file: str | Path,
    centres: FeatureCentres,
    usps_file: str | Path,
    folds: tuple[int, ...] = KEPT_OUT_FOLDS,
) -> GroupedReadings:
    """Every kept-out group's digits in every way of drawing, as the model reads them, with
    feature margins from `centres` (of the training writers' rows: `reference_centres`)."""
    from vision_agent.training.digit_checks import VARIANTS, real_writer_inputs
    from vision_agent.training.digit_corpus import normalized_box

    inputs, labels, groups = [], [], []
    for placement in VARIANTS.values():
        x, y, w = real_writer_inputs(writers_file, placement)
        inputs.append(x)
        labels.append(y)
        groups.append(w)
    frames, digit_labels = read_usps(usps_file)
    fold_of = usps_folds(len(digit_labels))
    kept = np.isin(fold_of, folds)
    for height, pen_change in USPS_WAYS.values():
        boxes = [normalized_box(usps_box(f, height, pen_change=pen_change)) for f in frames[kept]]
        present = np.array([b is not None for b in boxes])
        inputs.append(np.array([b for b in boxes if b is not None], np.float32)[..., None])
        labels.append(digit_labels[kept][present])
        groups.append(USPS_GROUP + fold_of[kept][present])
    x = np.concatenate(inputs)
    outputs, margins = [], []
    for start in range(0, len(x), BATCH):  # the network's activations of 50,000 boxes are GBs
        batch = x[start : start + BATCH]
        outputs.append(recognizer.predictor(batch))
        margins.append(centres.margins(recognizer.features(batch)))
    outputs, margins = np.concatenate(outputs), np.concatenate(margins)
    return GroupedReadings(outputs, margins, np.concatenate(labels), np.concatenate(groups))


def calibrate_across_groups(
    model_path: str | Path,
    writers_file: str | Path,
    pen_rows_file: str | Path,
    usps_file: str | Path,
) -> tuple[Settings, dict[str, CalibrationFigures]]:
    """Choose the settings over the kept-out groups, fit the rule on all of them, and store it
    in the model's card with the digits' centres beside the model. Returns the settings and
    the nested figures (pen writers, real mail) also stored in the card."""
    import json

    from vision_agent.core.postal import PostalRecognizer
    from vision_agent.training.digits import file_digest

    model_path = Path(model_path)
    recognizer = PostalRecognizer.from_file(model_path)
    centres = reference_centres(recognizer, pen_rows_file)
    data = grouped_readings(recognizer, writers_file, centres, usps_file)
    settings = choose(data)
    rule = fit_rules(data, [settings])[settings]
    per_group = nested(data)
    checked = {}
    for kind, members in (
        ("pen_writers", [g for g in per_group if g < USPS_GROUP]),
        ("usps_folds", [g for g in per_group if g >= USPS_GROUP]),
    ):
        right = np.concatenate([per_group[g][0] for g in members])
        flagged = np.concatenate([per_group[g][1] for g in members])
        checked[kind] = figures(right, flagged)
    path = centres_path(model_path)
    centres.save(path)
    card_path = model_path.with_suffix(".card.json")
    card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.is_file() else {}
    card["calibration"] = {
        "temperature": rule.temperature,
        "unsure_below": round(rule.unsure_below, 6),
        "feature_doubt": {
            "confidence_weight": round(rule.weight, 6),
            "unsure_below": round(rule.below, 6),
            "centres": file_digest(path),
            "centres_from": f"{file_digest(Path(pen_rows_file))}, each row drawn "
            f"{REFERENCE_COPIES}× as in training",
        },
        "fitted_on": f"{file_digest(Path(writers_file))} (writers 1–6, every check variant) and "
        f"{file_digest(Path(usps_file))} folds {', '.join(map(str, KEPT_OUT_FOLDS))} "
        f"({', '.join(USPS_WAYS)}): {len(data.labels)} readings, none trained on",
        "settings_chosen": {
            "budget": settings.budget,
            "confidence_share": settings.share,
            "how": "leaving one group (a writer, a USPS fold) out at a time: the most wrong "
            f"readings flagged with at most {RIGHT_FLAGGED_LIMIT:.0%} of right ones flagged",
        },
        "nested_held_out_groups": {
            "how": "each group judged by a rule whose settings were chosen and fitted on the "
            "other groups only",
            **{kind: f.as_card() for kind, f in checked.items()},
        },
    }
    card_path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return settings, checked
