"""`vision-agent train digits ...`: the commands that produce the app's Keras models."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from vision_agent.commands import train_classes
from vision_agent.commands.common import cannot_start
from vision_agent.core.errors import UserError
from vision_agent.core.user_files import require_regular_file
from vision_agent.paths import resource


def register(subparsers: argparse._SubParsersAction) -> None:
    train = subparsers.add_parser("train", help="train a model")
    kinds = train.add_subparsers(dest="train_kind", metavar="MODEL", required=True)
    digits = kinds.add_parser(
        "digits",
        help="train the postal-code digit CNN for real handwriting",
        description="Train the digit CNN on MNIST, real pen trajectories and stroke templates, "
        "all drawn as on the canvas, with a 'not a digit' class; saves .keras, .onnx and a "
        "model card with its score on each check.",
    )
    digits.add_argument("--data", type=Path, help="MNIST .npz (Keras layout); default: download")
    digits.add_argument(
        "--pen-data", type=Path, help="UCI pen-digits rows (pendigits.tra) to train on"
    )
    digits.add_argument(
        "--check-writers",
        type=Path,
        help="UNIPEN trajectories (pendigits-orig-*.tes) of writers kept out, to measure on",
    )
    digits.add_argument(
        "--usps", type=Path, help="USPS ZIP-code digits (zip.train.gz): real mail to train on"
    )
    digits.add_argument(
        "--usps-folds",
        default="0,1,2",
        help="which of its 5 contiguous blocks to train on (the rest are kept out); default 0,1,2",
    )
    digits.add_argument(
        "--bitmaps",
        type=Path,
        help="optdigits-orig bitmaps of other writers to train on (every fifth kept out)",
    )
    digits.add_argument("--init", type=Path, help="fine-tune this .keras model instead")
    digits.add_argument(
        "--average-with-init",
        action="store_true",
        help="average the fine-tuned weights with --init's (BatchNorm statistics measured again)",
    )
    digits.add_argument("--learning-rate", type=float, default=1e-3)
    digits.add_argument(
        "--epoch-share", type=float, default=1.0, help="each epoch's size times this (0-1]"
    )
    digits.add_argument(
        "--scanned",
        type=int,
        default=0,
        help="digits per (full) epoch drawn as scanned forms: stretched to fill a square or "
        "scaled 32 tall, thickened, thresholded; default 0",
    )
    digits.add_argument(
        "--blind",
        action="store_true",
        help="measure nothing kept for reporting (MNIST test, the kept-out writers and USPS "
        "folds, digits.png): only the validation digits, so a candidate is chosen on them alone",
    )
    digits.add_argument("--epochs", type=int, default=10)
    digits.add_argument("--seed", type=int, default=42)
    digits.add_argument(
        "--out", type=Path, default=resource("models", "digits"), help="output folder"
    )
    digits.set_defaults(func=_train_digits)
    calibrate = kinds.add_parser(
        "calibrate-digits",
        help="fit a digit model's confidence (unsure threshold) on writers kept out",
        description="Fit the temperature and the 'unsure' thresholds of a digit model on real "
        "writers' trajectories it never trained on, and store them in its model card; with "
        "--pen-data, also the digits' centres in its feature space (NAME.centres.npz beside "
        "the model), the second doubt signal.",
    )
    calibrate.add_argument("model", type=Path, metavar="MODEL")
    calibrate.add_argument("writers", type=Path, metavar="WRITERS.tes")
    calibrate.add_argument(
        "--pen-data",
        type=Path,
        help="UCI pen-digits rows the model trained on (pendigits.tra), for the centres",
    )
    calibrate.add_argument(
        "--usps",
        type=Path,
        help="USPS zip.train.gz: with --pen-data, the rule is chosen and fitted across groups "
        "(each writer, each USPS fold the model never trained on)",
    )
    calibrate.set_defaults(func=_calibrate_digits)
    _register_dogs(kinds)
    train_classes.register(kinds)


def _register_dogs(kinds: argparse._SubParsersAction) -> None:
    from vision_agent.training.dogs import BACKBONES, HEADS

    dogs = kinds.add_parser(
        "dogs",
        help="train a dog-breed model by transfer learning (course programs 8-7/8-8)",
        description="Transfer learning on a folder-per-breed dataset (Stanford Dogs' Images/ "
        "layout): DenseNet121 ImageNet backbone, frozen phase then fine-tuning, augmentation, "
        "early stopping. Saves DIR/dog_breeds.keras, .classes.json and .history.json.",
    )
    dogs.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    dogs.add_argument("--epochs", type=int, default=10, help="frozen-backbone epochs")
    dogs.add_argument("--fine-tune-epochs", type=int, default=5, help="0 skips fine-tuning")
    dogs.add_argument("--out", type=Path, default=Path("dog_model"), help="output folder")
    dogs.add_argument(
        "--download",
        action="store_true",
        help="first download Stanford Dogs (images.tar, 757 MB) into DATA_DIR",
    )
    dogs.add_argument("--backbone", choices=BACKBONES, default="densenet121")
    dogs.add_argument(
        "--backbone-weights",
        default="imagenet",
        help="imagenet (from the model store) | none | a weights file",
    )
    dogs.add_argument("--head", choices=HEADS, default="gap", help="gap, or the course's head")
    dogs.add_argument("--image-size", type=int, default=224)
    dogs.add_argument("--batch-size", type=int, default=32)
    dogs.add_argument("--seed", type=int, default=42)
    dogs.set_defaults(func=_train_dogs)


def _train_dogs(args: argparse.Namespace) -> int:
    from vision_agent.training.dogs import DogTrainingOptions, train_dog_breeds

    try:
        if args.download:
            from vision_agent.training.stanford_dogs import download_stanford_dogs

            download_stanford_dogs(args.data_dir, progress=_print_progress)
        report = train_dog_breeds(
            DogTrainingOptions(
                data_dir=str(args.data_dir),
                out_dir=str(args.out),
                epochs=args.epochs,
                fine_tune_epochs=args.fine_tune_epochs,
                backbone=args.backbone,
                backbone_weights=args.backbone_weights,
                head=args.head,
                image_size=args.image_size,
                batch_size=args.batch_size,
                seed=args.seed,
                command="vision-agent " + shlex.join(sys.argv[1:]),
            )
        )
    except UserError as exc:
        return cannot_start(exc)
    print(
        f"Saved {report.model_path} and {report.classes_path}: {report.class_count} breeds, "
        f"best validation accuracy {report.best_val_accuracy:.1%} after {report.epochs_run} "
        f"epochs ({report.seconds:.0f} s).",
        flush=True,
    )
    return 0


def _print_progress(done: int, total: int | None, name: str) -> None:
    shown = f"{done / total:.0%}" if total else f"{done / 1e6:.0f} MB"
    print(f"\rDownloading {name}: {shown}", end="", file=sys.stderr, flush=True)


def _calibrate_digits(args: argparse.Namespace) -> int:
    from vision_agent.training.digit_calibration import calibrate_card

    if args.usps is not None and args.pen_data is None:
        return cannot_start("--usps needs --pen-data (the digits' centres come from it)")
    try:
        for path, kind in (
            (args.writers, "a UNIPEN trajectories file"),
            (args.pen_data, "a pen-digits rows file"),
            (args.usps, "a USPS zip.train.gz file"),
        ):
            if path is not None:
                require_regular_file(path, kind)
        if args.usps is not None:
            return _calibrate_across_groups(args)
        calibration, checked = calibrate_card(args.model, args.writers, args.pen_data)
    except UserError as exc:
        return cannot_start(exc)
    doubt = calibration.doubt
    signal = (
        f"unsure below {calibration.unsure_below:.4f}"
        if doubt is None
        else f"doubt score margin + {doubt.confidence_weight:.3f}·logit(confidence), unsure "
        f"below {doubt.unsure_below:.4f}"
    )
    print(
        f"{args.model}: temperature {calibration.temperature}, {signal}; fitted on five "
        f"writers, judged on the sixth: {checked.wrong_flagged:.1%} of {checked.wrong} wrong "
        f"readings flagged, {checked.right_flagged:.2%} of right ones not ok",
        flush=True,
    )
    return 0


def _calibrate_across_groups(args: argparse.Namespace) -> int:
    from vision_agent.training.doubt_groups import calibrate_across_groups

    settings, checked = calibrate_across_groups(args.model, args.writers, args.pen_data, args.usps)
    held_out = "; ".join(
        f"{kind}: {f.wrong_flagged:.1%} of {f.wrong} wrong readings flagged, "
        f"{f.right_flagged:.2%} of right ones"
        for kind, f in checked.items()
    )
    print(
        f"{args.model}: budget {settings.budget:g}, confidence share {settings.share:g} (chosen "
        f"leaving one group out); nested, on held-out groups: {held_out}",
        flush=True,
    )
    return 0


def _train_digits(args: argparse.Namespace) -> int:
    from vision_agent.training.digit_corpus import CorpusSizes
    from vision_agent.training.digits import DigitData, train_digits
    from vision_agent.training.usps import USPS_FOLDS

    if args.epochs < 1 or args.scanned < 0:
        return cannot_start("--epochs must be at least 1 and --scanned not negative")
    if not 0 < args.epoch_share <= 1 or not 0 < args.learning_rate < 1:
        return cannot_start("--epoch-share must be in (0, 1] and --learning-rate in (0, 1)")
    folds = tuple(sorted({int(f) for f in args.usps_folds.split(",") if f.strip().isdigit()}))
    if not folds or max(folds) >= USPS_FOLDS:
        return cannot_start(f"--usps-folds must name folds 0–{USPS_FOLDS - 1}, e.g. 0,1,2")
    command = "vision-agent " + shlex.join(sys.argv[1:])
    data = DigitData(args.data, args.pen_data, args.check_writers, args.usps, folds, args.bitmaps)
    try:
        for path, kind in (
            (args.data, "an MNIST .npz file"),
            (args.pen_data, "a pen-digits rows file"),
            (args.check_writers, "a UNIPEN trajectories file"),
            (args.usps, "a USPS zip.train.gz file"),
            (args.bitmaps, "an optdigits-orig bitmaps file"),
            (args.init, "a Keras digit model"),
        ):
            if path is not None:
                require_regular_file(path, kind)
        train_digits(
            data,
            args.out,
            epochs=args.epochs,
            seed=args.seed,
            command=command,
            sizes=CorpusSizes(scanned=args.scanned).scaled(args.epoch_share),
            init=args.init,
            learning_rate=args.learning_rate,
            average_with_init=args.average_with_init,
            blind=args.blind,
        )
    except UserError as exc:
        return cannot_start(exc)
    return 0
