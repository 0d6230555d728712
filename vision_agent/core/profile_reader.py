"""Reading with a handwriting profile: the model's answer, corrected by the user's own samples.

For each box, the taught samples nearest in the model's feature space (cosine similarity) vote
for their labels; only samples more similar than `SIMILAR_ABOVE` vote, and a vote counts more
the closer the sample is. The vote is blended into the model's probabilities; with no sample
near, the model's probabilities are returned unchanged — so an empty profile reads exactly as
the general model. Teaching is instant (no training): a taught sample is one row in the index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision_agent.core.digit_features import FeatureExtractor, normalized

NEIGHBOURS = 5
SIMILAR_ABOVE = 0.60  # cosine similarity below which a taught sample has no say
PROFILE_WEIGHT = 0.95  # share of the blended probabilities the profile gets at full strength
FULL_STRENGTH = 1.0  # summed vote weight at which the profile has its full share


@dataclass
class ProfileIndex:
    """The taught samples in feature space."""

    features: np.ndarray  # (n, d), unit rows
    labels: np.ndarray  # (n,)

    @classmethod
    def build(cls, extract: FeatureExtractor, inputs: np.ndarray, labels: np.ndarray):
        if not len(labels):
            return cls(np.zeros((0, 1), np.float32), np.zeros(0, np.int64))
        return cls(normalized(extract(inputs)), np.asarray(labels, np.int64))

    def __len__(self) -> int:
        return len(self.labels)


def adapt(
    probabilities: np.ndarray, features: np.ndarray, index: ProfileIndex
) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities blended with the profile's votes, which rows' likeliest class changed)."""
    if not len(index):
        return probabilities, np.zeros(len(probabilities), bool)
    classes = probabilities.shape[1]
    similarity = normalized(features) @ index.features.T  # (n, m)
    k = min(NEIGHBOURS, len(index))
    nearest = np.argsort(-similarity, axis=1)[:, :k]
    blended = probabilities.copy()
    for row, picks in enumerate(nearest):
        weights = np.clip((similarity[row, picks] - SIMILAR_ABOVE) / (1 - SIMILAR_ABOVE), 0, 1)
        total = float(weights.sum())
        if total <= 0:
            continue
        votes = np.zeros(classes)
        for label, weight in zip(index.labels[picks], weights, strict=True):
            if label < classes:
                votes[label] += weight
        if votes.sum() <= 0:
            continue
        share = PROFILE_WEIGHT * min(1.0, total / FULL_STRENGTH)
        blended[row] = (1 - share) * probabilities[row] + share * votes / votes.sum()
    changed = blended.argmax(axis=1) != probabilities.argmax(axis=1)
    return blended, changed
