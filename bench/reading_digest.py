"""Every reading of real handwriting, to the last bit, as one digest: run it before and after a
change to the recognizer and compare (the same digest means the same readings).

The canvases: the six pen writers' codes (`pendigits-orig-writers1-6.tes`) in every way of
drawing the accuracy check uses; the USPS kept-out folds in every way; the same pen codes moved
sideways by 20, 45 and 70 px (strokes that cross box edges and lie outside the boxes), with a
box left blank and its digit written small above the boxes; and each pen writer's later codes
read after teaching their first ten (the handwriting profile and its way of redrawing). Each
reading is recorded whole: the model inputs' bytes, every digit's probabilities, confidence,
alternatives, status and marks, and the ink outside.

    python bench/reading_digest.py [--dump FILE]   # FILE: one line per canvas, for diffing
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vision_agent.core.postal import (  # noqa: E402
    BOX_COUNT,
    SHIPPED_MODEL,
    PostalReading,
    PostalRecognizer,
    box_rect,
    canvas_inputs,
)
from vision_agent.training.digit_checks import VARIANTS, writer_codes  # noqa: E402
from vision_agent.training.pen_digits import read_unipen  # noqa: E402
from vision_agent.training.uci_bitmaps import bitmap_codes  # noqa: E402
from vision_agent.training.usps import (  # noqa: E402
    KEPT_OUT_FOLDS,
    USPS_WAYS,
    read_usps,
    usps_folds,
)

SHARED = ROOT.parent / "shared" / "datasets"
WRITERS = SHARED / "pendigits" / "pendigits-orig-writers1-6.tes"
USPS = SHARED / "usps" / "zip.train.gz"
TAUGHT = 10  # codes taught per writer before the rest are read with the profile


def recorded(reading: PostalReading) -> str:
    """The whole reading as text, floats in full (`repr`)."""
    digits = [
        (d.digit, repr(d.confidence), [repr(p) for p in d.probabilities], d.status.value,
         [(a, repr(p)) for a, p in d.alternatives], repr(d.not_digit), d.by_profile,
         d.crosses_edge)
        for d in reading.digits
    ]  # fmt: skip
    inputs = hashlib.sha256(np.ascontiguousarray(reading.inputs, np.float32).tobytes())
    return f"{inputs.hexdigest()[:16]} {reading.ink_outside} {digits}"


def moved(canvas: np.ndarray, shift: int, blank: int | None) -> np.ndarray:
    """The canvas moved `shift` px right (paper enters on the left), box `blank` cleared and
    its digit written 40 px tall above the boxes (outside every box)."""
    out = np.full_like(canvas, 255)
    out[:, shift:] = canvas[:, : canvas.shape[1] - shift]
    if blank is not None:
        x, y, w, h = box_rect(blank)
        small = cv2.resize(out[y : y + h, x : x + w], (40, 40), interpolation=cv2.INTER_AREA)
        out[y : y + h, x : x + w] = 255
        out[5:45, x : x + 40] = small
    return out


def pen_groups() -> Iterator[tuple[str, list[np.ndarray]]]:
    digits = read_unipen(WRITERS)
    for way, placement in VARIANTS.items():
        yield f"pen, {way}", [c for w in writer_codes(digits, placement) for c in w.canvases]
    default = [c for w in writer_codes(digits) for c in w.canvases]
    for shift in (20, 45, 70):
        yield (
            f"pen moved {shift} px, one box blank",
            [moved(c, shift, k % 6 if k % 6 < BOX_COUNT else None) for k, c in enumerate(default)],
        )


def usps_groups() -> Iterator[tuple[str, list[np.ndarray]]]:
    frames, labels = read_usps(USPS)
    picked = np.flatnonzero(np.isin(usps_folds(len(frames)), KEPT_OUT_FOLDS))
    for way, size in USPS_WAYS.items():
        canvases, _ = bitmap_codes(frames[picked], labels[picked], size)
        yield f"USPS folds {KEPT_OUT_FOLDS}, {way}", canvases


def taught_readings(recognizer: PostalRecognizer) -> Iterator[tuple[str, list[str]]]:
    """Each writer's codes after the first TAUGHT, read with a profile of those."""
    for writer in writer_codes(read_unipen(WRITERS)):
        inputs, labels = [], []
        for canvas, code in zip(writer.canvases[:TAUGHT], writer.codes[:TAUGHT], strict=True):
            boxes, present = canvas_inputs(canvas)
            keep = [i for i in range(BOX_COUNT) if present[i]]
            inputs.append(boxes[keep][..., None])
            labels += [int(code[i]) for i in keep]
        recognizer.use_profile(np.concatenate(inputs), np.array(labels))
        lines = [f"variant {recognizer.variant}"]
        lines += [recorded(recognizer.recognize(c)) for c in writer.canvases[TAUGHT:]]
        yield f"pen writer {writer.writer} taught {TAUGHT} codes", lines
    recognizer.use_profile(np.zeros((0, 28, 28, 1), np.float32), np.zeros(0, int))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path, help="write every reading, one line per canvas")
    args = parser.parse_args()
    recognizer = PostalRecognizer.from_file(SHIPPED_MODEL)
    whole, lines = hashlib.sha256(), []
    groups: list[tuple[str, list[str]]] = [
        (name, [recorded(recognizer.recognize(c)) for c in canvases])
        for name, canvases in (*pen_groups(), *usps_groups())
    ]
    groups += list(taught_readings(recognizer))
    for name, records in groups:
        digest = hashlib.sha256("\n".join(records).encode()).hexdigest()[:16]
        print(f"{name:<44} {len(records):>5} readings  {digest}")
        whole.update(digest.encode())
        lines += [f"{name}\t{r}" for r in records]
    print(f"all {sum(len(r) for _, r in groups)} readings: {whole.hexdigest()[:16]}")
    if args.dump:
        args.dump.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
