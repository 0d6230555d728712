"""Strategies (1) and (2) of the course's transfer learning, on a Keras backbone (TensorFlow;
the CLI's own process or the tab's training child process, never the window's).

(1) "all": the backbone's architecture only, every weight trained from random values.
(2) "partial": the backbone with weights from a file (the model store's, or `--backbone-weights`);
    its last N stages are trained with the new head, the others stay frozen.
A head-only run on a Keras backbone (strategy "head" with resnet50/densenet121) is (2) with N = 0.
The stages are the network's blocks as Keras names its layers (MobileNetV2 `block_7_*`, ResNet50
and DenseNet121 `conv4_block3_*`); a picture of them with their parameter counts is
`stages(model)`. The parameter counts are Keras's: the weights' sizes, trainable and not.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vision_agent.core.errors import UserError
from vision_agent.core.imagenet_preprocess import Preprocessing, keras_mode
from vision_agent.core.own_classes.dataset import PhotoSet, validation_split
from vision_agent.core.own_classes.export import (
    MODEL_FILE,
    ExportedFiles,
    preprocessing_record,
    write_sidecars,
)
from vision_agent.core.own_classes.head import EpochFigures, confusion_matrix
from vision_agent.core.own_classes.messages import (
    CANNOT_WRITE,
    EVERY_CLASS_NEEDS_A_PHOTO,
    NO_STORE_WEIGHTS,
    WEIGHTS_DO_NOT_FIT,
    WEIGHTS_NOT_FOUND,
)
from vision_agent.core.own_classes.train import TrainingResult, WrongPhoto
from vision_agent.core.user_writes import make_folder

KERAS_MODEL_FILE = "own_classes.keras"
ARCHITECTURES = {
    "mobilenet_v2": ("MobileNetV2", "tf", None),
    "resnet50": ("ResNet50", "caffe", None),
    "densenet121": ("DenseNet121", "torch", "densenet121_imagenet_notop"),
}
_STAGE = re.compile(r"^(block_\d+|conv\d+_block\d+|pool\d+|expanded_conv)")


@dataclass(frozen=True)
class KerasOptions:
    backbone: str = "mobilenet_v2"
    strategy: str = "partial"  # "all", "partial" or "head"
    unfreeze: int = 2
    epochs: int = 5
    validation: float = 0.2
    seed: int = 0
    weights: str | None = None  # a Keras weights file of the backbone (no top)
    image_size: int = 224
    alpha: float = 1.0  # MobileNetV2's width


@dataclass(frozen=True)
class Stage:
    name: str
    parameters: int
    trainable: bool


@dataclass(frozen=True)
class NetworkSummary:
    """The network's stages in order (the new head last) and Keras's parameter counts."""

    stages: list[Stage]
    trainable: int
    non_trainable: int
    extra: dict = field(default_factory=dict)


def build_model(options: KerasOptions, classes: int):
    """The backbone (weights loaded, stages frozen as the strategy says) and a softmax head."""
    import keras

    _check(options)
    architecture, _, _ = ARCHITECTURES[options.backbone]
    shape = (options.image_size, options.image_size, 3)
    kwargs = {"alpha": options.alpha} if options.backbone == "mobilenet_v2" else {}
    keras.utils.set_random_seed(options.seed)
    backbone = getattr(keras.applications, architecture)(
        include_top=False, weights=None, input_shape=shape, pooling="avg", **kwargs
    )
    if options.strategy != "all":
        weights = _weights_file(options)
        try:
            backbone.load_weights(str(weights))
        except Exception as exc:
            shape = f"no top, {options.image_size}×{options.image_size}"
            shape += f", alpha {options.alpha}" if kwargs else ""
            raise UserError(
                WEIGHTS_DO_NOT_FIT.format(
                    file=weights.name,
                    network=architecture,
                    shape=shape,
                    reason=f"{type(exc).__name__}: {str(exc)[:160]}",
                )
            ) from None
        unfreeze = 0 if options.strategy == "head" else options.unfreeze
        trainable = set(_stage_names(backbone)[-unfreeze:]) if unfreeze > 0 else set()
        for layer in backbone.layers:
            layer.trainable = _stage_of(layer.name, backbone) in trainable
    outputs = keras.layers.Dense(classes, activation="softmax", name="new_head")(backbone.output)
    return keras.Model(backbone.input, outputs, name=f"{options.backbone}_own_classes")


def summary(model) -> NetworkSummary:
    """Stages (grouped layers) with their parameters, and the trainable/frozen totals."""
    order: list[str] = []
    counts: dict[str, int] = {}
    trainable: dict[str, bool] = {}
    for layer in model.layers:
        stage = "new head" if layer.name == "new_head" else _stage_of(layer.name, model)
        if stage not in counts:
            order.append(stage)
            counts[stage], trainable[stage] = 0, False
        counts[stage] += sum(int(np.prod(w.shape)) for w in layer.weights)
        trainable[stage] |= bool(layer.trainable_weights)
    stages = [Stage(name, counts[name], trainable[name]) for name in order if counts[name]]
    trained = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    return NetworkSummary(stages, trained, frozen)


def train_keras(
    photos: PhotoSet,
    options: KerasOptions,
    out_dir: Path | None,
    on_epoch: Callable[[EpochFigures], None] | None = None,
    on_summary: Callable[[NetworkSummary], None] | None = None,
    command: str = "",
) -> TrainingResult:
    """Train strategy `options.strategy` on `photos`; export .keras, .onnx, classes and card."""
    import keras

    started = time.perf_counter()
    preprocessing = _preprocessing(options)
    x, kept, skipped = _load(photos, preprocessing)
    photos = photos.subset(kept)
    train_rows, val_rows = validation_split(photos.labels, options.validation, options.seed)
    model = build_model(options, len(photos.classes))
    network = summary(model)
    if on_summary is not None:
        on_summary(network)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3 if options.strategy == "all" else 1e-4),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    y = photos.labels
    history: list[EpochFigures] = []
    for epoch in range(1, options.epochs + 1):
        model.fit(x[train_rows], y[train_rows], batch_size=16, epochs=1, verbose=0, shuffle=True)
        train_loss, train_acc = model.evaluate(x[train_rows], y[train_rows], verbose=0)
        val_loss = val_acc = None
        if len(val_rows):
            val_loss, val_acc = (
                float(v) for v in model.evaluate(x[val_rows], y[val_rows], verbose=0)
            )
        figures = EpochFigures(epoch, float(train_acc), float(train_loss), val_acc, val_loss)
        history.append(figures)
        if on_epoch is not None:
            on_epoch(figures)
    probabilities = model.predict(x[val_rows], verbose=0) if len(val_rows) else np.zeros((0, 1))
    predicted = probabilities.argmax(axis=1) if len(val_rows) else np.zeros(0, np.int64)
    truth = y[val_rows]
    wrong = [
        WrongPhoto(
            photos.paths[row], photos.classes[t], photos.classes[p], float(probabilities[k, p])
        )
        for k, (row, t, p) in enumerate(zip(val_rows, truth, predicted, strict=True))
        if t != p
    ]
    result = TrainingResult(
        classes=photos.classes,
        strategy=options.strategy,
        backbone=f"{ARCHITECTURES[options.backbone][0]} (Keras)",
        counts=photos.counts(),
        train_photos=len(train_rows),
        val_photos=len(val_rows),
        history=history,
        val_accuracy=float(np.mean(predicted == truth)) if len(val_rows) else None,
        val_loss=history[-1].val_loss,  # its curves are the kept model's own
        baseline_val_accuracy=None,
        confusion=confusion_matrix(truth, predicted, len(photos.classes)),
        wrong=wrong,
        skipped=skipped,
        feature_seconds=0.0,
        seconds=time.perf_counter() - started,
        parameters={"trainable": network.trainable, "non_trainable": network.non_trainable},
    )
    if out_dir is not None:
        result.files = _export(model, out_dir, result, options, preprocessing, command)
    result.seconds = time.perf_counter() - started
    return result


def _export(model, out_dir: Path, result, options, preprocessing, command) -> ExportedFiles:
    out_dir = Path(out_dir)
    make_folder(out_dir)
    try:
        model.save(out_dir / KERAS_MODEL_FILE)
        onnx_path = out_dir / MODEL_FILE
        partial = out_dir / f".{MODEL_FILE}.partial.onnx"
        model.export(str(partial), format="onnx", verbose=False)
        partial.replace(onnx_path)
    except OSError as exc:
        raise UserError(CANNOT_WRITE.format(folder=out_dir, reason=exc.strerror or exc)) from None
    card = result.to_json() | {
        "backbone_id": options.backbone,
        "backbone_frozen": options.strategy == "head",
        "unfreeze": options.unfreeze if options.strategy == "partial" else None,
        "preprocessing": preprocessing_record(preprocessing, "NHWC"),
        "validation_split": options.validation,
        "seed": options.seed,
        "keras_model": KERAS_MODEL_FILE,
        "command": command,
    }
    card.pop("files")
    return write_sidecars(out_dir, onnx_path, result.classes, card)


def _preprocessing(options: KerasOptions) -> Preprocessing:
    _, mode, _ = ARCHITECTURES[options.backbone]
    size = (options.image_size, options.image_size)
    base = keras_mode(mode, size)
    return Preprocessing(size, base.color_order, base.mean, base.scale, base.std)


def _load(photos: PhotoSet, preprocessing: Preprocessing):
    from vision_agent.core.imageio import read_image

    rows, kept, skipped = [], [], []
    for i, path in enumerate(photos.paths):
        try:
            photo = read_image(path, max_side=512)
        except UserError as exc:
            skipped.append((Path(path), str(exc)))
            continue
        rows.append(preprocessing.normalize(preprocessing.resized(photo)))
        kept.append(i)
    if len({int(photos.labels[i]) for i in kept}) < len(photos.classes):
        raise UserError(EVERY_CLASS_NEEDS_A_PHOTO)
    return np.stack(rows), np.array(kept, np.int64), skipped


def _weights_file(options: KerasOptions) -> Path:
    if options.weights is not None:
        path = Path(options.weights)
        if not path.is_file():
            raise UserError(WEIGHTS_NOT_FOUND.format(path=path))
        return path
    _, _, model_id = ARCHITECTURES[options.backbone]
    if model_id is None:
        raise UserError(
            NO_STORE_WEIGHTS.format(strategy=options.strategy, backbone=options.backbone)
        )
    from vision_agent.models.store import default_store

    return Path(default_store().local_files(model_id)["weights"])


def _stage_names(model) -> list[str]:
    names: list[str] = []
    for layer in model.layers:
        stage = _stage_of(layer.name, model)
        if layer.weights and stage not in names:
            names.append(stage)
    return names


def _stage_of(name: str, model) -> str:
    match = _STAGE.match(name)
    if match:
        return match.group(1)
    # Layers before the first block are the stem, those after the last one the top.
    for layer in model.layers:
        if layer.name == name:
            return "stem"
        if _STAGE.match(layer.name):
            return "top"
    return "top"


def _check(options: KerasOptions) -> None:
    if options.backbone not in ARCHITECTURES:
        raise UserError(f"Unknown backbone '{options.backbone}' ({', '.join(ARCHITECTURES)}).")
    if options.strategy not in ("all", "partial", "head"):
        raise UserError(f"Unknown strategy '{options.strategy}' (all, partial, head).")
    if options.unfreeze < 0:
        raise UserError("--unfreeze must be 0 or more.")
    if not 32 <= options.image_size <= 1024:
        raise UserError("The image size must be from 32 to 1024 pixels.")
    if options.epochs < 1:
        raise UserError("--epochs must be at least 1.")
