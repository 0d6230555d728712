"""Self-test of the run-time ONNX export (tf2onnx, onnx, onnxruntime) that the ImageNet tab uses
for ResNet50: the shipped Keras digit model is exported in a model process, through the same
`core.onnx_export` code, and its ONNX twin must agree with Keras.

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


def self_test_checks() -> list[CheckResult]:
    from vision_agent.services.headless import call_service_once

    spec = RecognizerSpec(
        factory="vision_agent.checks.onnx_export:ExportProbe",
        kwargs={"path": str(KERAS_MODEL)},
        in_process=False,
        label=KERAS_MODEL.name,
    )
    with tempfile.TemporaryDirectory(prefix="vision-agent-onnx-") as folder:
        try:
            difference = call_service_once(spec, "export_and_compare", folder)
        except UserError as exc:
            return [CheckResult(NAME, False, str(exc))]
    return [CheckResult(NAME, True, f"max |ONNX - Keras| = {difference:.1e}")]
