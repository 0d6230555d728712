"""A small Keras backbone for the "My classes" strategies: MobileNetV2 alpha 0.35 at 64×64,
seeded random weights saved to a file (no download), and Keras's own parameter counts."""

from __future__ import annotations

import re
from pathlib import Path

SIZE, ALPHA = 64, 0.35


def save_small_backbone(folder: Path) -> Path:
    import keras

    keras.utils.set_random_seed(3)
    model = keras.applications.MobileNetV2(
        include_top=False, weights=None, input_shape=(SIZE, SIZE, 3), alpha=ALPHA, pooling="avg"
    )
    path = folder / "mobilenet_v2_035_64.weights.h5"
    model.save_weights(path)
    return path


def keras_summary_counts(options, classes: int = 2) -> tuple[int, int]:
    """Trainable and non-trainable parameters as Keras's own model.summary() prints them."""
    from vision_agent.training.own_classes_keras import build_model

    lines: list[str] = []
    build_model(options, classes).summary(print_fn=lambda line, **_: lines.append(line))
    text = "\n".join(lines)

    def count(label: str) -> int:
        return int(re.search(rf"{label} params: ([\d,]+)", text).group(1).replace(",", ""))

    return count("Trainable"), count("Non-trainable")
