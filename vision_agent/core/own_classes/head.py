"""The linear classifiers on frozen features, trained in numpy: a softmax head (the curves'
model), and the plain logistic regression every run is compared with.

Both see each photo's features L2-normalised (`normalised`: scaled to length √D, so unit mean
square): a photo's overall activation strength no longer counts, only its pattern (the standard
step before a linear classifier on frozen features). A model applies it itself (`LinearHead`),
and the exported graph does the same, so every caller passes the backbone's raw features.
`train_head`: features standardised (mean and spread of the training photos, the spread
floored at a tenth of the mean spread), a softmax layer (its bias starting at the log of each
class's share of the training photos) trained by mini-batch Adam with weight decay for a number
of epochs; after each epoch the training and validation accuracy and loss are reported (the
tab's live curves). The last epoch's weights are kept: the validation photos only measure.
`plain_logistic_regression`: the textbook model on the normalised features (L2 penalty
1/2·‖W‖², as scikit-learn's default C=1), accelerated full-batch gradient descent until the
loss stops falling; nothing tuned.
Which model a run keeps: `choice.cross_validated_choice`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from vision_agent.core.probabilities import softmax


class Cancelled(Exception):
    """The user stopped the training."""


@dataclass(frozen=True)
class EpochFigures:
    epoch: int  # 1-based
    train_accuracy: float
    train_loss: float
    val_accuracy: float | None  # None without validation photos
    val_loss: float | None

    def to_json(self) -> dict:
        return {
            "epoch": self.epoch,
            "train_accuracy": round(self.train_accuracy, 6),
            "train_loss": round(self.train_loss, 6),
            "val_accuracy": None if self.val_accuracy is None else round(self.val_accuracy, 6),
            "val_loss": None if self.val_loss is None else round(self.val_loss, 6),
        }


def normalised(features: np.ndarray) -> np.ndarray:
    """Each row scaled to length √D (D features): its direction kept, its size made equal.
    The dog folds of the bench's development design chose it (see docs/own_classes.md)."""
    x = np.asarray(features, np.float64)
    length = np.linalg.norm(x, axis=-1, keepdims=True)
    return x * (np.sqrt(x.shape[-1]) / np.maximum(length, NORM_FLOOR))


NORM_FLOOR = 1e-6  # an all-zero feature row stays zero (the exported graph uses the same floor)


@dataclass
class LinearHead:
    """Class scores = normalised(features) · weights + bias (weights (D, K)); probabilities by
    softmax."""

    weights: np.ndarray
    bias: np.ndarray
    history: list[EpochFigures] = field(default_factory=list)

    def logits(self, features: np.ndarray) -> np.ndarray:
        return normalised(features) @ self.weights + self.bias

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return softmax(self.logits(features))

    def predict(self, features: np.ndarray) -> np.ndarray:
        return np.argmax(self.logits(features), axis=1)

    def parameter_count(self) -> int:
        return int(self.weights.size + self.bias.size)


class Classifier(Protocol):
    """A model a run may keep: a `LinearHead` or `gaussian.GaussianClasses`."""

    def logits(self, features: np.ndarray) -> np.ndarray: ...
    def probabilities(self, features: np.ndarray) -> np.ndarray: ...
    def predict(self, features: np.ndarray) -> np.ndarray: ...
    def parameter_count(self) -> int: ...


@dataclass(frozen=True)
class HeadSettings:
    # Chosen on faces vs. objects (leave-one-out), not on the dog set the docs report.
    epochs: int = 20
    learning_rate: float = 1e-3
    batch_size: int = 32
    min_steps: int = 8  # mini-batches per epoch at the least (smaller batches for few photos)
    weight_decay: float = 0.1
    seed: int = 0


def train_head(
    x_train: np.ndarray,
    y_train: np.ndarray,
    classes: int,
    x_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    settings: HeadSettings = HeadSettings(),
    on_epoch: Callable[[EpochFigures], None] | None = None,
    cancel: threading.Event | None = None,
) -> LinearHead:
    """A softmax head trained on standardised normalised features; see the module's
    description."""
    x_train = normalised(x_train)
    mean = x_train.mean(axis=0)
    # A feature (nearly) constant on the training photos is not blown up on others.
    spread = x_train.std(axis=0)
    spread = np.maximum(spread, 0.1 * spread.mean() + 1e-6)
    z_train = (x_train - mean) / spread
    has_val = x_val is not None and y_val is not None and len(y_val) > 0
    z_val = (normalised(x_val) - mean) / spread if has_val else None
    rng = np.random.default_rng(settings.seed)
    dims = z_train.shape[1]
    weights = rng.normal(0.0, 0.01, (dims, classes))
    # Starting at the class shares: few dogs among many others are not called dogs by default.
    shares = np.bincount(y_train, minlength=classes) / len(y_train)
    bias = np.log(np.maximum(shares, 1.0 / (len(y_train) + 1)))
    adam = _Adam(settings.learning_rate, [weights, bias])
    onehot = np.eye(classes)[y_train]
    history: list[EpochFigures] = []
    # A few photos still give several steps per epoch (else 20 epochs of 30 photos: 20 steps).
    batch_size = max(1, min(settings.batch_size, len(z_train) // settings.min_steps))
    for epoch in range(1, settings.epochs + 1):
        for batch in _batches(len(z_train), batch_size, rng):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            xb, tb = z_train[batch], onehot[batch]
            delta = (softmax(xb @ weights + bias) - tb) / len(batch)
            adam.step([xb.T @ delta + settings.weight_decay * weights, delta.sum(axis=0)])
        train_loss, train_acc = _loss_accuracy(z_train, y_train, weights, bias)
        val_loss = val_acc = None
        if has_val:
            val_loss, val_acc = _loss_accuracy(z_val, y_val, weights, bias)
        figures = EpochFigures(epoch, train_acc, train_loss, val_acc, val_loss)
        history.append(figures)
        if on_epoch is not None:
            on_epoch(figures)
    # Fold the standardisation into the layer: (x - mean)/spread · W + b.
    folded = weights / spread[:, None]
    return LinearHead(folded, bias - mean @ folded, history)


def plain_logistic_regression(
    features: np.ndarray,
    labels: np.ndarray,
    classes: int,
    max_steps: int = 2000,
    start: LinearHead | None = None,
) -> LinearHead:
    """Multinomial logistic regression on the normalised features, L2 penalty ½‖W‖² (C = 1);
    the optimum is unique, so `start` (e.g. the fit on a superset of the photos) only saves
    steps."""
    # Solved on centred features: the same optimum (the bias is not penalised, so it absorbs
    # the mean), far better conditioned; the bias is moved back to uncentred features at the end.
    uncentred = normalised(features)
    mean = uncentred.mean(axis=0)
    x = uncentred - mean
    onehot = np.eye(classes)[labels]
    weights = np.zeros((x.shape[1], classes)) if start is None else start.weights.copy()
    bias = np.zeros(classes) if start is None else start.bias + mean @ start.weights
    # Nesterov's accelerated gradient with the step 1/L (L the gradient's Lipschitz bound for
    # this loss), restarted whenever the loss rises; stops when it no longer falls. ‖x‖₂² is
    # the largest eigenvalue of the smaller of the two Gram matrices.
    gram = x @ x.T if len(x) < x.shape[1] else x.T @ x
    lipschitz = 0.5 * (float(np.linalg.eigvalsh(gram)[-1]) + len(x)) + 1.0
    step = 1.0 / lipschitz
    look_w, look_b, momentum = weights.copy(), bias.copy(), 1.0
    previous = np.inf
    for _ in range(max_steps):
        probabilities = softmax(x @ weights + bias)
        loss = -np.sum(onehot * np.log(probabilities + 1e-12)) + 0.5 * np.sum(weights**2)
        if abs(previous - loss) < 1e-7 * max(1.0, abs(loss)):
            break
        if loss > previous:
            look_w, look_b, momentum = weights.copy(), bias.copy(), 1.0
        previous = loss
        delta = softmax(x @ look_w + look_b) - onehot
        new_w = look_w - step * (x.T @ delta + look_w)
        new_b = look_b - step * delta.sum(axis=0)
        following = (1.0 + np.sqrt(1.0 + 4.0 * momentum**2)) / 2.0
        ratio = (momentum - 1.0) / following
        look_w = new_w + ratio * (new_w - weights)
        look_b = new_b + ratio * (new_b - bias)
        weights, bias, momentum = new_w, new_b, following
    return LinearHead(weights, bias - mean @ weights)


def accuracy(head: Classifier, features: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(head.predict(features) == labels)) if len(labels) else float("nan")


def log_loss(head: Classifier, features: np.ndarray, labels: np.ndarray) -> float:
    """Mean cross-entropy of `head` on these photos (the curves' loss)."""
    if not len(labels):
        return float("nan")
    picked = head.probabilities(features)[np.arange(len(labels)), labels]
    return float(-np.mean(np.log(picked + 1e-12)))


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """(K, K) counts: row = true class, column = predicted class."""
    matrix = np.zeros((classes, classes), np.int64)
    np.add.at(matrix, (np.asarray(truth, np.int64), np.asarray(predicted, np.int64)), 1)
    return matrix


def _loss_accuracy(
    x: np.ndarray, y: np.ndarray, weights: np.ndarray, bias: np.ndarray
) -> tuple[float, float]:
    probabilities = softmax(x @ weights + bias)
    loss = -np.mean(np.log(probabilities[np.arange(len(y)), y] + 1e-12))
    return float(loss), float(np.mean(probabilities.argmax(axis=1) == y))


def _batches(count: int, size: int, rng: np.random.Generator):
    order = rng.permutation(count)
    return [order[i : i + size] for i in range(0, count, size)]


class _Adam:
    def __init__(self, rate: float, params: list[np.ndarray]) -> None:
        self.rate, self.params, self.t = rate, params, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads: list[np.ndarray]) -> None:
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            m_hat = m / (1 - 0.9**self.t)
            v_hat = v / (1 - 0.999**self.t)
            p -= self.rate * m_hat / (np.sqrt(v_hat) + 1e-8)
