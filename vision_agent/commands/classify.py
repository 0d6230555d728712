"""`vision-agent classify IMAGE_OR_DIR... [--model M] [--top N] [--json] [--csv OUT]`.

Prints the top classes of each photo (folders: every image inside, sorted). Without --model, the
best ImageNet classifier on this computer (ResNet50, GoogLeNet, then MobileNetV2 int8, which
ships with the app; stderr says which); --model names one of them or the path of a user's Keras
ImageNet classifier; `--weights` runs the named architecture (ResNet50 when none is named) with
a weights file the user brings.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

from vision_agent.commands.common import cannot_start, emit, for_each_file
from vision_agent.commands.explain_output import explain_layer_folder, explain_photo
from vision_agent.commands.model_default import announce, best_present
from vision_agent.core.classify import BEST_FIRST, DEFAULT_MODEL, MODEL_ALIASES, PHOTO_MAX_SIDE
from vision_agent.core.errors import UserError
from vision_agent.core.user_writes import write_user_file

CSV_FIELDS = ("file", "model", "rank", "index", "label", "probability", "latency_ms")
WEIGHTS_ARCHITECTURE = "resnet50"  # what --weights loads into when --model names nothing


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "classify",
        help="top-5 ImageNet classes of photos",
        description="Classify photos with an ImageNet model and print the top classes with "
        "their probabilities.",
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="IMAGE_OR_DIR")
    parser.add_argument(
        "--model",
        help=f"{' | '.join(MODEL_ALIASES)} | a Keras classifier file (default: the best of "
        f"{', '.join(BEST_FIRST)} on this computer)",
    )
    parser.add_argument(
        "--weights", type=Path, help="a weights file for the architecture named by --model"
    )
    parser.add_argument("--top", type=int, default=5, help="how many classes (default: 5)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--csv", type=Path, metavar="OUT", help="also write the results as CSV")
    parser.add_argument(
        "--explain",
        type=Path,
        metavar="OUT_DIR",
        help="also write the feature maps of the layer named by --layer as a PNG per photo, "
        "and OUT_DIR/layers.json",
    )
    parser.add_argument("--layer", metavar="NAME", help="the layer --explain shows")
    parser.set_defaults(func=run)


def default_model(weights: Path | None) -> str:
    """The classifier when --model names none: ResNet50 for --weights, else the best present
    (said on stderr)."""
    if weights is not None:
        return WEIGHTS_ARCHITECTURE
    model = best_present(BEST_FIRST, MODEL_ALIASES, DEFAULT_MODEL)
    announce(MODEL_ALIASES[model], "ImageNet classifier", "--model")
    return model


def load_classifier(model: str, weights: Path | None):
    """The classifier the CLI runs in its own process (TensorFlow is fine here)."""
    from vision_agent.engine.registry_models import (
        classifier_file,
        classifier_with_weights,
        image_classifier,
        resolve_model_id,
    )

    model_id = resolve_model_id(model)
    if weights is not None:
        return classifier_with_weights(weights, model)
    if model_id is not None:
        return image_classifier(model_id)
    path = Path(model)
    if not path.exists() and not path.suffix:
        raise _no_classifier_named(model)
    return classifier_file(path)


def _no_classifier_named(model: str) -> UserError:
    """Why a name that is no file is no classifier: the registry is unreadable (its error
    is raised), the name is unknown, or it names a model for another task."""
    from vision_agent.models import registry

    try:
        entry = registry.get(MODEL_ALIASES.get(model.lower(), model))
    except registry.UnknownModelError:
        choices = ", ".join(MODEL_ALIASES)
        return UserError(
            f"Unknown model '{model}': give {choices}, a classifier id from "
            "`vision-agent models list`, or the path of a Keras model file."
        )
    return UserError(f"Model '{entry.id}' is a {entry.task} model, not an ImageNet classifier.")


def run(args: argparse.Namespace) -> int:
    from vision_agent.core.imageio import read_image

    if args.top < 1:
        return cannot_start("--top must be at least 1.")
    if (args.explain is None) != (args.layer is None):
        return cannot_start("--explain OUT_DIR and --layer NAME go together.")
    try:
        model = args.model or default_model(args.weights)
        classifier = load_classifier(model, args.weights)
        explained = None
        if args.explain is not None:
            explained = explain_layer_folder(args.explain, classifier, args.layer)
    except UserError as exc:
        return cannot_start(exc)
    rows: list[dict] = []

    def handle(path: Path) -> None:
        photo = read_image(path, max_side=PHOTO_MAX_SIDE)
        result = classifier.classify(photo, top=args.top, annotate=False)
        record = result.to_json(str(path))
        answers = ", ".join(f"{s.label} {s.probability:.1%}" for s in result.top)
        emit(record, args.json, f"{path}: {answers}  ({result.latency_ms:.0f} ms)")
        rows.extend(
            {"file": str(path), "model": result.model, "rank": rank, **top}
            | {"latency_ms": record["latency_ms"]}
            for rank, top in enumerate(record["top"], 1)
        )
        if explained is not None:
            explain_photo(classifier, photo, args.layer, path, explained)

    status = for_each_file(args.inputs, handle, folders=True)
    if explained is not None:
        try:
            explained.write_json("photos")
        except UserError as exc:
            return cannot_start(exc)
    if args.csv is not None:
        text = io.StringIO(newline="")
        writer = csv.DictWriter(text, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
        try:
            write_user_file(args.csv, text.getvalue().encode("utf-8"))
        except UserError as exc:
            return cannot_start(exc)
    return status
