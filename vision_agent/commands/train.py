"""`vision-agent train digits ...`: the commands that produce the app's Keras models."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from vision_agent.paths import resource


def register(subparsers: argparse._SubParsersAction) -> None:
    train = subparsers.add_parser("train", help="train a model")
    kinds = train.add_subparsers(dest="train_kind", metavar="MODEL", required=True)
    digits = kinds.add_parser(
        "digits",
        help="train the postal-code digit CNN on MNIST",
        description="Train the digit CNN (course program 8-3) with augmentation for mouse "
        "drawing; saves .keras, .onnx and a model card.",
    )
    digits.add_argument("--data", type=Path, help="MNIST .npz (Keras layout); default: download")
    digits.add_argument("--epochs", type=int, default=15)
    digits.add_argument("--seed", type=int, default=42)
    digits.add_argument(
        "--out", type=Path, default=resource("models", "digits"), help="output folder"
    )
    digits.set_defaults(func=_train_digits)


def _train_digits(args: argparse.Namespace) -> int:
    from vision_agent.training.digits import train_digits

    if args.data is not None and not args.data.is_file():
        print(f"vision-agent: MNIST file not found: {args.data}", file=sys.stderr)
        return 2
    if args.epochs < 1:
        print("vision-agent: --epochs must be at least 1", file=sys.stderr)
        return 2
    command = "vision-agent " + shlex.join(sys.argv[1:])
    train_digits(args.data, args.out, epochs=args.epochs, seed=args.seed, command=command)
    return 0
