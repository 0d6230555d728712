"""How well the postal tab reads handwriting it never met: figures from held-out groups only.

Every figure goes through the tab's own path (canvas → five boxes → MNIST-style preprocessing →
model → calibrated status), for the shipped model and, beside it in the same run, the model it
replaced (`--before`, by default the files at git commit BEFORE_COMMIT). The groups:
- pen writers 1–6 (`pendigits-orig-writers1-6.tes`): trained on by neither model; each writer's
  digits drawn as five-digit codes in writing order, in every way of drawing (default pen 8 px /
  66 px tall, small 40 px, thick 14 px, thin 4 px, off-centre);
- real mail: the USPS folds neither model trained on (`training/usps.py`: 5 contiguous blocks of
  `zip.train.gz`; the shipped model trained on folds 0–2, so folds 3 and 4 are reported), drawn
  64 px tall as the issue's check draws them, and small (40 px) and with a thicker pen;
- the unsure rule, nested: for each group, the settings (budget of right readings flagged, the
  confidence's share) are chosen by leaving one group out among the other groups, the rule is
  fitted on those other groups, and the held-out group is judged (`training/doubt_groups.py`);
- teaching: the first 10 codes of each pen writer taught, the rest read (as bench/profile_learning);
- MNIST test (10,000 digits as they are): the ten digits' argmax and all eleven outputs' (the
  card's figure).

    python bench/postal_accuracy.py [--model NEW.onnx] [--before OLD.onnx] [--skip-teaching]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.profile_learning import digits_right, teach_codes  # noqa: E402
from vision_agent.core.digit_status import DIGIT_CLASSES  # noqa: E402
from vision_agent.core.postal import (  # noqa: E402
    SHIPPED_MODEL,
    PostalRecognizer,
)
from vision_agent.training.digit_calibration import reference_centres  # noqa: E402
from vision_agent.training.digit_checks import VARIANTS, writer_codes  # noqa: E402
from vision_agent.training.doubt_groups import (  # noqa: E402
    USPS_GROUP,
    figures,
    grouped_readings,
    nested,
)
from vision_agent.training.pen_digits import read_unipen  # noqa: E402
from vision_agent.training.uci_bitmaps import bitmap_codes  # noqa: E402
from vision_agent.training.usps import (  # noqa: E402
    KEPT_OUT_FOLDS,
    USPS_WAYS,
    read_usps,
    usps_folds,
)

SHARED = ROOT.parent / "shared"
WRITERS = SHARED / "datasets" / "pendigits" / "pendigits-orig-writers1-6.tes"
PEN_ROWS = SHARED / "datasets" / "pendigits" / "pendigits.tra"
USPS = SHARED / "datasets" / "usps" / "zip.train.gz"
MNIST = SHARED / "assets" / "mnist" / "mnist.npz"
BEFORE_COMMIT = "16fd3d6"  # main before the model fine-tuned again (chosen on MNIST validation)


def model_before(folder: Path) -> Path | None:
    """The replaced model's ONNX file, card and centres, from git history."""
    for suffix in (".onnx", ".card.json", ".centres.npz"):
        shown = subprocess.run(
            ["git", "-C", str(ROOT), "show",
             f"{BEFORE_COMMIT}:resources/models/digits/digits_cnn{suffix}"],
            capture_output=True,
        )  # fmt: skip
        if shown.returncode != 0:
            return None
        (folder / f"digits_cnn{suffix}").write_bytes(shown.stdout)
    return folder / "digits_cnn.onnx"


def compared_models(model: Path, before: Path | None, folder: Path) -> dict[str, PostalRecognizer]:
    """The model measured ("new") and, read in the same run, the one it is compared with
    ("before": the given file, else the replaced model's files from git history put in `folder`)."""
    before = before or model_before(folder)
    models = {"new": PostalRecognizer.from_file(model)}
    if before is not None:
        models["before"] = PostalRecognizer.from_file(before)
    print(f"new: {model}; before: {before or 'none (git history missing)'}")
    return models


def score(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    digits = sum(a == b for truth, read in pairs for a, b in zip(truth, read, strict=True))
    return digits / (5 * len(pairs)), sum(t == r for t, r in pairs) / len(pairs)


def usps_codes(way: tuple[int, int]) -> dict[int, tuple[list[np.ndarray], list[str]]]:
    """Each kept-out fold's digits in file order, five to a canvas: (canvases, codes)."""
    frames, labels = read_usps(USPS)
    folds = usps_folds(len(labels))
    result = {}
    for fold in KEPT_OUT_FOLDS:
        picked = np.flatnonzero(folds == fold)
        result[fold] = bitmap_codes(frames[picked], labels[picked], way)
    return result


def accuracy(models: dict[str, PostalRecognizer]) -> None:
    digits = read_unipen(WRITERS)
    print(f"\nPen writers 1–6 ({WRITERS.name}, {len(digits)} digits; no model trained on them)")
    print(f"{'drawn as':<24} {'model':<8} {'digits':>7} {'codes':>7}   per writer (digits)")
    for variant, placement in VARIANTS.items():
        per_writer = writer_codes(digits, placement)
        for name, recognizer in models.items():
            everything, by_writer = [], []
            for writer in per_writer:
                pairs = [
                    (code, recognizer.recognize(c).code)
                    for c, code in zip(writer.canvases, writer.codes, strict=True)
                ]
                everything += pairs
                by_writer.append(f"{writer.writer}:{score(pairs)[0]:.2%}")
            d, c = score(everything)
            print(f"{variant:<24} {name:<8} {d:7.2%} {c:7.2%}   {' '.join(by_writer)}")
    print(f"\nReal mail: USPS folds {KEPT_OUT_FOLDS} of {USPS.name} (no model trained on them)")
    print(f"{'drawn as':<24} {'model':<8} {'digits':>7} {'codes':>7}   per fold (digits)")
    for way, size in USPS_WAYS.items():
        folds = usps_codes(size)
        for name, recognizer in models.items():
            everything, by_fold = [], []
            for fold, (canvases, codes) in folds.items():
                read = [recognizer.recognize(c).code for c in canvases]
                pairs = list(zip(codes, read, strict=True))
                everything += pairs
                by_fold.append(f"{fold}:{score(pairs)[0]:.2%}")
            d, c = score(everything)
            print(f"{way:<24} {name:<8} {d:7.2%} {c:7.2%}   {' '.join(by_fold)}")
    if MNIST.is_file():
        with np.load(MNIST) as data:
            x, y = data["x_test"].astype(np.float32)[..., None] / 255.0, data["y_test"]
        for name, recognizer in models.items():
            outputs = np.vstack(
                [recognizer.predictor(x[k : k + 1000]) for k in range(0, len(x), 1000)]
            )
            for outputs_read, shown in ((DIGIT_CLASSES, "ten digits"), (None, "all eleven")):
                right = (outputs[:, :outputs_read].argmax(axis=1) == y).mean()
                print(f"{'MNIST test, ' + shown:<24} {name:<8} {right:7.2%}")


def doubt(models: dict[str, PostalRecognizer]) -> None:
    print(
        "\nUnsure rule, nested over groups (each group judged by a rule whose settings were "
        "chosen and fitted on the other groups; target ≥ 80 % of wrong flagged, ≤ 3 % of right)"
    )
    print(
        f"{'held-out groups':<22} {'model':<8} {'readings':>8} {'wrong':>6} "
        f"{'wrong flagged':>14} {'right flagged':>14}   settings chosen (budget/share)"
    )
    for name, recognizer in models.items():
        centres = reference_centres(recognizer, PEN_ROWS)
        per_group = nested(grouped_readings(recognizer, WRITERS, centres, USPS))
        for label, members in (
            ("pen writers 1–6", [g for g in per_group if g < USPS_GROUP]),
            (f"USPS folds {KEPT_OUT_FOLDS}", [g for g in per_group if g >= USPS_GROUP]),
        ):
            right = np.concatenate([per_group[g][0] for g in members])
            flagged = np.concatenate([per_group[g][1] for g in members])
            f = figures(right, flagged)
            chosen = " ".join(
                f"{per_group[g][2].budget:g}/{per_group[g][2].share:g}" for g in members
            )
            print(
                f"{label:<22} {name:<8} {f.readings:>8} {f.wrong:>6} {f.wrong_flagged:>14.1%} "
                f"{f.right_flagged:>14.2%}   {chosen}"
            )


def teaching(models: dict[str, PostalRecognizer], taught: int = 10) -> None:
    print(f"\nAfter teaching each pen writer's first {taught} codes (the rest read)")
    writers = writer_codes(read_unipen(WRITERS))
    for name, recognizer in models.items():
        before_all, after_all = [], []
        for writer in writers:
            recognizer.use_profile(np.zeros((0, 28, 28, 1)), np.zeros(0))
            rest = writer.canvases[taught:], writer.codes[taught:]
            right, total, _ = digits_right(recognizer, *rest)
            before_all.append(right / total)
            teach_codes(recognizer, writer.canvases[:taught], writer.codes[:taught])
            after_all.append(digits_right(recognizer, *rest)[0] / total)
        recognizer.use_profile(np.zeros((0, 28, 28, 1)), np.zeros(0))
        per_writer = " ".join(
            f"{w.writer}:{a:.2%}" for w, a in zip(writers, after_all, strict=True)
        )
        print(
            f"{name:<8} before {np.mean(before_all):.2%}  after: mean {np.mean(after_all):.2%}, "
            f"hardest {min(after_all):.2%}   {per_writer}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=SHIPPED_MODEL, help="default: shipped")
    parser.add_argument("--before", type=Path, help="the model to compare with (.onnx)")
    parser.add_argument("--skip-teaching", action="store_true")
    args = parser.parse_args()
    for needed in (WRITERS, PEN_ROWS, USPS):
        if not needed.is_file():
            sys.exit(f"{needed} not found: the held-out groups need ../shared beside the checkout")
    with tempfile.TemporaryDirectory() as folder:
        models = compared_models(args.model, args.before, Path(folder))
        accuracy(models)
        doubt(models)
        if not args.skip_teaching:
            teaching(models)


if __name__ == "__main__":
    main()
