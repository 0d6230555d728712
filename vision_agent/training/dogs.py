"""Transfer learning of a dog-breed classifier on a folder-per-breed dataset (course 8-7, improved).

The course: DenseNet121 (ImageNet, no top) + Flatten + Dense1024 + Dropout .75 + Dense120, with
`Rescaling(1/255)` inside, trained on Stanford Dogs' `Images/` folders at 224×224. Here:

- the preprocessing the backbone was trained with goes inside the model (`Rescaling(1/255)` and
  ImageNet mean/std `Normalization`), so the saved file takes raw RGB 0..255 like the course's;
- augmentation layers (flip, rotation, zoom, contrast) are active only while training;
- head "gap" (GlobalAveragePooling + Dropout .3 + Dense) by default, "course" on request: the
  course's head has 51 M weights on top of a 7 M backbone and overfits 20k photos quickly;
- phase 1 trains the head on a frozen backbone (Adam 1e-3; the whole network when the backbone
  has no pretrained weights); phase 2 unfreezes it and fine-tunes at 1e-5 with BatchNorm kept in
  inference mode; EarlyStopping restores the best weights;
- `tf.distribute.MirroredStrategy` when more than one GPU is visible;
- every epoch is reported through `vision_agent.engine.events.emit` (the Train dialog's curves).

Outputs in `out_dir`: `<name>.keras`, `<name>.classes.json` (the folder names, in class order)
and `<name>.history.json`.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vision_agent.core.errors import UserError
from vision_agent.engine.events import emit

BACKBONES = ("densenet121", "tiny")
HEADS = ("gap", "course")
DATASET_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")
DENSENET_BACKBONE_ID = "densenet121_imagenet_notop"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class DogTrainingOptions:
    """Everything a training run needs (picklable: it crosses into the training process).

    `backbone_weights`: "imagenet" (from the model store), "none" (random init) or a file path.
    """

    data_dir: str
    out_dir: str
    epochs: int = 10
    fine_tune_epochs: int = 5
    backbone: str = "densenet121"
    backbone_weights: str = "imagenet"
    head: str = "gap"
    image_size: int = 224
    batch_size: int = 32
    validation_split: float = 0.2
    patience: int = 3
    seed: int = 42
    name: str = "dog_breeds"
    command: str = ""


@dataclass(frozen=True)
class DogTrainingReport:
    model_path: str
    classes_path: str
    history_path: str
    class_count: int
    train_images: int
    validation_images: int
    best_val_accuracy: float
    epochs_run: int
    seconds: float
    history: dict = field(default_factory=dict)


class DogTrainer:
    """Hosted in a child process by the Train dialog: `train(options)` reports each epoch."""

    model_name = "dog-breed trainer"

    def train(self, options: DogTrainingOptions) -> DogTrainingReport:
        return train_dog_breeds(options)


def dataset_classes(data_dir: Path) -> list[str]:
    """The class folders of a folder-per-breed dataset; UserError when it is not one."""
    if not data_dir.is_dir():
        raise UserError(f"Dataset folder not found: {data_dir}")
    if (data_dir / "Images").is_dir():
        data_dir = data_dir / "Images"
    classes = sorted(
        p.name
        for p in data_dir.iterdir()
        if p.is_dir() and any(f.suffix.lower() in DATASET_SUFFIXES for f in p.iterdir())
    )
    if len(classes) < 2:
        raise UserError(
            f"{data_dir} needs at least two sub-folders of images, one per breed "
            f"(like Stanford Dogs' Images/n02085620-Chihuahua/); found {len(classes)}."
        )
    return classes


def dataset_root(data_dir: Path) -> Path:
    return data_dir / "Images" if (data_dir / "Images").is_dir() else data_dir


def train_dog_breeds(options: DogTrainingOptions) -> DogTrainingReport:
    _check_options(options)
    data_dir, out_dir = Path(options.data_dir), Path(options.out_dir)
    classes = dataset_classes(data_dir)
    emit({"kind": "status", "message": f"{len(classes)} breeds found; starting TensorFlow"})

    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(options.seed)
    started = time.perf_counter()
    size = (options.image_size, options.image_size)
    train_ds, val_ds = keras.utils.image_dataset_from_directory(
        dataset_root(data_dir),
        labels="inferred",
        label_mode="int",
        class_names=classes,
        image_size=size,
        batch_size=options.batch_size,
        validation_split=options.validation_split,
        subset="both",
        seed=options.seed,
        verbose=False,
    )
    train_count, val_count = _count(train_ds), _count(val_ds)
    train_ds = train_ds.ignore_errors().prefetch(tf.data.AUTOTUNE)
    val_ds = val_ds.ignore_errors().prefetch(tf.data.AUTOTUNE)

    gpus = tf.config.list_physical_devices("GPU")
    strategy = tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()
    with strategy.scope():
        model, backbone = build_model(options, len(classes))
    out_dir.mkdir(parents=True, exist_ok=True)
    history: dict[str, list] = {}
    total_epochs = options.epochs + options.fine_tune_epochs
    steps = -(-train_count // options.batch_size)
    reporter = _epoch_reporter(history, total_epochs, steps)

    # A backbone without pretrained weights has nothing worth freezing: train it from the start.
    pretrained = options.backbone_weights != "none"
    phases = [("frozen" if pretrained else "from scratch", options.epochs, 1e-3, not pretrained)]
    if options.fine_tune_epochs > 0:
        phases.append(("fine-tune", options.fine_tune_epochs, 1e-5, True))
    for phase, epochs, rate, trainable in phases:
        backbone.trainable = trainable
        with strategy.scope():
            model.compile(
                optimizer=keras.optimizers.Adam(rate),
                loss="sparse_categorical_crossentropy",
                metrics=["accuracy"],
            )
        reporter.phase = phase
        emit({"kind": "status", "message": f"phase {phase}: {epochs} epochs at {rate:g}"})
        model.fit(
            train_ds,
            validation_data=val_ds,
            epochs=epochs,
            verbose=2,
            callbacks=[
                keras.callbacks.EarlyStopping(
                    monitor="val_accuracy",
                    patience=options.patience,
                    restore_best_weights=True,
                ),
                reporter,
            ],
        )

    model_path = out_dir / f"{options.name}.keras"
    classes_path = out_dir / f"{options.name}.classes.json"
    history_path = out_dir / f"{options.name}.history.json"
    model.save(model_path)
    classes_path.write_text(json.dumps(classes, ensure_ascii=False, indent=1) + "\n", "utf-8")
    seconds = time.perf_counter() - started
    report = DogTrainingReport(
        model_path=str(model_path),
        classes_path=str(classes_path),
        history_path=str(history_path),
        class_count=len(classes),
        train_images=train_count,
        validation_images=val_count,
        best_val_accuracy=max(
            (v for v in history.get("val_accuracy", []) if v is not None), default=0.0
        ),
        epochs_run=len(history.get("epoch", [])),
        seconds=round(seconds, 1),
        history=history,
    )
    details = {**asdict(report), "options": asdict(options), "tensorflow": tf.__version__}
    history_path.write_text(json.dumps(details, indent=1, ensure_ascii=False) + "\n", "utf-8")
    emit({"kind": "done", "model_path": str(model_path)})
    return report


def build_model(options: DogTrainingOptions, class_count: int):
    """(model, backbone): raw RGB 0..255 in, class probabilities out."""
    import keras
    from keras import layers

    shape = (options.image_size, options.image_size, 3)
    backbone = _backbone(options, shape)
    inputs = keras.Input(shape, name="rgb_0_255")
    x = keras.Sequential(
        [
            layers.RandomFlip("horizontal"),
            layers.RandomRotation(0.05),
            layers.RandomZoom(0.15),
            layers.RandomContrast(0.15),
        ],
        name="augmentation",
    )(inputs)
    x = layers.Rescaling(1.0 / 255, name="rescaling")(x)
    x = layers.Normalization(
        mean=IMAGENET_MEAN, variance=[s * s for s in IMAGENET_STD], name="imagenet_normalization"
    )(x)
    x = backbone(x, training=False)  # BatchNorm stays in inference mode when fine-tuning
    if options.head == "course":
        x = layers.Flatten()(x)
        x = layers.Dense(1024, activation="relu")(x)
        x = layers.Dropout(0.75)(x)
    else:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(class_count, activation="softmax", name="breeds")(x)
    return keras.Model(inputs, outputs, name=f"{options.backbone}_dog_breeds"), backbone


def _backbone(options: DogTrainingOptions, shape: tuple[int, int, int]):
    import keras
    from keras import layers

    if options.backbone == "tiny":
        if options.backbone_weights == "imagenet":
            raise UserError("ImageNet weights exist for the densenet121 backbone only.")
        backbone = keras.Sequential(
            [
                keras.Input(shape),
                layers.Conv2D(16, 3, strides=2, activation="relu"),
                layers.Conv2D(32, 3, strides=2, activation="relu"),
                layers.BatchNormalization(),
            ],
            name="tiny_backbone",
        )
    else:
        backbone = keras.applications.DenseNet121(
            include_top=False, weights=None, input_shape=shape
        )
    weights = _backbone_weights_file(options.backbone_weights)
    if weights is not None:
        try:
            backbone.load_weights(weights)
        except Exception as exc:
            raise UserError(
                f"The backbone weights {weights.name} do not fit the {options.backbone} backbone "
                f"({type(exc).__name__}: {str(exc)[:160]})."
            ) from None
    return backbone


def _backbone_weights_file(choice: str) -> Path | None:
    if choice == "none":
        return None
    if choice == "imagenet":
        from vision_agent.models.store import default_store

        def progress(done: int, total: int | None, name: str) -> None:
            emit({"kind": "download", "done": done, "total": total or 0, "file": name})

        try:
            return default_store().resolve(DENSENET_BACKBONE_ID, progress=progress)["weights"]
        except UserError as exc:
            raise UserError(
                f"{exc}\nOr train without ImageNet weights (--backbone-weights none; in the "
                "Train dialog: no pretrained weights)."
            ) from None
    path = Path(choice)
    if not path.is_file():
        raise UserError(f"Backbone weights file not found: {path}")
    return path


def _check_options(options: DogTrainingOptions) -> None:
    if options.epochs < 1:
        raise UserError("Train for at least one epoch.")
    if options.fine_tune_epochs < 0:
        raise UserError("Fine-tuning epochs cannot be negative.")
    if options.backbone not in BACKBONES:
        raise UserError(f"Unknown backbone '{options.backbone}' ({', '.join(BACKBONES)}).")
    if options.head not in HEADS:
        raise UserError(f"Unknown head '{options.head}' ({', '.join(HEADS)}).")
    if not 32 <= options.image_size <= 1024:
        raise UserError("The image size must be between 32 and 1024 pixels.")
    if not 0 < options.validation_split < 1:
        raise UserError("The validation split must be between 0 and 1.")


def _count(dataset) -> int:
    return len(getattr(dataset, "file_paths", []))


def _epoch_reporter(history: dict[str, list], total_epochs: int, steps: int):
    """A Keras callback that records each epoch in `history` and emits progress events."""
    import keras

    class EpochReporter(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.phase = "frozen"
            self._last_batch_event = 0.0

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            now = time.monotonic()
            if now - self._last_batch_event >= 0.25:
                self._last_batch_event = now
                emit(
                    {
                        "kind": "batch",
                        "epoch": len(history.get("epoch", [])) + 1,
                        "epochs": total_epochs,
                        "batch": batch + 1,
                        "batches": steps,
                    }
                )

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            values = {k: logs.get(k) for k in _METRICS} if logs else dict.fromkeys(_METRICS)
            values = {k: None if v is None else round(float(v), 5) for k, v in values.items()}
            number = len(history.get("epoch", [])) + 1
            history.setdefault("epoch", []).append(number)
            history.setdefault("phase", []).append(self.phase)
            for key, value in values.items():
                history.setdefault(key, []).append(value)
            emit(
                {
                    "kind": "epoch",
                    "epoch": number,
                    "epochs": total_epochs,
                    "phase": self.phase,
                    **values,
                }
            )

    return EpochReporter()


_METRICS = ("loss", "accuracy", "val_loss", "val_accuracy")
