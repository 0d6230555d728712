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
    def empty(cls) -> ProfileIndex:
        return cls(np.zeros((0, 1), np.float32), np.zeros(0, np.int64))

    @classmethod
    def build(cls, extract: FeatureExtractor, inputs: np.ndarray, labels: np.ndarray):
        if not len(labels):
            return cls.empty()
        return cls(normalized(extract(inputs)), np.asarray(labels, np.int64))

    def extended(self, other: ProfileIndex) -> ProfileIndex:
        """This index with `other`'s samples added."""
        if not len(self):
            return other
        return ProfileIndex(
            np.vstack([self.features, other.features]),
            np.concatenate([self.labels, other.labels]),
        )

    def __len__(self) -> int:
        return len(self.labels)


def adapt(probabilities: np.ndarray, features: np.ndarray, index: ProfileIndex) -> np.ndarray:
    """The probabilities blended with the votes of the profile's nearby samples."""
    if not len(index):
        return probabilities
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
        # a "not a digit" sample has no say with a model that has no such class
        votes = np.bincount(index.labels[picks], weights, minlength=classes + 1)[:classes]
        if votes.sum() <= 0:
            continue
        share = PROFILE_WEIGHT * min(1.0, total / FULL_STRENGTH)
        blended[row] = (1 - share) * probabilities[row] + share * votes / votes.sum()
    return blended
