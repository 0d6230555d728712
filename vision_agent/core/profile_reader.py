"""Reading with a handwriting profile: the model's answer, corrected by the user's own samples.

For each box, the taught samples nearest in the model's feature space (cosine similarity) vote
for their labels; only samples more similar than `similar_above` vote, and a vote counts more
the closer the sample is. The vote is blended into the model's probabilities; with no sample
near, the model's probabilities are returned unchanged — so an empty profile reads exactly as
the general model. Teaching is instant (no training): a taught sample is one row in the index.

The user's samples also decide how sure such a reading is (`ProfileVote.vouches`): where they
vote strongly and nearly all for the digit read (`VoteSettings.vouch_at` of summed weight
and `vouch_share` of all the votes), the reading is sure even when the general model doubted it —
a writer's open 4, taught a few times, is then read as a sure 4 and no longer flagged. Where
they disagree among themselves, the blended confidence is judged as before.
The settings were chosen by leaving one pen writer out (bench/postal_teaching.py,
docs/postal_accuracy.md, "Teaching").
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from vision_agent.core.digit_features import normalized
from vision_agent.core.handwriting_profile import NOT_A_DIGIT_LABEL


@dataclass(frozen=True)
class VoteSettings:
    neighbours: int = 5
    similar_above: float = 0.60  # cosine similarity below which a taught sample has no say
    weight: float = 0.95  # share of the blended probabilities the profile gets at full strength
    full_strength: float = 1.0  # summed vote weight at which the profile has its full share
    vouch_at: float | None = 1.0  # summed weight for the digit read from which the samples
    vouch_share: float = 0.8  # vouch for it, when it also has this share of all their votes
    slips_silent: bool = True  # samples that look like slips (see `ProfileIndex`) have no vote


DOUBTED_BELOW = 0.05  # the model's probability of a taught label under which the sample is doubted
OWN_SIMILAR = 0.8  # cosine similarity at which two taught samples are drawings of one shape


@dataclass
class ProfileIndex:
    """The taught samples in feature space, with the model's probability of each one's label.

    A taught sample votes unless it looks like a slip: the model doubts its label and the
    user's own samples of that shape (`OWN_SIMILAR`) carry other labels and none carries its
    own. One wrong label among the user's samples then costs nothing, while a single correction
    of a digit the model misreads (nothing of the user's contradicts it) counts at once.
    """

    features: np.ndarray  # (n, d), unit rows
    labels: np.ndarray  # (n,)
    label_probability: np.ndarray  # (n,): the model's probability of each sample's label
    votes: np.ndarray = field(init=False)  # (n,) bool: which samples vote
    voters: np.ndarray = field(init=False)  # (v, d): the features of those that vote
    voter_labels: np.ndarray = field(init=False)  # (v,)

    def __post_init__(self) -> None:
        self.votes = np.ones(len(self.labels), bool)
        doubted = np.flatnonzero(self.label_probability < DOUBTED_BELOW)
        if len(doubted):
            near = self.features[doubted] @ self.features.T >= OWN_SIMILAR  # (doubted, n)
            near[np.arange(len(doubted)), doubted] = False
            same = self.labels[None] == self.labels[doubted][:, None]
            self.votes[doubted] = ~(near & ~same).any(axis=1) | (near & same).any(axis=1)
        self.voters = self.features[self.votes]
        self.voter_labels = self.labels[self.votes]

    @classmethod
    def empty(cls) -> ProfileIndex:
        return cls(np.zeros((0, 1), np.float32), np.zeros(0, np.int64), np.zeros(0))

    @classmethod
    def of(cls, features: np.ndarray, labels: np.ndarray, probabilities: np.ndarray):
        """Taught samples from their features, labels and the model's (n, classes) outputs."""
        if not len(labels):
            return cls.empty()
        labels = np.asarray(labels, np.int64)
        classes = probabilities.shape[1]
        own = np.where(
            labels < classes,
            probabilities[np.arange(len(labels)), np.minimum(labels, classes - 1)],
            1.0,
        )
        return cls(normalized(features), labels, own)

    def extended(self, other: ProfileIndex) -> ProfileIndex:
        """This index with `other`'s samples added."""
        if not len(self):
            return other
        return ProfileIndex(
            np.vstack([self.features, other.features]),
            np.concatenate([self.labels, other.labels]),
            np.concatenate([self.label_probability, other.label_probability]),
        )

    def with_votes(self, votes: np.ndarray) -> ProfileIndex:
        """This index with the samples that vote given (judged elsewhere, see `TaughtSamples`)."""
        index = copy.copy(self)  # not judged again: the votes are given
        index.votes = np.asarray(votes, bool)
        index.voters, index.voter_labels = self.features[index.votes], self.labels[index.votes]
        return index

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class ProfileVote:
    """What the profile's samples say about a batch of boxes."""

    probabilities: np.ndarray  # (n, classes): the model's, blended with the votes
    votes: np.ndarray  # (n, classes + 1): summed vote weight per label (10: not a digit)
    settings: VoteSettings

    @property
    def voted(self) -> np.ndarray:
        """(n,) whether the samples had a say on each box."""
        return self.votes[:, : self.probabilities.shape[1]].sum(axis=1) > 0

    def vouches(self, row: int, digit: int | None) -> bool:
        """Whether the user's samples vouch for reading box `row` as `digit`."""
        at = self.settings.vouch_at
        if digit is None or at is None:
            return False
        votes = self.votes[row]
        return bool(votes[digit] >= at and votes[digit] >= self.settings.vouch_share * votes.sum())


def adapt(
    probabilities: np.ndarray,
    features: np.ndarray,
    index: ProfileIndex,
    settings: VoteSettings = VoteSettings(),
) -> ProfileVote:
    """The probabilities blended with the votes of the profile's nearby samples."""
    classes = probabilities.shape[1]
    votes = np.zeros((len(probabilities), NOT_A_DIGIT_LABEL + 1))
    if not len(index):
        return ProfileVote(probabilities, votes, settings)
    voters, labels = (
        (index.voters, index.voter_labels)
        if settings.slips_silent
        else (index.features, index.labels)
    )
    if not len(labels):
        return ProfileVote(probabilities, votes, settings)
    similarity = normalized(features) @ voters.T  # (n, m)
    k = min(settings.neighbours, len(labels))
    nearest = np.argsort(-similarity, axis=1)[:, :k]
    blended = probabilities.copy()
    for row, picks in enumerate(nearest):
        above = settings.similar_above
        weights = np.clip((similarity[row, picks] - above) / (1 - above), 0, 1)
        votes[row] = np.bincount(labels[picks], weights, minlength=len(votes[row]))
        total = float(weights.sum())
        # a "not a digit" sample has no say with a model that has no such class
        shares = votes[row, :classes]
        if total <= 0 or shares.sum() <= 0:
            votes[row] = 0
            continue
        share = settings.weight * min(1.0, total / settings.full_strength)
        blended[row] = (1 - share) * probabilities[row] + share * shares / shares.sum()
    return ProfileVote(blended, votes, settings)
