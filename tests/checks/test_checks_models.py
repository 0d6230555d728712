"""The model-store self-test check: passes when the shipped digit model resolves, says where."""

from __future__ import annotations

from vision_agent.checks import models as models_check


def test_store_check_passes_with_only_the_shipped_model(tmp_path, monkeypatch):
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", "")
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
    [result] = models_check.self_test_checks()
    assert result.ok and not result.skipped
    assert "ready: digits_cnn;" in result.detail
    assert "resnet50_imagenet missing" in result.detail
    assert str(tmp_path / "cache") in result.detail and "search path none" in result.detail


def test_store_check_fails_when_the_expected_model_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", "")
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(models_check, "SHIPPED_MODEL_ID", "resnet50_imagenet")
    [result] = models_check.self_test_checks()
    assert not result.ok
