"""The samples a user taught, and what they adapt: the way the user's boxes are redrawn
(`digit_variants`) and the index whose samples vote (`profile_reader`).

Teaching one code stays quick however large the profile: each sample's log-probability of its
label under every way of redrawing is computed once, when it is taught (five boxes, one pass per
way), and the choice is made from those numbers on the newest `CHOICE_SAMPLES` samples that vote
(a slip, see `ProfileIndex`, must not choose the way; which samples are slips is judged on the
boxes as drawn, whatever the way). Only a change of the way redraws and indexes every sample
again.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from vision_agent.core.digit_variants import (
    AS_DRAWN,
    CHOICE_FEWEST,
    CHOICE_SAMPLES,
    VARIANTS,
    chosen_variant,
    reshaped,
)
from vision_agent.core.profile_reader import ProfileIndex

ModelRun = Callable[
    [np.ndarray], tuple[np.ndarray, np.ndarray]
]  # inputs → (probabilities, features)


def index_of(run: ModelRun, inputs: np.ndarray, labels: np.ndarray, variant: str) -> ProfileIndex:
    if not len(labels):
        return ProfileIndex.empty()
    probabilities, features = run(reshaped(inputs, variant))
    return ProfileIndex.of(features, labels, probabilities)


def _label_log_probabilities(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """log p(label) per sample (0 for a label beyond the model's outputs: no say)."""
    known = labels < probabilities.shape[1]
    own = np.ones(len(labels))
    own[known] = probabilities[np.flatnonzero(known), labels[known]]
    return np.log(np.clip(own, 1e-9, 1.0))


class TaughtSamples:
    """The profile's samples as the recognizer uses them; `margin`: how much mean
    log-probability a way of redrawing must gain over the boxes as drawn (None: never)."""

    def __init__(self, run: ModelRun, margin: float | None) -> None:
        self.run, self.margin = run, margin
        self.inputs = np.zeros((0, 28, 28, 1), np.float32)
        self.labels = np.zeros(0, np.int64)
        self._log_p = np.zeros((0, len(VARIANTS)))  # per sample and way
        self._as_drawn = ProfileIndex.empty()
        self.variant = AS_DRAWN
        self.index = ProfileIndex.empty()

    def add(self, inputs: np.ndarray, labels: np.ndarray) -> None:
        inputs, labels = np.asarray(inputs, np.float32), np.asarray(labels, np.int64)
        if not len(labels):
            return
        self.inputs = np.concatenate([self.inputs, inputs])
        self.labels = np.concatenate([self.labels, labels])
        # one model pass: the new samples as drawn, and the other ways only for the newest of
        # them (a whole profile loaded at once costs one pass more than before, not five)
        newest = inputs[-2 * CHOICE_SAMPLES :]
        ways = [name for name in VARIANTS if name != AS_DRAWN and self.margin is not None]
        probabilities, features = self.run(
            np.concatenate([inputs] + [reshaped(newest, name) for name in ways])
        )
        count, k = len(labels), len(newest)
        self._as_drawn = self._as_drawn.extended(
            ProfileIndex.of(features[:count], labels, probabilities[:count])
        )
        redrawn = {
            name: (probabilities[start : start + k], features[start : start + k])
            for name, start in zip(ways, range(count, len(features), k), strict=True)
        }
        rows = np.full((count, len(VARIANTS)), np.nan)
        for column, name in enumerate(VARIANTS):
            if name == AS_DRAWN:
                own = self._as_drawn.label_probability[-count:]
                rows[:, column] = np.log(np.clip(own, 1e-9, 1.0))
            elif name in redrawn:
                rows[-k:, column] = _label_log_probabilities(redrawn[name][0], labels[-k:])
        self._log_p = np.concatenate([self._log_p, rows])
        variant = self.chosen(self.margin)
        if variant == AS_DRAWN:
            self.index = self._as_drawn
        else:  # which samples are slips is judged as drawn, whatever the way of redrawing
            kept = variant == self.variant
            index = self._redrawn(
                len(self.labels) - count if kept else 0, variant, redrawn[variant]
            )
            index = self.index.extended(index) if kept else index
            self.index = index.with_votes(self._as_drawn.votes)
        self.variant = variant

    def _redrawn(
        self, first: int, variant: str, newest: tuple[np.ndarray, np.ndarray]
    ) -> ProfileIndex:
        """The index of samples `first`… redrawn `variant`'s way; the newest samples' outputs
        are at hand (`newest`: their probabilities and features), the rest are run."""
        older = self.inputs[first : len(self.labels) - len(newest[0])]
        probabilities, features = newest
        if len(older):
            run = self.run(reshaped(older, variant))
            probabilities = np.concatenate([run[0], probabilities])
            features = np.concatenate([run[1], features])
        return ProfileIndex.of(features, self.labels[first:], probabilities)

    def chosen(self, margin: float | None) -> str:
        """The way of redrawing these samples call for with `margin` (as drawn until
        `CHOICE_FEWEST` of them vote)."""
        if np.count_nonzero(self._as_drawn.votes) < CHOICE_FEWEST:
            return AS_DRAWN
        return chosen_variant(self.scores(), margin)

    def scores(self) -> dict[str, float]:
        """Per way of redrawing, the mean log-probability of the labels of the newest
        `CHOICE_SAMPLES` samples that vote (all 0 without a margin: nothing to choose)."""
        newest = self._log_p[self._as_drawn.votes][-CHOICE_SAMPLES:]
        scored = newest[~np.isnan(newest).any(axis=1)]  # every way known (see `add`)
        means = scored.mean(axis=0) if len(scored) else np.zeros(len(VARIANTS))
        return {name: float(m) for name, m in zip(VARIANTS, means, strict=True)}
