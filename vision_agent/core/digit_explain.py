""" "Inside the network" for one box of the postal canvas: preprocessing steps and every layer.

`explain_box` runs in the digit model's host (the service thread for ONNX, the model's child
process for Keras) and returns plain arrays with the pictures already made, so the window only
wraps them in images. `write_explanation` is the CLI's twin: the same pictures as PNG files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vision_agent.core.digits import DigitSteps, normalize_digit_steps
from vision_agent.core.errors import ModelLoadError, UserError
from vision_agent.core.feature_mosaic import kernel_mosaic, layer_picture
from vision_agent.core.imageio import write_image
from vision_agent.core.keras_files import is_keras_model, load_keras_model
from vision_agent.core.layer_activations import (
    KerasLayers,
    LayerOutput,
    LayerReader,
    OnnxLayers,
    onnx_input_layout,
)
from vision_agent.core.predictors import _keras_input_adapter

STEP_NAMES = ("ink crop", "20x20 fit", "centre of mass")


@dataclass(frozen=True)
class BoxExplanation:
    """One box: its preprocessing steps, each layer's output and picture, the first filters."""

    box: int  # 0..4
    model: str
    steps: DigitSteps
    layers: tuple[LayerOutput, ...]
    pictures: tuple[np.ndarray | None, ...]  # RGB per layer: a tile grid, a strip, or None
    kernels: np.ndarray | None  # RGB tiles of the first convolution's filters

    def to_json(self) -> dict:
        return {"box": self.box + 1, "layers": [layer.to_json() for layer in self.layers]}


def digit_layer_reader(
    path: Path, sample_shape: tuple[int, int, int], keras_model: Any = None
) -> LayerReader:
    """A layer reader for a digit model file: Keras files and ONNX graphs; others refused.

    `keras_model`: the file's model when it is loaded already (then it is not loaded again)."""
    path = Path(path)
    check_explainable(path)
    if is_keras_model(path):
        model = load_keras_model(path) if keras_model is None else keras_model
        adapt = _keras_input_adapter(tuple(model.inputs[0].shape[1:]), sample_shape, path.name)
        return KerasLayers(model, adapt)
    return OnnxLayers(path, onnx_input_layout(path, sample_shape))


def check_explainable(path: Path) -> None:
    """ModelLoadError unless the file's layers can be shown (Keras files and ONNX graphs)."""
    if not is_keras_model(path) and Path(path).suffix.lower() != ".onnx":
        raise ModelLoadError(
            f"{Path(path).name} runs in OpenCV DNN, which cannot show its layers: looking "
            "inside needs a Keras (.h5, .keras) or ONNX model."
        )


def explain_digit(
    reader: LayerReader, ink: np.ndarray, box: int, model: str
) -> BoxExplanation | None:
    """What the model makes of one box's ink (uint8, 0 = paper); None when the box is blank."""
    steps = normalize_digit_steps(ink)
    if steps is None:
        return None
    layers = reader.outputs(steps.centered[None, :, :, None])[0]
    kernels = reader.first_kernels()
    return BoxExplanation(
        box=box,
        model=model,
        steps=steps,
        layers=tuple(layers),
        pictures=tuple(layer_picture(layer) for layer in layers),
        kernels=None if kernels is None else kernel_mosaic(kernels),
    )


def step_images(steps: DigitSteps) -> list[np.ndarray]:
    """The three preprocessing steps as uint8 gray images (ink white on black)."""
    fitted = np.clip(steps.fitted + 0.5, 0, 255).astype(np.uint8)
    centered = np.clip(steps.centered * 255 + 0.5, 0, 255).astype(np.uint8)
    return [steps.crop, fitted, centered]


def file_safe(name: str) -> str:
    """`name` usable in a file name anywhere: letters, digits, '-', '_' and '.' kept."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def write_explanation(explanation: BoxExplanation, folder: Path) -> None:
    """The box's pictures as PNGs in `folder`: steps, first filters, then one per layer."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    names = [f"step{i}_{name.replace(' ', '_')}" for i, name in enumerate(STEP_NAMES, 1)]
    for name, image in zip(names, step_images(explanation.steps), strict=True):
        write_image(folder / f"{name}.png", image)
    if explanation.kernels is not None:
        write_image(folder / "filters_first_conv.png", explanation.kernels)
    for index, (layer, picture) in enumerate(
        zip(explanation.layers, explanation.pictures, strict=True), 1
    ):
        if picture is not None:
            write_image(folder / f"layer{index:02d}_{file_safe(layer.name)}.png", picture)
