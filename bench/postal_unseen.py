"""The postal tab on handwriting no setting was ever chosen on: two public UCI collections.

Writers the project never met, read through the tab's own path (canvas → five boxes → the app's
preprocessing → model → the card's calibrated status), by the shipped model and, in the same
run, the model it replaced (`postal_accuracy.BEFORE_COMMIT`). Nothing was fitted, chosen or
changed on them: the doubt rule is the shipped card's, the ways of drawing are USPS's.
- optdigits' writer-independent test file `optdigits-orig.windep` (13 writers, 1,797 digits);
  codes of five in file order (neighbouring digits come from the same form);
- Semeion's `semeion.data` (about 80 people, 1,593 digits); the file is sorted by digit in
  blocks, so codes of five are taken in one fixed shuffle (seed `SEMEION_SEED`, set before any
  reading).
Each is drawn as real mail is (`usps.USPS_WAYS`: 64 px tall, small 40 px, thicker pen).
A reading is flagged when the tab does not show it as sure (unsure, not a digit or blank).

With `--teach N` (optdigits only), teaching instead, with the shipped teaching settings (chosen on
pen writers 1–6, `bench/postal_teaching.py`; nothing is chosen here): per form of optdigits'
file (`uci_bitmaps.optdigits_forms`; one person filled each form), its codes of five in the
order written, the first N taught to an empty profile as the tab's "That was: …" does (the code
read, then every box holding ink taught its true digit) and the form's other codes read before
and after, with the tab's own judging. Semeion's file keeps no writer order, so teaching cannot
be measured per writer there.

Fetch the files from the UCI repository (or a public copy; see docs/postal_accuracy.md) outside
the checkout, never into it:

    python bench/postal_unseen.py --optdigits DIR/optdigits-orig.windep --semeion DIR/semeion.data
    python bench/postal_unseen.py --optdigits DIR/optdigits-orig.windep --teach 10
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.postal_accuracy import compared_models  # noqa: E402
from vision_agent.core.digit_status import DigitStatus  # noqa: E402
from vision_agent.core.errors import UserError  # noqa: E402
from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer  # noqa: E402
from vision_agent.training.uci_bitmaps import (  # noqa: E402
    bitmap_codes,
    optdigits_forms,
    read_optdigits,
    read_semeion,
)
from vision_agent.training.usps import USPS_WAYS  # noqa: E402

SEMEION_SEED = 21


def semeion_shuffled(path: Path) -> tuple[np.ndarray, np.ndarray]:
    frames, labels = read_semeion(path)
    order = np.random.default_rng(SEMEION_SEED).permutation(len(labels))
    return frames[order], labels[order]


SOURCES: dict[str, Callable[[Path], tuple[np.ndarray, np.ndarray]]] = {
    "optdigits": read_optdigits,  # in file order
    "semeion": semeion_shuffled,
}


Figures = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def read_all(recognizer: PostalRecognizer, canvases: list[np.ndarray], codes: list[str]) -> Figures:
    """Per digit: true label, digit read (-1 for none), flagged; per code: read whole."""
    truth, read, flagged, whole = [], [], [], []
    for canvas, code in zip(canvases, codes, strict=True):
        reading = recognizer.recognize(canvas)
        whole.append(reading.code == code)
        for digit, box in zip(code, reading.digits, strict=True):
            truth.append(int(digit))
            read.append(-1 if box.digit is None else box.digit)
            flagged.append(box.status is not DigitStatus.OK)
    return np.array(truth), np.array(read), np.array(flagged), np.array(whole)


def report(name: str, model: str, figures: Figures) -> str:
    truth, read, flagged, whole = figures
    right = truth == read
    wrong_flagged = flagged[~right].mean() if (~right).any() else 1.0
    per_digit = " ".join(f"{d}:{right[truth == d].mean():.1%}" for d in range(10))
    return (
        f"{name:<26} {model:<7} {len(truth):>6} {right.mean():7.2%} {whole.mean():7.2%} "
        f"{int((~right).sum()):>6} {wrong_flagged:8.1%} {flagged[right].mean():8.2%}   {per_digit}"
    )


def taught_then_read(
    recognizer: PostalRecognizer, canvases: list[np.ndarray], codes: list[str], teach: int
) -> tuple[Figures, Figures]:
    """The codes after the first `teach` read with an empty profile, then again after those
    `teach` were taught one by one as "That was: …" does: (before, after)."""
    recognizer.use_profile(np.zeros((0, 28, 28, 1)), np.zeros(0))
    before = read_all(recognizer, canvases[teach:], codes[teach:])
    for canvas, code in zip(canvases[:teach], codes[:teach], strict=True):
        reading = recognizer.recognize(canvas)
        labels = reading.taught_labels(code)
        if labels:
            inputs, answers = reading.taught_boxes(labels)
            recognizer.teach(inputs[..., None], answers)
    return before, read_all(recognizer, canvases[teach:], codes[teach:])


def pooled_flags(figures: list[Figures]) -> str:
    """Right readings flagged / wrong readings flagged (wrong count), over these groups."""
    truth, read, flagged = (np.concatenate([f[k] for f in figures]) for k in range(3))
    right = truth == read
    wrong = f"{flagged[~right].mean():.0%}" if (~right).any() else "-"
    return f"{flagged[right].mean():.2%} / {wrong} ({int((~right).sum())})"


def teaching(path: Path, model: Path, teach: int) -> None:
    frames, labels = read_optdigits(path)
    forms = optdigits_forms(labels)
    recognizer = PostalRecognizer.from_file(model)
    print(
        f"model {model.name}; optdigits {len(labels)} digits in {forms.max() + 1} forms "
        f"(digits per form {np.bincount(forms).min()}–{np.bincount(forms).max()}); teach the "
        f"first {teach} codes of each form, read the rest; shipped teaching settings"
    )
    rows = []
    for way, size in USPS_WAYS.items():
        print(f"\n{way}\n{'form':>4} {'read':>5} {'untaught':>9} {'taught':>8}  way  mistakes left")
        results = []
        for number in range(forms.max() + 1):
            mine = forms == number
            canvases, codes = bitmap_codes(frames[mine], labels[mine], size)
            before, after = taught_then_read(recognizer, canvases, codes, teach)
            results.append((before, after))
            truth, read, flagged, _ = after
            mistakes = " ".join(
                f"{t}→{'-' if r < 0 else r}{'' if f else '!'}"
                for t, r, f in zip(truth, read, flagged, strict=True)
                if t != r
            )
            print(
                f"{number:>4} {len(truth):>5} {(before[0] == before[1]).mean():9.2%} "
                f"{(truth == read).mean():8.2%}  {recognizer.variant}  {mistakes}",
                flush=True,
            )
        cells = []
        for k in range(2):
            shares = [(r[k][0] == r[k][1]).mean() for r in results]
            cells.append(f"{np.mean(shares):.2%} / {min(shares):.2%}")
            cells.append(pooled_flags([r[k] for r in results]))
        rows.append(f"{way:<20} " + "  ".join(f"{c:>22}" for c in cells))
    print(
        f"\n{'drawn as':<20} {'untaught mean/hardest':>22}  {'right / wrong flagged':>22}  "
        f"{'taught mean/hardest':>22}  {'right / wrong flagged':>22}"
    )
    print("\n".join(rows))
    print("(mistakes: true→read, '!' when not flagged, '-' none read)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--optdigits", type=Path, help="optdigits-orig.windep")
    parser.add_argument("--semeion", type=Path, help="semeion.data")
    parser.add_argument("--model", type=Path, default=SHIPPED_MODEL, help="default: shipped")
    parser.add_argument("--before", type=Path, help="the model to compare with (.onnx)")
    parser.add_argument("--teach", type=int, help="codes taught per optdigits form (see above)")
    args = parser.parse_args()
    if args.teach is not None:
        if args.semeion is not None or args.optdigits is None or args.before is not None:
            parser.error(
                "--teach reads optdigits only, with one model: Semeion's file keeps no writer "
                "order, so teaching cannot be measured per writer there"
            )
        try:
            teaching(args.optdigits, args.model, args.teach)
        except UserError as exc:
            sys.exit(str(exc))
        return
    files = {"optdigits": args.optdigits, "semeion": args.semeion}
    files = {name: path for name, path in files.items() if path is not None}
    if not files:
        parser.error("give --optdigits and/or --semeion (files fetched outside the checkout)")
    try:
        sources = {name: SOURCES[name](path) for name, path in files.items()}
    except UserError as exc:
        sys.exit(str(exc))
    with tempfile.TemporaryDirectory() as folder:
        models = compared_models(args.model, args.before, Path(folder))
        print(
            f"{'source, drawn as':<26} {'model':<7} {'digits':>6} {'right':>7} {'codes':>7} "
            f"{'wrong':>6} {'w. flag':>8} {'r. flag':>8}   right per digit"
        )
        for name, (frames, labels) in sources.items():
            for way, size in USPS_WAYS.items():
                canvases, codes = bitmap_codes(frames, labels, size)
                for model, recognizer in models.items():
                    figures = read_all(recognizer, canvases, codes)
                    print(report(f"{name}, {way}", model, figures), flush=True)


if __name__ == "__main__":
    main()
