"""The plain logistic regression and the class-conditional Gaussians as one model: class scores
= log p_plain + w · log p_gaussians (their probabilities, the Gaussians' at their calibrated
temperature), probabilities by softmax. w is fit on the run's own cross-validation folds (the
least log loss of the held-out photos' scores, w from 0 to 5 in steps of 0.1; w = 0 is the
plain regression), nothing else.

Why: the Gaussians alone beat the plain regression on photos like the training photos, but give
a photo unlike both classes (a hippopotamus in a dog vs. not-dog run) to the class it is
nearest in the directions neither class spans, however sure the plain regression is that it is
not a dog. In the sum each model has a say in proportion to how sure it is, so an answer needs
the plain regression's consent unless the Gaussians are clearly surer (docs/own_classes.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision_agent.core.own_classes.gaussian import GaussianClasses
from vision_agent.core.own_classes.head import LinearHead
from vision_agent.core.probabilities import log_softmax, softmax

WEIGHTS = np.arange(51) / 10.0  # 0 .. 5


@dataclass
class PlainWithGaussians:
    plain: LinearHead
    gaussians: GaussianClasses
    weight: float

    def logits(self, features: np.ndarray) -> np.ndarray:
        return combined(self.plain.logits(features), self.gaussians.logits(features), self.weight)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return softmax(self.logits(features))

    def predict(self, features: np.ndarray) -> np.ndarray:
        return np.argmax(self.logits(features), axis=1)

    def parameter_count(self) -> int:
        return self.plain.parameter_count() + self.gaussians.parameter_count()


def combined(plain_scores: np.ndarray, gaussian_scores: np.ndarray, weight: float) -> np.ndarray:
    """log softmax(plain) + weight · log softmax(gaussians), row by row."""
    return log_softmax(plain_scores) + weight * log_softmax(gaussian_scores)


def best_weight(plain_scores: np.ndarray, gaussian_scores: np.ndarray, labels: np.ndarray) -> float:
    """The w of `WEIGHTS` with the least log loss on held-out photos (their scores from models
    that did not see them; the Gaussians' at their calibrated temperature); ties: the smaller."""
    rows = np.arange(len(labels))
    losses = [
        -float(np.mean(log_softmax(combined(plain_scores, gaussian_scores, w))[rows, labels]))
        for w in WEIGHTS
    ]
    return float(WEIGHTS[int(np.argmin(losses))])
