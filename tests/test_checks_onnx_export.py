"""The ONNX-export self-test check: the shipped Keras model goes to onnxruntime in a process."""

from __future__ import annotations

from vision_agent.checks import onnx_export


def test_export_check_passes_and_reports_the_difference():
    [result] = onnx_export.self_test_checks()
    assert result.ok, result.detail
    difference = float(result.detail.rsplit("=", 1)[1])
    assert difference < 1e-4


def test_export_check_fails_on_a_model_that_does_not_load(tmp_path, monkeypatch):
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a keras file")
    monkeypatch.setattr(onnx_export, "KERAS_MODEL", broken)
    [result] = onnx_export.self_test_checks()
    assert not result.ok and result.detail
