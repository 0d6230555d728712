"""Handwriting of writers the project never met: two public UCI collections of digit bitmaps.

- optdigits (UCI "Optical Recognition of Handwritten Digits", E. Alpaydin and C. Kaynak,
  Bogazici University, 1998; CC BY 4.0): `optdigits-orig.windep` holds 1,797 digits of 13
  writers, cut from filled-in forms by NIST's form software as 32×32 binary bitmaps, each scaled
  so the digit is 32 tall with its aspect ratio kept. Text: a header of `key = value` lines,
  then per digit 32 lines of 32 `0`/`1` and a line with the label. (`optdigits-orig.tra`, `.cv`
  and `.wdep`, same format, hold 30 other writers.)
- Semeion (UCI "Semeion Handwritten Digit", Tattile / Semeion Research Center, 1994; CC BY 4.0):
  `semeion.data` holds 1,593 digits of about 80 people, each scanned, stretched to fill a 16×16
  box and thresholded. Text: one digit a line, 256 values 0/1 row by row, then ten 0/1 values
  marking the label.

Neither file is in ../shared or in the repository; `bench/postal_unseen.py` reads them from
wherever they were fetched to. A frame is drawn the way `usps.usps_box` draws real mail: scaled
as a whole to the height a user draws at, on a box of white paper, so that the app's own
preprocessing (ink box fitted into 20×20, aspect kept, centred by centre of mass) sees it as it
sees a drawing. Semeion's stretch to a square cannot be undone (its files keep no aspect ratio).

optdigits' digits come in the order of the forms they were cut from, and every form asks for the
same 130 digits (`OPTDIGITS_FORM`, as the labels of `optdigits-orig.windep` repeat it), a few
missing or extra where the form software dropped or split one: `optdigits_forms` tells the forms
apart by aligning the labels to that text. The file says nothing of who filled which form: its
1,797 digits make 14 forms, where UCI counts 13 writers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vision_agent.core.errors import UserError
from vision_agent.core.postal import BOX_COUNT
from vision_agent.training.digit_checks import canvas_of
from vision_agent.training.usps import usps_box

OPTDIGITS_SIDE = 32
SEMEION_SIDE = 16
INK = 255


def _text(path: str | Path) -> list[str]:
    try:
        return Path(path).read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path} cannot be read as text: {exc}") from None


def read_optdigits(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(n, 32, 32) uint8 ink (0 paper, 255 ink) and (n,) labels 0–9 of an `optdigits-orig.*`
    file, in file order."""
    frames, labels, rows = [], [], []
    started = False
    for number, line in enumerate(_text(path), 1):
        line = line.strip()
        if len(line) == OPTDIGITS_SIDE and set(line) <= {"0", "1"}:
            started = True
            rows.append([c == "1" for c in line])
        elif started and line.isdigit() and len(rows) == OPTDIGITS_SIDE and int(line) <= 9:
            frames.append(rows)
            labels.append(int(line))
            rows = []
        elif started and line not in ("", "EOF"):
            raise UserError(
                f"{path}: line {number} is neither a bitmap row of {OPTDIGITS_SIDE} 0/1 nor the "
                f"label 0–9 after {OPTDIGITS_SIDE} rows."
            )
    if not frames or rows:
        raise UserError(f"{path}: no whole {OPTDIGITS_SIDE}×{OPTDIGITS_SIDE} digit bitmaps.")
    return np.array(frames, np.uint8) * INK, np.array(labels)


def read_semeion(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(n, 16, 16) uint8 ink and (n,) labels 0–9 of `semeion.data`, in file order."""
    cells = SEMEION_SIDE * SEMEION_SIDE
    try:
        rows = np.array([line.split() for line in _text(path) if line.strip()], np.float64)
    except ValueError as exc:
        raise UserError(f"{path} is not Semeion digits (rows of numbers): {exc}") from None
    if rows.ndim != 2 or rows.shape[1] != cells + 10 or not len(rows):
        raise UserError(f"{path}: rows are not 256 pixels and ten label marks.")
    marks = rows[:, cells:]
    if not np.isin(rows, (0.0, 1.0)).all() or not (marks.sum(axis=1) == 1).all():
        raise UserError(f"{path}: values other than 0/1, or not exactly one label marked a row.")
    frames = rows[:, :cells].reshape(-1, SEMEION_SIDE, SEMEION_SIDE).astype(np.uint8) * INK
    return frames, marks.argmax(axis=1)


OPTDIGITS_FORM = (
    "012345678901234567890123456789"
    "0955650989841773510022782012633733466649150952820017632174631391768431405369617544728225"
    "795488490898"
)


def optdigits_forms(labels: np.ndarray, form: str = OPTDIGITS_FORM) -> np.ndarray:
    """Per digit, the number (0, 1, …) of the form it was cut from: the labels aligned to the
    form's text repeated, a form at a time, at the least edit distance (a digit of the text
    missing, an extra digit, or another digit in its place costs 1; a new form begins once the
    last one's text is used up)."""
    size, count = len(form), len(labels)
    text = np.array([int(c) for c in form])
    cost = np.arange(size + 1.0)  # per place in the form's text (digits of it behind us)
    # how each place was reached with each digit: 0 the text's next digit (or another in its
    # place), 1 an extra digit, 2 the text's digit here missing, 3 a new form begun (its text
    # up to here missing but for this digit)
    step = np.zeros((count, size + 1), np.int8)
    for i, label in enumerate(labels):
        moves = np.stack(
            [
                cost[:-1] + (text != label),
                cost[1:] + 1,
                np.full(size, np.inf),
                cost[size] + np.arange(size) + (text != label),
            ]
        )
        step[i] = np.concatenate([[1], moves.argmin(axis=0)])
        new = np.concatenate([[cost[0] + 1], moves.min(axis=0)])
        for j in range(1, size + 1):
            if new[j - 1] + 1 < new[j]:
                new[j], step[i, j] = new[j - 1] + 1, 2
        cost = new
    began = np.zeros(count, np.int64)
    i, j = count - 1, size
    while i >= 0:
        move = step[i, j]
        if move == 2:
            j -= 1
            continue
        began[i] = move == 3
        i, j = i - 1, {0: j - 1, 1: j, 3: size}[int(move)]
    return np.cumsum(began)


def bitmap_codes(
    frames: np.ndarray, labels: np.ndarray, way: tuple[int, int]
) -> tuple[list[np.ndarray], list[str]]:
    """The frames five at a time in the order given, each drawn into its box at `way` (height
    in canvas pixels, pen change in pixels): (canvases, true codes); a last partial code is
    left out."""
    canvases, codes = [], []
    for start in range(0, len(labels) - BOX_COUNT + 1, BOX_COUNT):
        group = range(start, start + BOX_COUNT)
        canvases.append(canvas_of([usps_box(frames[k], way[0], pen_change=way[1]) for k in group]))
        codes.append("".join(str(labels[k]) for k in group))
    return canvases, codes


VALIDATION_EVERY = 5  # every fifth digit of a training file is kept out to validate on


def trained_share(count: int) -> np.ndarray:
    """Which of a training file's `count` digits are trained on: all but every fifth (the
    5th, 10th, 15th, …; `~trained_share(count)` marks the digits kept out to validate on)."""
    return np.arange(count) % VALIDATION_EVERY != VALIDATION_EVERY - 1
