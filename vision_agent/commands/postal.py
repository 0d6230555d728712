"""`vision-agent postal IMAGE... [--model PATH] [--json]`: read postal codes from saved drawings."""

from __future__ import annotations

import argparse
from pathlib import Path

from vision_agent.commands.common import cannot_start, emit, error, for_each_file
from vision_agent.commands.explain_output import explain_drawing, explain_folder
from vision_agent.core.digit_status import DigitStatus
from vision_agent.core.errors import UserError
from vision_agent.core.postal import SHIPPED_MODEL, DigitReading


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "postal",
        help="read five-digit postal codes from drawings",
        description="Read drawings saved by the postal-code tab (520×200 PNG, black ink on "
        "white, five boxes) and print each code: '?' marks an unsure digit (its confidence "
        "follows with '?' and the likelier alternative), '_' a blank box, '✗' ink that is no "
        "digit. --json gives each digit's status (ok, unsure, blank, not_digit) and its top two.",
    )
    parser.add_argument("images", nargs="*", type=Path, metavar="IMAGE")
    parser.add_argument(
        "--model",
        type=Path,
        default=SHIPPED_MODEL,
        help="digit model (.h5, .keras, .onnx, .pb); default: the shipped model",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="read with this handwriting profile (the user's taught digits)",
    )
    parser.add_argument(
        "--teach",
        metavar="CODE",
        help="with --profile and one drawing: store its five boxes as the digits of CODE "
        "('?' skips a box, 'x' marks ink that is no digit)",
    )
    parser.add_argument(
        "--forget", action="store_true", help="with --profile: remove every taught sample"
    )
    parser.add_argument(
        "--explain",
        type=Path,
        metavar="OUT_DIR",
        help="also write, per box, the preprocessing steps and every layer's feature maps "
        "as PNG images, and OUT_DIR/layers.json",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from vision_agent.core.postal import PostalRecognizer

    if (args.teach or args.forget) and not args.profile:
        return cannot_start("--teach and --forget need --profile NAME.")
    if args.forget:
        return forget(args.profile)
    if args.teach is not None:
        if len(args.images) != 1:
            return cannot_start("--teach takes exactly one drawing.")
        return teach(args.profile, args.teach, args.images[0])
    if not args.images:
        return cannot_start("Name at least one drawing to read.")
    try:
        recognizer = PostalRecognizer.from_file(args.model)
        explained = None if args.explain is None else explain_folder(args.explain, recognizer)
    except UserError as exc:
        return cannot_start(exc)
    profile_failed = args.profile is not None and not use_profile(recognizer, args.profile)

    def handle(path: Path) -> None:
        reading = recognizer.recognize_file(path)
        region = reading.region
        where = f"  {region.ko} ({region.en})" if region else ""
        confidences = " ".join(_plain_status(d) for d in reading.digits)
        text = f"{path}: {reading.marked_code}{where}  [{confidences}]"
        emit(reading.to_json(str(path)), args.json, text)
        if explained is not None:
            explain_drawing(recognizer, path, explained)

    status = for_each_file(args.images, handle)
    if explained is not None:
        try:
            explained.write_json("drawings")
        except UserError as exc:
            return cannot_start(exc)
    return max(status, 1) if profile_failed else status


def use_profile(recognizer, name: str) -> bool:
    """Read with the named profile; on a damaged one say so and go on with the general model."""
    from vision_agent.core.handwriting_profile import default_store

    try:
        profile = default_store().load(name)
    except UserError as exc:
        error(f"Profile not used: {exc} The general model reads as usual.")
        return False
    recognizer.use_profile(profile.float_inputs(), profile.labels)
    return True


def teach(name: str, code: str, drawing: Path) -> int:
    from vision_agent.core.handwriting_profile import NOT_A_DIGIT_LABEL, default_store
    from vision_agent.core.postal import BOX_COUNT, canvas_inputs, read_canvas

    if len(code) != BOX_COUNT or any(c not in "0123456789?xX" for c in code):
        return cannot_start(
            f"CODE must be {BOX_COUNT} characters, each a digit, '?' (skip) or 'x' (no digit): "
            f"{code!r}"
        )
    try:
        store = default_store()
        store.load(name)  # a damaged profile is named before the drawing is read
        inputs, present = canvas_inputs(read_canvas(drawing))
        boxes = [i for i, c in enumerate(code) if c != "?" and present[i]]
        labels = [NOT_A_DIGIT_LABEL if code[i] in "xX" else int(code[i]) for i in boxes]
        profile = store.add_samples(name, inputs[boxes], labels)
    except UserError as exc:
        return cannot_start(exc)
    skipped = [str(i + 1) for i, c in enumerate(code) if c != "?" and not present[i]]
    taught = " ".join(f"box {i + 1}={code[i]}" for i in boxes) or "nothing"
    note = f" (boxes {', '.join(skipped)} are blank: skipped)" if skipped else ""
    print(
        f"{drawing}: taught {taught} to profile '{profile.name}'{note}; it now holds "
        f"{len(profile)} samples.",
        flush=True,
    )
    return 0


def forget(name: str) -> int:
    from vision_agent.core.handwriting_profile import HandwritingProfile, check_name, default_store

    try:
        store = default_store()
        store.save(HandwritingProfile(check_name(name)))
    except UserError as exc:
        return cannot_start(exc)
    print(f"Profile '{name}' is empty now.", flush=True)
    return 0


def _plain_status(digit: DigitReading) -> str:
    if digit.status is DigitStatus.BLANK:
        return "-"
    if digit.status is DigitStatus.NOT_DIGIT:
        return "no-digit"
    if digit.status is DigitStatus.UNSURE:
        (first, p1), (second, p2) = digit.alternatives
        return f"{first}:{p1:.2f}?/{second}:{p2:.2f}"
    return f"{digit.confidence:.2f}"
