"""One training run of strategy (3), head only: the shared core of the tab and the CLI.

Features of every photo (cached) -> stratified validation split -> the softmax head, epoch by
epoch -> the plain logistic regression and the class-conditional Gaussians on the same
features -> the model the run's own photos prefer is kept (`choice.cross_validated_choice`:
the plain regression and the Gaussians together where that beats the plain regression there,
the head only where it is clearly better, never one that does worse than the plain one) ->
confusion matrix and the wrong validation photos of the kept model -> export. Progress and
each epoch's figures are reported through callbacks; setting `cancel` stops the run at the
next photo or batch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vision_agent.core.errors import UserError
from vision_agent.core.own_classes.choice import (
    BLEND,
    GAUSSIANS,
    HEAD,
    PLAIN,
    cross_validated_choice,
)
from vision_agent.core.own_classes.dataset import PhotoSet, validation_split
from vision_agent.core.own_classes.export import (
    ExportedFiles,
    export_model,
    preprocessing_record,
)
from vision_agent.core.own_classes.features import FeatureExtractor
from vision_agent.core.own_classes.gaussian import fit_gaussians
from vision_agent.core.own_classes.head import (
    EpochFigures,
    HeadSettings,
    accuracy,
    confusion_matrix,
    log_loss,
    plain_logistic_regression,
    train_head,
)
from vision_agent.core.own_classes.messages import NO_READABLE_PHOTO

STRATEGY_HEAD = "head"


@dataclass(frozen=True)
class WrongPhoto:
    path: Path
    truth: str
    predicted: str
    probability: float


@dataclass
class TrainingResult:
    """What a run produced and measured; `to_json` is the CLI's summary and the card's core."""

    classes: tuple[str, ...]
    strategy: str
    backbone: str
    counts: dict[str, int]
    train_photos: int
    val_photos: int
    history: list[EpochFigures]
    val_accuracy: float | None  # the kept model's
    val_loss: float | None  # the kept model's (its level line beside the head's curves)
    baseline_val_accuracy: float | None  # the plain logistic regression's
    confusion: np.ndarray  # (K, K) on the validation photos, rows = truth
    wrong: list[WrongPhoto]
    skipped: list[tuple[Path, str]]
    feature_seconds: float
    seconds: float
    files: ExportedFiles | None = None
    parameters: dict[str, int] = field(default_factory=dict)
    # Strategy (3) only: which of its models the run kept (choice.HEAD, PLAIN or BLEND),
    # the softmax head's and the Gaussians' own validation accuracy, and the right answers of
    # each in the cross-validation folds of the training photos.
    kept: str = ""
    head_val_accuracy: float | None = None
    gaussians_val_accuracy: float | None = None
    blend_val_accuracy: float | None = None  # the plain regression with the Gaussians
    cross_validation: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "strategy": self.strategy,
            "backbone": self.backbone,
            "classes": list(self.classes),
            "photos": self.counts,
            "train_photos": self.train_photos,
            "validation_photos": self.val_photos,
            "epochs": len(self.history),
            "validation_accuracy": _rounded(self.val_accuracy),
            "validation_loss": _rounded(self.val_loss),
            "plain_logistic_regression_validation_accuracy": _rounded(self.baseline_val_accuracy),
            "softmax_head_validation_accuracy": _rounded(self.head_val_accuracy),
            "gaussians_validation_accuracy": _rounded(self.gaussians_val_accuracy),
            "plain_with_gaussians_validation_accuracy": _rounded(self.blend_val_accuracy),
            "kept": self.kept,
            "cross_validation": self.cross_validation,
            "confusion_matrix": self.confusion.tolist(),
            "wrong": [
                {"file": str(w.path), "truth": w.truth, "predicted": w.predicted}
                | {"probability": round(w.probability, 4)}
                for w in self.wrong
            ],
            "skipped": [{"file": str(p), "reason": why} for p, why in self.skipped],
            "parameters": self.parameters,
            "feature_seconds": round(self.feature_seconds, 2),
            "seconds": round(self.seconds, 2),
            "history": [h.to_json() for h in self.history],
            "files": None
            if self.files is None
            else {"model": str(self.files.model), "classes": str(self.files.classes)}
            | {"card": str(self.files.card)},
        }


def train_head_only(
    photos: PhotoSet,
    extractor: FeatureExtractor,
    out_dir: Path | None,
    epochs: int = HeadSettings.epochs,
    validation: float = 0.2,
    seed: int = 0,
    on_epoch: Callable[[EpochFigures], None] | None = None,
    on_features: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    command: str = "",
) -> TrainingResult:
    """Strategy (3) on `photos`; exported into `out_dir` unless it is None."""
    if epochs < 1:
        raise UserError(f"--epochs must be at least 1 (got {epochs}).")
    started = time.perf_counter()
    features, skipped = extractor.of_files(photos.paths, on_features, cancel)
    feature_seconds = time.perf_counter() - started
    gone = {p for p, _ in skipped}
    kept = np.array([i for i, p in enumerate(photos.paths) if Path(p) not in gone], np.int64)
    photos = photos.subset(kept)
    if len(set(photos.labels.tolist())) < len(photos.classes):
        empty = [c for c, n in photos.counts().items() if n == 0]
        raise UserError(NO_READABLE_PHOTO.format(names=", ".join(empty)))
    train_rows, val_rows = validation_split(photos.labels, validation, seed)
    classes = len(photos.classes)
    x_train, y_train = features[train_rows], photos.labels[train_rows]
    x_val, y_val = features[val_rows], photos.labels[val_rows]
    settings = HeadSettings(epochs=epochs, seed=seed)
    head = train_head(x_train, y_train, classes, x_val, y_val, settings, on_epoch, cancel)
    baseline = plain_logistic_regression(x_train, y_train, classes)
    gaussians = fit_gaussians(x_train, y_train, classes)
    models = {HEAD: head, PLAIN: baseline, GAUSSIANS: gaussians}
    has_val = len(val_rows) > 0
    choice = cross_validated_choice(
        x_train, y_train, classes, models, settings, cancel=cancel, validation=(x_val, y_val)
    )
    kept = choice.kept
    predicted = kept.predict(x_val) if len(val_rows) else np.zeros(0, np.int64)
    probabilities = kept.probabilities(x_val) if len(val_rows) else np.zeros((0, classes))
    wrong = [
        WrongPhoto(
            photos.paths[row],
            photos.classes[int(truth)],
            photos.classes[int(guess)],
            float(probabilities[k, guess]),
        )
        for k, (row, truth, guess) in enumerate(zip(val_rows, y_val, predicted, strict=True))
        if truth != guess
    ]
    result = TrainingResult(
        classes=photos.classes,
        strategy=STRATEGY_HEAD,
        backbone=extractor.backbone.name,
        counts=photos.counts(),
        train_photos=len(train_rows),
        val_photos=len(val_rows),
        history=head.history,
        val_accuracy=accuracy(kept, x_val, y_val) if has_val else None,
        val_loss=log_loss(kept, x_val, y_val) if has_val else None,
        baseline_val_accuracy=accuracy(baseline, x_val, y_val) if has_val else None,
        head_val_accuracy=accuracy(head, x_val, y_val) if has_val else None,
        gaussians_val_accuracy=accuracy(gaussians, x_val, y_val) if has_val else None,
        blend_val_accuracy=(
            accuracy(choice.blend, x_val, y_val) if has_val and choice.blend else None
        ),
        kept=choice.kept_name,
        cross_validation={
            "photos": choice.checked,
            "softmax_head_right": choice.right.get(HEAD, 0),
            "plain_logistic_regression_right": choice.right.get(PLAIN, 0),
            "gaussians_right": choice.right.get(GAUSSIANS, 0),
            "plain_with_gaussians_right": choice.right.get(BLEND, 0),
            "only_softmax_head_right": choice.head_only,
            "only_plain_logistic_regression_right": choice.plain_only,
            "set_aside_on_validation": choice.worse_on_validation,
        },
        confusion=confusion_matrix(y_val, predicted, classes),
        wrong=wrong,
        skipped=skipped,
        feature_seconds=feature_seconds,
        seconds=time.perf_counter() - started,
        parameters={"trainable": kept.parameter_count()},
    )
    if out_dir is not None:
        card = result.to_json() | {
            "backbone_id": extractor.backbone.model_id,
            "backbone_frozen": True,
            "preprocessing": preprocessing_record(extractor.backbone.preprocessing),
            "validation_split": validation,
            "seed": seed,
            "command": command,
        }
        card.pop("files")
        result.files = export_model(out_dir, extractor.backbone.path, kept, photos.classes, card)
    result.seconds = time.perf_counter() - started
    return result


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
