"""`vision-agent dog IMAGE... [--model FILE --classes FILE] [--classifier C] [--json]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from vision_agent.commands.common import cannot_start, emit, for_each_file
from vision_agent.commands.model_default import announce, best_present
from vision_agent.core.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "dog",
        help="is there a dog, and which breed",
        description="Name the five likeliest dog breeds of each photo. Without --model, the "
        "ImageNet classifier's 118 dog classes are used (no training needed); with --model and "
        "--classes, a Keras breed model (the course's .h5 and its pickled name list work).",
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="IMAGE")
    parser.add_argument("--model", type=Path, help="Keras breed model (.h5, .keras)")
    parser.add_argument(
        "--classes", type=Path, help="class names: JSON, text (one a line) or the course's pickle"
    )
    parser.add_argument(
        "--classifier",
        help="ImageNet classifier for the default recognizer and the dog check: resnet50 | "
        "googlenet | mobilenet_v2 (default: the best of these on this computer)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(func=run)


def load_recognizer(args: argparse.Namespace):
    from vision_agent.core.classify import BEST_FIRST, DEFAULT_MODEL, MODEL_ALIASES
    from vision_agent.engine.registry_models import (
        classifier_model_id,
        dog_recognizer,
        keras_breed_recognizer,
        resolve_model_id,
    )

    if args.classifier is None:
        args.classifier = best_present(BEST_FIRST, MODEL_ALIASES, DEFAULT_MODEL)
        announce(MODEL_ALIASES[args.classifier], "ImageNet classifier", "--classifier")
    if resolve_model_id(args.classifier) is None:
        known = ", ".join(MODEL_ALIASES)
        raise UserError(f"Unknown --classifier '{args.classifier}' (known: {known}).")
    if (args.model is None) != (args.classes is None):
        raise UserError("--model and --classes go together (a breed model needs its names).")
    if args.model is not None:
        return keras_breed_recognizer(str(args.model), str(args.classes), args.classifier)
    return dog_recognizer(classifier_model_id(args.classifier))


def run(args: argparse.Namespace) -> int:

    try:
        recognizer = load_recognizer(args)
    except UserError as exc:
        return cannot_start(exc)

    def handle(path: Path) -> None:
        result = recognizer.recognize_file(path)
        breeds = ", ".join(f"{s.breed} {s.probability:.1%}" for s in result.top)
        score = "" if result.dog_score is None else f"dog {result.dog_score:.2f}; "
        text = f"{path}: {result.headline()}  [{score}{breeds}]"
        emit(result.to_json(str(path)), args.json, text)

    return for_each_file(args.inputs, handle, folders=True)
