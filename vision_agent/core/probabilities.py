"""Probabilities from a model's outputs: softmax, unless the outputs already are probabilities."""

from __future__ import annotations

import numpy as np

SUM_TOLERANCE = 1e-3 + 1e-5  # |row sum − 1| of a distribution (as np.isclose(sum, 1, atol=1e-3))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by each row's maximum so that exp never overflows."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def log_softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise log softmax, shifted by each row's maximum as `softmax` is."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def as_probabilities(scores: np.ndarray) -> np.ndarray:
    """(N, K) float64 probabilities: the scores themselves when each row already is a
    distribution (a model ending in softmax, as the course's do), else their softmax."""
    scores = np.asarray(scores, np.float64)
    if (scores >= -1e-6).all() and (np.abs(scores.sum(axis=1) - 1.0) <= SUM_TOLERANCE).all():
        return scores
    return softmax(scores)
