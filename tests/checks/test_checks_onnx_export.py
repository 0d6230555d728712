"""The ONNX self-test checks: the shipped Keras model goes to onnxruntime in a process, and an
ImageNet normalisation folded into a colour graph agrees with numpy's."""

from __future__ import annotations

import pytest

from vision_agent.checks import onnx_export


def test_export_checks_pass_and_report_the_differences():
    export, pixels = onnx_export.self_test_checks()
    assert export.ok, export.detail
    assert float(export.detail.rsplit("=", 1)[1]) < 1e-4
    assert pixels.ok and pixels.name == onnx_export.PIXELS_NAME, pixels.detail
    assert float(pixels.detail.split("=", 1)[1].split()[0]) <= onnx_export.MAX_RELATIVE_DIFFERENCE


def test_export_check_fails_on_a_model_that_does_not_load(tmp_path, monkeypatch):
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a keras file")
    monkeypatch.setattr(onnx_export, "KERAS_MODEL", broken)
    export, _pixels = onnx_export.self_test_checks()
    assert not export.ok and export.detail


def test_pixel_check_fails_when_the_folding_breaks(monkeypatch):
    import vision_agent.core.onnx_pixel_input as pixel_input

    def broken(model, preprocessing):
        raise ValueError("no folding today")

    monkeypatch.setattr(pixel_input, "with_pixel_input", broken)
    result = onnx_export.self_test_checks()[1]
    assert not result.ok and "no folding today" in result.detail


@pytest.mark.parametrize("conv_first", [True, False])
def test_the_probe_graph_scores_are_the_size_of_logits(conv_first):
    import numpy as np
    import onnxruntime

    model = onnx_export.colour_probe_graph(conv_first)
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    image = np.random.default_rng(0).uniform(-128, 128, (1, 8, 8, 3)).astype(np.float32)
    scores = session.run(None, {"image": image})[0]
    assert scores.shape == (1, onnx_export.PROBE_CLASSES) and 0.5 < np.abs(scores).max() < 100
