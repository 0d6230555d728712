"""Class-conditional Gaussians on the frozen features: each class its own mean and its own
shrunk covariance (Ledoit-Wolf, towards a multiple of the identity), a photo given to the class
under whose Gaussian (times the class's share of the training photos) it is likeliest. The
few-shot literature's strong baseline on frozen features; on the dog folds of the bench's
development design it beat the plain logistic regression, the softmax head and four others
(docs/own_classes.md). Unlike a linear layer it lets a class be tight (dogs) and another wide
(everything else), so an unseen kind of not-dog far from the dogs in directions the dogs never
vary in is not called a dog.

Every covariance is the identity times `floor` plus a low-rank part (the class's photos span at
most their count less one directions; the model keeps at most MAX_DIRECTIONS of them per class,
those of the largest spread, the rest left at the floor), so the model keeps per class only
those directions (at most (MAX_DIRECTIONS + 1) × 1,280 numbers, 1.3 MB in the exported graph's
double precision, however many photos the class has), and
the exported graph computes the same scores with a few matrix products in double precision
(`export.composed_model`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from vision_agent.core.own_classes.head import normalised
from vision_agent.core.probabilities import log_softmax, softmax


@dataclass
class GaussianClasses:
    """Scores (log-likelihood + log share, up to a constant) of K Gaussians on the normalised
    features: score_c = -½/floor_c · (‖x - m_c‖² - Σ_j weight_j (u_jᵀx - centre_j)²) + constant_c,
    the sum over class c's directions u_j (columns of `directions` whose `members` row is c)."""

    means: np.ndarray  # (K, D)
    directions: np.ndarray  # (D, R): every class's directions side by side
    centres: np.ndarray  # (R,): u_jᵀ m_c of each direction's class
    weights: np.ndarray  # (R,): e_j / (floor_c + e_j), e_j the shrunk variance along u_j
    members: np.ndarray  # (R, K): 1 where direction j belongs to class c
    floors: np.ndarray  # (K,): the covariance's multiple of the identity
    constants: np.ndarray  # (K,): -½ log det Σ_c + log share_c
    # The scores are divided by it: log-likelihoods in 1,280 dimensions differ by hundreds, so
    # uncalibrated every answer is "100.0 %"; `calibrated` sets it from held-out photos.
    temperature: float = 1.0

    def logits(self, features: np.ndarray) -> np.ndarray:
        x = normalised(features)
        squared = np.sum(x * x, axis=1, keepdims=True) - 2.0 * x @ self.means.T
        squared += np.sum(self.means**2, axis=1)
        along = x @ self.directions - self.centres
        explained = (along * along * self.weights) @ self.members
        return (-0.5 / self.floors * (squared - explained) + self.constants) / self.temperature

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return softmax(self.logits(features))

    def predict(self, features: np.ndarray) -> np.ndarray:
        return np.argmax(self.logits(features), axis=1)

    def parameter_count(self) -> int:
        return int(sum(a.size for a in (self.means, self.directions, self.centres, self.weights,
                                        self.floors, self.constants)))  # fmt: skip


def fit_gaussians(features: np.ndarray, labels: np.ndarray, classes: int) -> GaussianClasses:
    """One shrunk Gaussian per class on the normalised features (every class needs a photo)."""
    x = normalised(features)
    dims = x.shape[1]
    # A class of one photo has no spread: its floor is then a thousandth of the photos' mean
    # variance per feature, so every score stays finite.
    least = 1e-3 * float(np.mean(np.var(x, axis=0))) + 1e-12
    shares = np.bincount(labels, minlength=classes) / len(labels)
    means, parts, floors, constants = [], [], [], []
    for label in range(classes):
        rows = x[labels == label]
        mean = rows.mean(axis=0)
        spread, vectors, floor = _shrunk_covariance(rows - mean, least)
        means.append(mean)
        parts.append((vectors, mean @ vectors, spread / (floor + spread), label))
        floors.append(floor)
        log_det = dims * np.log(floor) + np.sum(np.log1p(spread / floor))
        constants.append(-0.5 * log_det + np.log(shares[label]))
    directions = np.concatenate([p[0] for p in parts], axis=1)
    members = np.zeros((directions.shape[1], classes))
    start = 0
    for vectors, _, _, label in parts:
        members[start : start + vectors.shape[1], label] = 1.0
        start += vectors.shape[1]
    return GaussianClasses(
        means=np.stack(means),
        directions=directions,
        centres=np.concatenate([p[1] for p in parts]),
        weights=np.concatenate([p[2] for p in parts]),
        members=members,
        floors=np.array(floors),
        constants=np.array(constants),
    )


TEMPERATURES = 10.0 ** (np.arange(-20, 121) / 20)  # 0.1 .. 1e6, 20 steps a decade
# Per class: its model's size and a photo's scoring time grow with it. Above the bench's
# classes (at most 103 training photos a class), so no figure the docs report depends on it.
MAX_DIRECTIONS = 128


def calibrated(model: GaussianClasses, logits: np.ndarray, labels: np.ndarray) -> GaussianClasses:
    """`model` with the temperature that gives the least log loss on held-out photos (`logits`:
    their scores from models that did not see them, at temperature 1). Answers do not change,
    only how sure they are said to be."""
    if not len(labels):
        return model
    shifted, rows = logits - logits.max(axis=1, keepdims=True), np.arange(len(labels))
    losses = [-float(np.mean(log_softmax(shifted / t)[rows, labels])) for t in TEMPERATURES]
    return replace(model, temperature=float(TEMPERATURES[int(np.argmin(losses))]))


def _shrunk_covariance(centred: np.ndarray, least: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Ledoit-Wolf's shrunk covariance of these centred rows, a·μ·I + (1 - a)·S (S = ZᵀZ/n,
    μ = tr S / D, a from their formula), as (variances e_j and directions u_j (D, r) of its
    low-rank part (1 - a)·S, the MAX_DIRECTIONS largest at most; floor a·μ); from the n×n Gram
    matrix when n < D."""
    count, dims = centred.shape
    gram = centred @ centred.T
    trace = float(np.trace(gram)) / count
    mu = trace / dims
    squares = float(np.sum(gram * gram)) / count**2  # ‖S‖²_F
    spread_of_mu = squares - 2.0 * mu * trace + mu * mu * dims  # ‖S - μI‖²_F
    noise = (float(np.sum(np.diag(gram) ** 2)) - count * squares) / count**2
    shrink = min(noise, spread_of_mu) / spread_of_mu if spread_of_mu > 0 else 1.0
    floor = max(shrink * mu, least)
    if count < dims:
        values, small = np.linalg.eigh(gram)
        keep = values > 1e-10 * max(float(values[-1]), 1e-300)
        vectors = centred.T @ small[:, keep] / np.sqrt(values[keep])
        values = values[keep] / count
    else:
        values, vectors = np.linalg.eigh(centred.T @ centred / count)
        keep = values > 1e-10 * max(float(values[-1]), 1e-300)
        values, vectors = values[keep], vectors[:, keep]
    values, vectors = values[-MAX_DIRECTIONS:], vectors[:, -MAX_DIRECTIONS:]  # eigh: ascending
    return (1.0 - shrink) * values, vectors, floor
