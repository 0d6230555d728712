"""Which model a strategy-(3) run keeps, decided on the run's own photos.

Every run trains three models on the same frozen features: the softmax head (its epochs are the
curves), the plain logistic regression (the yardstick) and the class-conditional Gaussians; the
third candidate is the plain regression and the Gaussians together (`blend.PlainWithGaussians`).
The run never keeps a model that does worse than the plain regression on the photos it holds
(the guarantee is in `cross_validated_choice`, not only in the figures):

1. k-fold cross-validation of the training photos (k = 10, or the smallest class's photo count;
   under 2: too few photos, the plain regression is kept): each model trained again on k - 1
   folds and tried on the one left out. From the held-out scores: the Gaussians' temperature
   (`gaussian.calibrated`), then the blend's weight (`blend.best_weight`).
2. The blend, if it gets more held-out photos right than the plain regression (a tie: the
   plain regression); else the plain regression.
3. The softmax head instead, only where it is clearly better than the plain regression (a sign
   test on the photos exactly one of the two gets right: head-only - plain-only >=
   max(4, 2·√(head-only + plain-only))) and also better than the model of step 2.
4. Whatever step 2 or 3 chose gives way to the plain regression if it gets fewer of the run's
   validation photos right.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from vision_agent.core.own_classes.blend import PlainWithGaussians, best_weight, combined
from vision_agent.core.own_classes.gaussian import calibrated, fit_gaussians
from vision_agent.core.own_classes.head import (
    Cancelled,
    Classifier,
    HeadSettings,
    accuracy,
    plain_logistic_regression,
    train_head,
)

HEAD, PLAIN = "softmax head", "plain logistic regression"
GAUSSIANS = "class-conditional Gaussians"
BLEND = "plain logistic regression + class-conditional Gaussians"


@dataclass(frozen=True)
class Choice:
    """The model a run keeps, and the right answers of each model in the folds."""

    kept: Classifier
    kept_name: str  # HEAD, PLAIN or BLEND
    checked: int  # photos classified in the folds (0: too few photos to cross-validate)
    right: dict[str, int] = field(default_factory=dict)  # per model name (and BLEND)
    head_only: int = 0  # photos the head got right and the plain regression wrong
    plain_only: int = 0  # and the other way round
    worse_on_validation: str = ""  # the model that step 4 set aside for the plain one
    blend: PlainWithGaussians | None = None  # the candidate, kept or not (None: no folds)


def cross_validated_choice(
    x: np.ndarray,
    y: np.ndarray,
    classes: int,
    models: dict[str, Classifier],
    settings: HeadSettings | None = None,
    folds: int = 10,
    cancel: threading.Event | None = None,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
) -> Choice:
    """Keep the head, the plain regression or their blend with the Gaussians (`models`: HEAD,
    PLAIN and GAUSSIANS, trained on all of `x`) by the rule in the module's description;
    `validation` (features, labels) are the run's held-out photos."""
    settings = settings or HeadSettings()
    plain = models[PLAIN]
    folds = min(folds, int(np.bincount(y, minlength=classes).min()))
    if folds < 2:
        return Choice(plain, PLAIN, 0)
    rng = np.random.default_rng(settings.seed)
    fold_of = np.empty(len(y), np.int64)
    for label in range(classes):
        rows = rng.permutation(np.flatnonzero(y == label))
        fold_of[rows] = np.arange(len(rows)) % folds
    ok = {name: np.zeros(len(y), bool) for name in (HEAD, PLAIN, GAUSSIANS)}
    scores = {name: np.zeros((len(y), classes)) for name in (PLAIN, GAUSSIANS)}  # held out
    for fold in range(folds):
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        train, held = fold_of != fold, fold_of == fold
        trained = {
            HEAD: train_head(x[train], y[train], classes, settings=settings, cancel=cancel),
            PLAIN: plain_logistic_regression(x[train], y[train], classes, start=plain),
            GAUSSIANS: fit_gaussians(x[train], y[train], classes),
        }
        for name, model in trained.items():
            ok[name][held] = model.predict(x[held]) == y[held]
            if name in scores:
                scores[name][held] = model.logits(x[held])
    gaussians = calibrated(models[GAUSSIANS], scores[GAUSSIANS], y)
    gaussian_scores = scores[GAUSSIANS] / gaussians.temperature
    weight = best_weight(scores[PLAIN], gaussian_scores, y)
    ok[BLEND] = np.argmax(combined(scores[PLAIN], gaussian_scores, weight), axis=1) == y
    blend = PlainWithGaussians(plain, gaussians, weight)
    models = {**models, BLEND: blend}
    right = {name: int(hits.sum()) for name, hits in ok.items()}
    head_only = int(np.sum(ok[HEAD] & ~ok[PLAIN]))
    plain_only = int(np.sum(ok[PLAIN] & ~ok[HEAD]))
    name = BLEND if right[BLEND] > right[PLAIN] else PLAIN
    clearly = head_only - plain_only >= max(4.0, 2.0 * np.sqrt(head_only + plain_only))
    if clearly and right[HEAD] > right[name]:
        name = HEAD
    set_aside = ""
    checkable = name != PLAIN and validation is not None and len(validation[1]) > 0
    if checkable and accuracy(models[name], *validation) < accuracy(plain, *validation):
        name, set_aside = PLAIN, name
    return Choice(models[name], name, len(y), right, head_only, plain_only, set_aside, blend)
