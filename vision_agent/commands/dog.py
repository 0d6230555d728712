"""`vision-agent dog IMAGE... [--model FILE --classes FILE] [--classifier C] [--json]`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from vision_agent.commands.common import cannot_start, expand_inputs, for_each_file
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
        default="mobilenet_v2",
        help="ImageNet classifier for the default recognizer and the dog check: resnet50 | "
        "mobilenet_v2 (default: mobilenet_v2)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(func=run)


def load_recognizer(args: argparse.Namespace):
    from vision_agent.core.dogs import ImageNetDogRecognizer, classifier_model_id

    if (args.model is None) != (args.classes is None):
        raise UserError("--model and --classes go together (a breed model needs its names).")
    if args.model is not None:
        from vision_agent.core.keras_breeds import KerasBreedRecognizer

        return KerasBreedRecognizer.from_files(str(args.model), str(args.classes), args.classifier)
    return ImageNetDogRecognizer.from_model_id(classifier_model_id(args.classifier))


def run(args: argparse.Namespace) -> int:

    try:
        recognizer = load_recognizer(args)
    except UserError as exc:
        return cannot_start(exc)

    def handle(path: Path) -> None:
        result = recognizer.recognize_file(path)
        if args.json:
            print(json.dumps(result.to_json(str(path)), ensure_ascii=False), flush=True)
        else:
            breeds = ", ".join(f"{s.breed} {s.probability:.1%}" for s in result.top)
            score = "" if result.dog_score is None else f"dog {result.dog_score:.2f}; "
            print(f"{path}: {result.headline()}  [{score}{breeds}]", flush=True)

    return for_each_file(expand_inputs(args.inputs), handle)
