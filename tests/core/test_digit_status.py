"""Judging digit readings: each box by its own probabilities and feature margins alone."""

from __future__ import annotations

import numpy as np

from vision_agent.core.digit_centres import FeatureCentres
from vision_agent.core.digit_status import Calibration, DigitStatus, FeatureDoubt, judge


def _rows(rng: np.random.Generator, count: int) -> np.ndarray:
    """Eleven probabilities per row, some sharp, some flat, some with tied digits."""
    rows = rng.dirichlet(np.full(11, 0.3), count)
    rows[::7, 3] = rows[::7, 5] = rows[::7, :10].max(axis=1)  # a tie for the likeliest digit
    rows[::9, 10] = 0.9  # "not a digit" wins
    return rows / rows.sum(axis=1, keepdims=True)


def test_a_batch_is_judged_row_by_row_and_nan_margins_mean_confidence_alone():
    rng = np.random.default_rng(4)
    rows = _rows(rng, 300)
    centres = FeatureCentres(np.eye(4, dtype=np.float32), np.zeros((10, 4), np.float32))
    doubt = Calibration(1.0, 0.8, FeatureDoubt(centres, 0.3, 0.5))
    margins = rng.normal(0, 1, (300, 10)).astype(np.float32)
    margins[::4] = np.nan
    together = judge(rows, doubt, margins)
    for i in range(len(rows)):
        alone = None if np.isnan(margins[i]).all() else margins[i : i + 1]
        assert together[i] == judge(rows[i : i + 1], doubt, alone)[0]
    statuses = {j.status for j in together}
    assert statuses == {DigitStatus.OK, DigitStatus.UNSURE, DigitStatus.NOT_DIGIT}
    confidence_only = judge(rows, Calibration(1.0, 0.8))
    assert [together[i] for i in range(0, 300, 4)] == confidence_only[::4]
