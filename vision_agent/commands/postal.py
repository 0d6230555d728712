"""`vision-agent postal IMAGE... [--model PATH] [--json]`: read postal codes from saved drawings."""

from __future__ import annotations

import argparse
from pathlib import Path

from vision_agent.commands.common import cannot_start, emit, for_each_file
from vision_agent.core.errors import UserError
from vision_agent.core.postal import SHIPPED_MODEL


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "postal",
        help="read five-digit postal codes from drawings",
        description="Read drawings saved by the postal-code tab (520×200 PNG, black ink on "
        "white, five boxes) and print each code ('?' marks a blank box).",
    )
    parser.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    parser.add_argument(
        "--model",
        type=Path,
        default=SHIPPED_MODEL,
        help="digit model (.h5, .keras, .onnx, .pb); default: the shipped model",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from vision_agent.core.postal import PostalRecognizer

    try:
        recognizer = PostalRecognizer.from_file(args.model)
    except UserError as exc:
        return cannot_start(exc)

    def handle(path: Path) -> None:
        reading = recognizer.recognize_file(path)
        region = reading.region
        where = f"  {region.ko} ({region.en})" if region else ""
        confidences = " ".join(
            "-" if d.digit is None else f"{d.confidence:.2f}" for d in reading.digits
        )
        text = f"{path}: {reading.code}{where}  [{confidences}]"
        emit(reading.to_json(str(path)), args.json, text)

    return for_each_file(args.images, handle)
