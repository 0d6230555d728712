"""Training the postal-code digit CNN for real handwriting drawn on the canvas.

The network (see `build_model`) reads the app's 28×28 input and gives 11 probabilities: the
digits 0-9 and "not a digit" (scribbles, dashes, dots, letters). Every epoch is a fresh set of
images drawn the way users draw and passed through the app's own preprocessing
(`digit_corpus.py`): MNIST re-inked at canvas sizes and pens, real pen trajectories of 30 writers
(`pendigits.tra`), stroke templates of how people write digits, and non-digits. Adam with cosine
decay, batch 128; the last epoch is kept (no selection on the checks). Saves `digits_cnn.keras`,
`digits_cnn.onnx` (the app runs it through OpenCV DNN, without TensorFlow) and a model card with
the data that went in and the score on each check: MNIST test, real writers kept out of training
(`pendigits-orig-*.tes`), and OpenCV's `digits.png`.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
import zipfile
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from vision_agent.core.digits import MNIST_SIZE
from vision_agent.core.errors import UserError
from vision_agent.core.npz_gate import read_npz_arrays
from vision_agent.core.user_files import read_user_bytes
from vision_agent.training.digit_corpus import CorpusSizes

MODEL_BASENAME = "digits_cnn"
VALIDATION_SIZE = 5000
MIN_FIT_DIGITS = 1000  # trained on, beside the validation split
MNIST_MAX_FILE_BYTES = 1 << 30
MNIST_MAX_ARRAY_BYTES = 1_000_000 * 28 * 28  # a million digits: 16 × MNIST's training set


@dataclass
class DigitTrainingReport:
    keras_path: str
    onnx_path: str | None
    card_path: str
    test_accuracy: float | None  # None in a blind run
    onnx_test_accuracy: float | None
    epochs: int
    seconds: float


def load_mnist(data: Path | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """MNIST as uint8 arrays; from an .npz (Keras layout) or from Keras's own download."""
    if data is not None:
        keys = ("x_train", "y_train", "x_test", "y_test")
        if not zipfile.is_zipfile(data):
            raise UserError(f"{data} is not an MNIST .npz file (a NumPy zip archive).")
        raw = read_user_bytes(data, "an MNIST .npz file", MNIST_MAX_FILE_BYTES)
        try:  # each array bounded by its header before it is unpacked (a small file can be a bomb)
            stored = read_npz_arrays(raw, dict.fromkeys(keys, MNIST_MAX_ARRAY_BYTES))
        except UserError as exc:
            raise UserError(
                f"{data} is not an MNIST .npz holding {', '.join(keys)}: {exc}."
            ) from None
        arrays = tuple(stored[k] for k in keys)
        problem = mnist_shape_problem(*arrays)
        if problem:
            raise UserError(f"{data}: {problem}")
        return (*arrays, file_digest(data))
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    return x_train, y_train, x_test, y_test, "keras.datasets.mnist (Keras download)"


def mnist_shape_problem(
    x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray
) -> str:
    """What keeps these arrays from being trained on ('' when nothing): 28×28 digits with one
    label 0–9 each, and more training digits than the validation split takes."""
    for x_name, x, y_name, y in (("x_train", x_train, "y_train", y_train),
                                 ("x_test", x_test, "y_test", y_test)):  # fmt: skip
        if x.ndim != 3 or x.shape[1:] != (MNIST_SIZE, MNIST_SIZE):
            return f"{x_name} is {'×'.join(map(str, x.shape))}, not N×28×28 digits."
        if y.shape != (len(x),):
            return f"{y_name} has {y.size} labels for {len(x)} digits."
        if y.size and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() > 9):
            return f"{y_name} holds labels outside 0–9."
    needed = VALIDATION_SIZE + MIN_FIT_DIGITS
    if len(x_train) < needed:
        return f"holds {len(x_train)} training digits; at least {needed} are needed."
    return ""


def file_digest(path: Path) -> str:
    return f"{Path(path).name} (sha256 {hashlib.sha256(Path(path).read_bytes()).hexdigest()})"


ARCHITECTURE = (
    "Conv32-Conv32-Pool-Conv64-Conv64-Pool-Conv128 (3×3, each with BatchNorm and ReLU)-Flatten-"
    "Dropout.4-Dense256-Dropout.4-Dense11 softmax (digits 0-9 and 'not a digit')"
)


def build_model(keras: Any = None):
    """Program 8-3's digit CNN in `keras` (Keras 3 unless given; the tests pass tf_keras)."""
    if keras is None:
        import keras
    from vision_agent.training.digit_corpus import CLASS_COUNT

    layers = keras.layers

    def conv(filters: int) -> list:
        return [
            layers.Conv2D(filters, 3, use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
        ]

    return keras.Sequential(
        [
            keras.Input((28, 28, 1), name="digit"),
            *conv(32),
            *conv(32),
            layers.MaxPooling2D(),
            *conv(64),
            *conv(64),
            layers.MaxPooling2D(),
            *conv(128),
            layers.Flatten(),
            layers.Dropout(0.4),
            layers.Dense(256, activation="relu"),
            layers.Dropout(0.4),
            layers.Dense(CLASS_COUNT, activation="softmax", name="probabilities"),
        ],
        name="digits_cnn",
    )


@dataclass(frozen=True)
class DigitData:
    """The files a digit model is trained and checked on (pen files are optional)."""

    mnist: Path | None
    pen_rows: Path | None = None
    check_writers: Path | None = None
    usps: Path | None = None  # USPS zip.train.gz; only its `usps_folds` are trained on
    usps_folds: tuple[int, ...] = ()
    bitmaps: Path | None = None  # optdigits-orig bitmaps of other writers (`uci_bitmaps`)


def _epochs(mnist, pen, rng, count: int, sizes: CorpusSizes, usps=None, bitmaps=None):
    """Each epoch's freshly drawn images, the next one made in a thread while this one trains."""
    from concurrent.futures import ThreadPoolExecutor

    from vision_agent.training.digit_corpus import build_epoch

    x_fit, y_fit = mnist
    points, labels = pen
    with ThreadPoolExecutor(1) as pool:
        mix = (x_fit, y_fit, points, labels, rng, sizes, usps, bitmaps)
        upcoming = pool.submit(build_epoch, *mix)
        for epoch in range(count):
            images, targets = upcoming.result()
            if epoch + 1 < count:
                upcoming = pool.submit(build_epoch, *mix)
            yield images.astype(np.float32) / 255.0, targets


def checks(predict, data: DigitData, x_test: np.ndarray, y_test: np.ndarray) -> dict:
    """Accuracy (argmax of all 11 outputs) on MNIST test, kept-out writers and digits.png."""
    from vision_agent.core.postal import canvas_inputs
    from vision_agent.training.digit_checks import (
        OPENCV_DIGITS,
        opencv_digit_canvases,
        real_writer_inputs,
    )

    def accuracy(x: np.ndarray, y: np.ndarray) -> float:
        return _accuracy(predict, x, y)

    scores = {"mnist_test": accuracy(x_test, y_test)}
    if data.check_writers is not None:
        x, y, writers = real_writer_inputs(data.check_writers)
        scores["real_writers_kept_out"] = accuracy(x, y)
        scores["real_writers_file"] = file_digest(data.check_writers)
        scores["real_writers_by_writer"] = {
            str(w): accuracy(x[writers == w], y[writers == w]) for w in sorted(set(writers))
        }
    if data.usps is not None:
        from vision_agent.training.usps import kept_out_usps_inputs

        x, y = kept_out_usps_inputs(data.usps, data.usps_folds)
        scores["usps_kept_out_folds"] = accuracy(x, y)
    if OPENCV_DIGITS.is_file():
        canvases = opencv_digit_canvases(np.random.default_rng(1))
        inputs, truths = [], []
        for canvas, code in canvases:
            boxes, present = canvas_inputs(canvas)
            inputs += [boxes[i] for i in range(len(code)) if present[i]]
            truths += [int(code[i]) for i in range(len(code)) if present[i]]
        scores["opencv_digits_png"] = accuracy(np.array(inputs)[..., None], np.array(truths))
    return scores


def _accuracy(predict, x: np.ndarray, y: np.ndarray) -> float:
    """The share of `x` whose argmax over all 11 outputs is `y`."""
    return round(float((predict(x).argmax(axis=1) == y).mean()), 5)


REFRESH_SHARE = 0.3  # the epoch share that BatchNorm's statistics are measured again on


def average_with(model, other: Path, images: np.ndarray, labels: np.ndarray):
    """`model` with each weight the mean of its own and `other`'s (a fine-tuned model and the
    one it started from: the average keeps what the start read well and most of what
    fine-tuning added), then its BatchNorm statistics measured again on these images (the
    averaged layers see other activations than either model's); nothing else is learnt."""
    import keras

    start = keras.models.load_model(other, compile=False)
    pairs = zip(model.get_weights(), start.get_weights(), strict=True)
    model.set_weights([(a + b) / 2 for a, b in pairs])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="sparse_categorical_crossentropy")
    model.fit(images.astype(np.float32) / 255.0, labels, batch_size=128, epochs=1, verbose=2)
    return model


def train_digits(
    data: DigitData,
    out_dir: Path,
    epochs: int = 10,
    seed: int = 42,
    batch_size: int = 128,
    command: str = "",
    export_onnx: bool = True,
    sizes: CorpusSizes | None = None,
    init: Path | None = None,
    learning_rate: float = 1e-3,
    average_with_init: bool = False,
    blind: bool = False,
) -> DigitTrainingReport:
    """Train (or, from `init`'s Keras weights, fine-tune) the digit model and write its files;
    `average_with_init`: the fine-tuned weights are averaged with `init`'s (`average_with`).
    `blind`: the groups kept for reporting (MNIST test, the kept-out writers and USPS folds,
    digits.png) are neither measured nor printed nor written, so a candidate can be chosen on the
    validation digits alone; measure them once it is chosen (bench/postal_accuracy.py)."""
    import keras
    import tensorflow as tf

    from vision_agent.training.digit_corpus import LETTERS, build_epoch
    from vision_agent.training.pen_digits import read_resampled
    from vision_agent.training.uci_bitmaps import read_optdigits, trained_share
    from vision_agent.training.usps import read_usps, usps_folds

    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    x_train, y_train, x_test, y_test, mnist_source = load_mnist(data.mnist)
    x_fit, y_fit = x_train[:-VALIDATION_SIZE], y_train[:-VALIDATION_SIZE]
    x_val = (x_train[-VALIDATION_SIZE:].astype("float32") / 255.0)[..., None]
    y_val = y_train[-VALIDATION_SIZE:]
    x_test = (x_test.astype("float32") / 255.0)[..., None]
    pen = read_resampled(data.pen_rows) if data.pen_rows is not None else (None, None)
    usps = None
    if data.usps is not None:
        frames, digit_labels = read_usps(data.usps)
        chosen = np.isin(usps_folds(len(digit_labels)), data.usps_folds)
        usps = frames[chosen], digit_labels[chosen]
    bitmaps = None
    if data.bitmaps is not None:
        frames, digit_labels = read_optdigits(data.bitmaps)
        chosen = trained_share(len(digit_labels))
        bitmaps = frames[chosen], digit_labels[chosen]
    sizes = sizes or CorpusSizes()
    if bitmaps is None:
        sizes = replace(sizes, bitmaps=0)
    per_epoch = sizes.mnist + sizes.mnist_as_is + sizes.templates + sizes.non_digits
    per_epoch += sizes.pen_rows if data.pen_rows is not None else 0
    per_epoch += sizes.usps if usps is not None else 0
    per_epoch += sizes.bitmaps + sizes.scanned
    steps = epochs * int(np.ceil(per_epoch / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=0.02)
    model = build_model() if init is None else keras.models.load_model(init, compile=False)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history: dict[str, list[float]] = {}
    epoch_images = _epochs((x_fit, y_fit), pen, rng, epochs, sizes, usps, bitmaps)
    for epoch, (images, targets) in enumerate(epoch_images):
        fitted = model.fit(
            images,
            targets,
            batch_size=batch_size,
            initial_epoch=epoch,
            epochs=epoch + 1,
            validation_data=(x_val, y_val),
            verbose=2,
        )
        for key, values in fitted.history.items():
            history.setdefault(key, []).extend(values)
    if init is not None and average_with_init:
        refresh = build_epoch(x_fit, y_fit, *pen, rng, sizes.scaled(REFRESH_SHARE), usps, bitmaps)
        model = average_with(model, init, *refresh)
    out_dir.mkdir(parents=True, exist_ok=True)
    keras_path = out_dir / f"{MODEL_BASENAME}.keras"
    model.save(keras_path)
    # Saved again from an uncompiled copy: the file then holds no optimizer state (3× smaller).
    keras.models.load_model(keras_path, compile=False).save(keras_path)

    def checked(predict) -> dict:
        if blind:
            return {"mnist_validation": _accuracy(predict, x_val, y_val)}
        return checks(predict, data, x_test, y_test)

    scores = checked(lambda x: model.predict_on_batch(x))
    print(f"checks (Keras): {json.dumps(scores)}", flush=True)

    onnx_path, onnx_scores = None, None
    if export_onnx:
        from vision_agent.core.predictors import load_predictor

        onnx_path = out_dir / f"{MODEL_BASENAME}.onnx"
        model.export(str(onnx_path), format="onnx", verbose=False)
        onnx_scores = checked(load_predictor(onnx_path, (28, 28, 1)))
        print(f"checks (ONNX via OpenCV DNN): {json.dumps(onnx_scores)}", flush=True)

    seconds = time.perf_counter() - started
    sources = [mnist_source + f": train {len(x_fit)} (re-inked at canvas sizes and pens; as is)"]
    if data.pen_rows is not None:
        sources.append(file_digest(data.pen_rows) + f": {len(pen[1])} digits by 30 writers")
    if usps is not None:
        sources.append(
            file_digest(data.usps) + f": {len(usps[1])} digits of real mail, folds "
            f"{', '.join(map(str, data.usps_folds))} of 5 contiguous blocks (the others kept out)"
        )
    if bitmaps is not None:
        sources.append(
            file_digest(data.bitmaps) + f": {len(bitmaps[1])} scanned digits of other writers "
            "(optdigits), every fifth kept out for validation"
        )
    if init is not None:
        sources.append(f"fine-tuned from {file_digest(init)} (its own card says what it saw)")
        if average_with_init:
            sources.append(
                "then each weight averaged with that model's, BatchNorm statistics measured "
                f"again on one {REFRESH_SHARE:.0%} epoch of the mix above (nothing else learnt)"
            )
    if sizes.scanned:
        sources.append(
            f"{sizes.scanned} per epoch of the digits above as scanned forms (stretched to "
            "fill 16×16 or scaled 32 tall, half thickened, thresholded: scanned_frame)"
        )
    sources.append("stroke templates (vision_agent/training/stroke_templates.py), jittered")
    sources.append(f"non-digits: dashes, dots, zigzags, scribbles, crosses, letters {LETTERS!r}")
    card = {
        "model": MODEL_BASENAME,
        "task": "handwritten digit (0-9) classification for the postal-code canvas, with a "
        "'not a digit' class (output 10)",
        "classes": [str(d) for d in range(10)] + ["not a digit"],
        "architecture": ARCHITECTURE,
        "input": "1×28×28×1 float32, white digit on black, 0..1, fitted into 20×20 and centred "
        "by centre of mass (MNIST normalisation)",
        "data": sources,
        "per_epoch": asdict(sizes) if data.pen_rows is not None else None,
        "drawing": "every image drawn into a 100×100 box: larger side 34-86 px, pen 3-14 px, "
        "slant ±0.35, stretch 0.7-1.3, anywhere in the box; then the app's preprocessing",
        "kept_out": "the writers of the check file (never trained on); MNIST test; digits.png; "
        "the USPS folds not named above"
        + ("; none of them read by this (blind) run" if blind else ""),
        "optimizer": f"Adam, cosine decay from {learning_rate:g} over {steps} steps, "
        f"batch {batch_size}",
        "epochs": epochs,
        "seed": seed,
        "checks_keras": scores,
        "checks_onnx_opencv_dnn": onnx_scores,
        "mnist_test_accuracy": scores.get("mnist_test"),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "training_seconds": round(seconds, 1),
        "software": {
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
        },
        "history": {k: [round(float(v), 5) for v in vs] for k, vs in history.items()},
    }
    card_path = out_dir / f"{MODEL_BASENAME}.card.json"
    card_path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if data.check_writers is not None and onnx_path is not None and not blind:
        from vision_agent.training.digit_calibration import calibrate_card

        calibration, checked = calibrate_card(onnx_path, data.check_writers, data.pen_rows)
        print(f"calibration: {calibration}; cross-validated over writers: {checked}", flush=True)
    report = DigitTrainingReport(
        keras_path=str(keras_path),
        onnx_path=None if onnx_path is None else str(onnx_path),
        card_path=str(card_path),
        test_accuracy=scores.get("mnist_test"),
        onnx_test_accuracy=None if onnx_scores is None else onnx_scores.get("mnist_test"),
        epochs=epochs,
        seconds=seconds,
    )
    print(json.dumps(asdict(report)), file=sys.stderr, flush=True)
    return report
