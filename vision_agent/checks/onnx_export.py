"""Self-test of the run-time ONNX export (tf2onnx, onnx, onnxruntime) that the ImageNet tab uses
for ResNet50: the shipped Keras digit model is exported in a model process, through the same
`core.onnx_export` code, and its ONNX twin must agree with Keras. A second check folds an ImageNet
normalisation into a small colour graph (`core.onnx_pixel_input`, as the window's process does
for ResNet50's export) and compares it with numpy's.

ResNet50's weights are rarely on a build machine; this check needs none, so a bundle that lacks
part of the ONNX tool chain fails its self-test instead of silently staying on the slower path.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from vision_agent.core.errors import UserError
from vision_agent.core.postal import DIGIT_INPUT_SHAPE
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.paths import resource
from vision_agent.selftest import CheckResult

KERAS_MODEL = resource("models", "digits", "digits_cnn.keras")
NAME = "onnx export: Keras digit model to onnxruntime in the process host"
PIXELS_NAME = "onnx pixel input: normalisation folded into a colour graph"
PROBE_SIZE = 8
PROBE_CLASSES = 10
MAX_RELATIVE_DIFFERENCE = 1e-5


class ExportProbe:
    """Lives in a model process: the Keras model, exported on request."""

    def __init__(self, path: str) -> None:
        import keras

        self.model = keras.models.load_model(path)
        self.model_name = Path(path).name

    def export_and_compare(self, folder: str) -> float:
        """Export to `folder`, load it in onnxruntime; the largest difference from Keras."""
        from vision_agent.core.onnx_export import export_in_background, onnx_runner

        probe = np.random.default_rng(0).random((4, *DIGIT_INPUT_SHAPE), dtype=np.float32)
        target = Path(folder) / "digits_cnn.onnx"
        ready: list[Path] = []
        export_in_background(self.model, target, probe[:1], ready.append).join()
        if not ready:
            raise UserError("the ONNX export failed (see the messages above)")

        def keras_run(batch: np.ndarray) -> np.ndarray:
            return np.asarray(self.model(batch, training=False))

        run = onnx_runner(target, keras_run, probe)
        if run is None:
            raise UserError("onnxruntime could not run the export, or it disagrees with Keras")
        return float(np.abs(run(probe) - keras_run(probe)).max())


def colour_probe_graph(conv_first: bool = True):
    """A small ONNX classifier (an `onnx.ModelProto`): (N, 8, 8, 3) float32 NHWC -> (N, 10)
    scores the size of logits, depending on every pixel and channel. With `conv_first` it
    starts as Keras exports of CNNs do (Transpose to NCHW, then a convolution); otherwise with
    a plain MatMul."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(1)
    constants = {}
    nodes = []
    features, flat_size = "image", PROBE_SIZE * PROBE_SIZE * 3
    if conv_first:
        constants["kernel"] = rng.normal(scale=0.05, size=(4, 3, 3, 3))
        nodes += [
            helper.make_node("Transpose", ["image"], ["nchw"], perm=[0, 3, 1, 2]),
            helper.make_node("Conv", ["nchw", "kernel"], ["features"], pads=[1, 1, 1, 1]),
        ]
        features, flat_size = "features", PROBE_SIZE * PROBE_SIZE * 4
    constants["weights"] = rng.normal(scale=0.01, size=(flat_size, PROBE_CLASSES))
    nodes += [
        helper.make_node("Flatten", [features], ["flat"], axis=1),
        helper.make_node("MatMul", ["flat", "weights"], ["scores"]),
    ]
    graph = helper.make_graph(
        nodes,
        "colour_probe",
        [
            helper.make_tensor_value_info(
                "image", TensorProto.FLOAT, ["N", PROBE_SIZE, PROBE_SIZE, 3]
            )
        ],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N", PROBE_CLASSES])],
        [numpy_helper.from_array(v.astype(np.float32), k) for k, v in constants.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])


def pixel_input_difference() -> float:
    """Largest |score difference| between the folded graph on pixels and the plain graph on
    numpy's normalisation of them (ResNet50's recipe: BGR minus the means), relative to the
    largest score."""
    from vision_agent.core.imagenet_preprocess import keras_mode
    from vision_agent.core.onnx_export import cpu_session
    from vision_agent.core.onnx_pixel_input import PIXELS_INPUT, with_pixel_input

    def session(model):
        return cpu_session(model.SerializeToString())

    recipe = keras_mode("caffe", (PROBE_SIZE, PROBE_SIZE))
    pixels = np.random.default_rng(0).integers(0, 256, (2, PROBE_SIZE, PROBE_SIZE, 3), np.uint8)
    normalised = np.stack([recipe.normalize(p) for p in pixels])
    expected = session(colour_probe_graph()).run(None, {"image": normalised})[0]
    folded = session(with_pixel_input(colour_probe_graph(), recipe))
    difference = np.abs(folded.run(None, {PIXELS_INPUT: pixels})[0] - expected).max()
    return float(difference / max(1.0, float(np.abs(expected).max())))


def self_test_checks() -> list[CheckResult]:
    from vision_agent.services.headless import call_service_once

    spec = RecognizerSpec(
        factory=ExportProbe,
        kwargs={"path": str(KERAS_MODEL)},
        in_process=False,
        label=KERAS_MODEL.name,
    )
    with tempfile.TemporaryDirectory(prefix="vision-agent-onnx-") as folder:
        try:
            difference = call_service_once(spec, ExportProbe.export_and_compare, folder)
            export = CheckResult(NAME, True, f"max |ONNX - Keras| = {difference:.1e}")
        except UserError as exc:
            export = CheckResult(NAME, False, str(exc))
    try:
        difference = pixel_input_difference()
        detail = f"max |difference| = {difference:.1e} of the largest score"
        pixels = CheckResult(PIXELS_NAME, difference <= MAX_RELATIVE_DIFFERENCE, detail)
    except Exception as exc:
        pixels = CheckResult(PIXELS_NAME, False, f"{type(exc).__name__}: {exc}")
    return [export, pixels]
