"""Which digit model ships, decided on validation digits only: MNIST train's last 5,000.

Neither the shipped model nor the one before trained on them (`training/digits.py` keeps
`VALIDATION_SIZE` digits of MNIST train out as Keras's validation split). Each model is read on
them as they are and redrawn twice at canvas sizes and pens through the app's preprocessing
(`digit_corpus.mnist_digit`, seed 2026), argmax of all eleven outputs. No held-out group (pen
writers 1–6, USPS folds 3–4) and not MNIST test. With `--optdigits`, also the fifth of an
optdigits-orig training file that `train digits --bitmaps` keeps out (`uci_bitmaps.trained_share`),
drawn 64 px tall: the same writers as trained on, other digits of theirs.

    python bench/digit_validation.py NEW.onnx OLD.onnx [--optdigits optdigits-orig.tra]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vision_agent.core.predictors import load_predictor  # noqa: E402
from vision_agent.training.digit_corpus import drawn_inputs, mnist_digit  # noqa: E402
from vision_agent.training.digits import VALIDATION_SIZE  # noqa: E402
from vision_agent.training.uci_bitmaps import read_optdigits, trained_share  # noqa: E402
from vision_agent.training.usps import USPS_HEIGHT, usps_box  # noqa: E402

MNIST = ROOT.parent / "shared" / "assets" / "mnist" / "mnist.npz"
REDRAWN_COPIES = 2
SEED = 2026


def validation_digits() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """(as is, redrawn): each as (28×28×1 inputs in 0..1, labels)."""
    with np.load(MNIST) as data:
        x, y = data["x_train"][-VALIDATION_SIZE:], data["y_train"][-VALIDATION_SIZE:]
    rng = np.random.default_rng(SEED)
    redrawn = drawn_inputs(x, y, mnist_digit, REDRAWN_COPIES, rng)
    as_is = (x.astype(np.float32) / 255.0)[..., None]
    return (as_is, y), redrawn


def kept_out_bitmaps(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The kept-out fifth of an optdigits-orig training file as the app's inputs."""
    frames, labels = read_optdigits(path)
    kept = ~trained_share(len(labels))
    rng = np.random.default_rng(SEED)  # unused: the frames are drawn as they are
    return drawn_inputs(frames[kept], labels[kept], lambda f, _: usps_box(f, USPS_HEIGHT), 1, rng)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", type=Path, nargs="+", metavar="MODEL.onnx")
    parser.add_argument("--optdigits", type=Path, help="optdigits-orig training file")
    args = parser.parse_args()
    if not MNIST.is_file():
        sys.exit(f"{MNIST} not found: the validation digits need ../shared beside the checkout")
    sets = list(validation_digits())
    if args.optdigits is not None:
        sets.append(kept_out_bitmaps(args.optdigits))
    for model in args.models:
        predict = load_predictor(model, (28, 28, 1))
        scores = []
        for x, y in sets:
            read = np.concatenate(
                [predict(x[k : k + 1000]).argmax(axis=1) for k in range(0, len(x), 1000)]
            )
            scores.append(float((read == y).mean()))
        bitmaps = (
            f", optdigits kept out {scores[2]:.2%} ({len(sets[2][1])})" if len(sets) > 2 else ""
        )
        print(
            f"{model}: MNIST validation as is {scores[0]:.2%}, redrawn {scores[1]:.2%} "
            f"({len(sets[1][1])}){bitmaps}, mean {np.mean(scores):.3%}",
            flush=True,
        )


if __name__ == "__main__":
    main()
