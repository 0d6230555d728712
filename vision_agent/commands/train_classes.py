"""`vision-agent train classes DATA_DIR --out DIR ...`: your own classes by transfer learning.

DATA_DIR holds one subfolder of photos per class. Strategy `head` (the default) trains a new
classifier on the shipped MobileNetV2's frozen features, offline, in seconds; `partial`
(the last --unfreeze N blocks trained too) and `all` (the architecture only, every weight
trained from scratch) run the Keras backbone with TensorFlow. Every epoch's figures are
printed; the model is written as OUT/own_classes.onnx with classes.json and model_card.json,
which `vision-agent classify --model OUT/own_classes.onnx` reads.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from vision_agent.commands.common import cannot_start, emit
from vision_agent.core.errors import UserError
from vision_agent.core.own_classes.head import HeadSettings

BACKBONES = ("mobilenet_v2", "resnet50", "densenet121")
STRATEGIES = ("head", "partial", "all")


def register(kinds: argparse._SubParsersAction) -> None:
    parser = kinds.add_parser(
        "classes",
        help="teach the app your own classes (transfer learning, a folder per class)",
        description=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--backbone", choices=BACKBONES, default="mobilenet_v2")
    parser.add_argument(
        "--backbone-weights",
        type=Path,
        metavar="FILE",
        help="Keras weights of the backbone for --strategy partial (default: the model store)",
    )
    parser.add_argument("--strategy", choices=STRATEGIES, default="head")
    parser.add_argument(
        "--unfreeze", type=int, default=2, metavar="N", help="blocks trained with partial"
    )
    parser.add_argument("--epochs", type=int, default=HeadSettings.epochs)
    parser.add_argument("--validation-split", type=float, default=0.2, metavar="FRACTION")
    parser.add_argument(
        "--image-size", type=int, default=224, help="input size of a Keras backbone"
    )
    parser.add_argument(
        "--alpha", type=float, default=1.0, help="MobileNetV2's width (Keras backbone)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from vision_agent.core.own_classes.dataset import folder_photo_set

    if args.epochs < 1:
        return cannot_start("--epochs must be at least 1.")
    if not 0.0 <= args.validation_split < 1.0:
        return cannot_start("--validation-split must be from 0 to below 1.")
    command = "vision-agent " + shlex.join(sys.argv[1:])

    def on_epoch(figures) -> None:
        record = {"event": "epoch"} | figures.to_json()
        emit(record, args.json, _epoch_text(figures))

    try:
        photos = folder_photo_set(args.data_dir)
        if args.strategy == "head" and args.backbone == "mobilenet_v2":
            result = _train_head(args, photos, on_epoch, command)
        else:
            from vision_agent.training.own_classes_keras import KerasOptions, train_keras

            options = KerasOptions(
                args.backbone,
                args.strategy,
                args.unfreeze,
                args.epochs,
                args.validation_split,
                args.seed,
                None if args.backbone_weights is None else str(args.backbone_weights),
                args.image_size,
                args.alpha,
            )
            result = train_keras(photos, options, args.out, on_epoch, command=command)
    except UserError as exc:
        return cannot_start(exc)
    for path, why in result.skipped:
        print(f"vision-agent: skipped {path}: {why}", file=sys.stderr, flush=True)
    summary = {"event": "done"} | result.to_json()
    summary.pop("history")
    emit(summary, args.json, _summary_text(result))
    return 0


def _train_head(args, photos, on_epoch, command: str):
    from vision_agent.core.own_classes.features import FeatureExtractor
    from vision_agent.core.own_classes.train import train_head_only
    from vision_agent.engine.registry_models import features_cache, shipped_backbone

    extractor = FeatureExtractor(shipped_backbone(), features_cache())
    return train_head_only(
        photos,
        extractor,
        args.out,
        epochs=args.epochs,
        validation=args.validation_split,
        seed=args.seed,
        on_epoch=on_epoch,
        command=command,
    )


def _epoch_text(figures) -> str:
    text = (
        f"epoch {figures.epoch}: train accuracy {figures.train_accuracy:.1%} "
        f"loss {figures.train_loss:.4f}"
    )
    if figures.val_accuracy is not None:
        text += f", validation accuracy {figures.val_accuracy:.1%} loss {figures.val_loss:.4f}"
    return text


def _summary_text(result) -> str:
    photos = ", ".join(f"{name} {count}" for name, count in result.counts.items())
    lines = [f"{result.strategy} on {result.backbone}: {photos} photos."]
    if result.val_accuracy is None:
        lines.append("No validation photos: no held-out accuracy.")
    else:
        lines.append(
            f"Validation accuracy {result.val_accuracy:.1%} on {result.val_photos} photos kept "
            f"out (plain logistic regression on the same features: "
            f"{_percent(result.baseline_val_accuracy)})."
        )
    folds = result.cross_validation
    if result.kept and not folds.get("photos"):
        lines.append(
            f"Kept: the {result.kept} (too few training photos per class to cross-validate)."
        )
    elif result.kept:
        aside = folds.get("set_aside_on_validation")
        lines.append(
            f"Kept: the {result.kept} (cross-validation on the {folds['photos']} training "
            f"photos: plain logistic regression + Gaussians "
            f"{folds['plain_with_gaussians_right']} right, class-conditional Gaussians "
            f"{folds['gaussians_right']}, plain logistic regression "
            f"{folds['plain_logistic_regression_right']}, softmax head "
            f"{folds['softmax_head_right']}; on the validation photos the plain regression "
            f"with the Gaussians {_percent(result.blend_val_accuracy)}, the Gaussians alone "
            f"{_percent(result.gaussians_val_accuracy)}, the softmax head alone "
            f"{_percent(result.head_val_accuracy)}"
            + (f"; the {aside} did worse there than the plain regression)." if aside else ").")
        )
    if result.files is not None:
        lines.append(
            f"Saved {result.files.model}, {result.files.classes.name} and "
            f"{result.files.card.name} in {result.seconds:.1f} s "
            f"(features {result.feature_seconds:.1f} s)."
        )
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
