"""The model-store self-test check: passes when every shipped model resolves and passes its
checksum, says where it looked."""

from __future__ import annotations

import json

from tests.support.model_server import write_registry
from vision_agent.checks import models as models_check
from vision_agent.paths import resource


def test_store_check_passes_with_only_the_shipped_models(tmp_path, monkeypatch):
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", "")
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
    [result] = models_check.self_test_checks()
    assert result.ok and not result.skipped
    assert "ready: mobilenet_v2_int8, res10_tf_uint8, digits_cnn;" in result.detail
    assert "resnet50_imagenet missing" in result.detail
    assert str(tmp_path / "cache") in result.detail and "search path none" in result.detail


def test_store_check_fails_when_a_shipped_model_is_damaged(tmp_path, monkeypatch):
    """A shipped file that fails its checksum (here: the registry expects other bytes)."""
    models = json.loads(resource("models", "registry.json").read_text(encoding="utf-8"))["models"]
    entry = next(m for m in models if m["id"] == "mobilenet_v2_int8")
    entry["files"]["weights"]["hash"] = "sha256:" + "0" * 64
    monkeypatch.setenv("VISION_AGENT_REGISTRY", str(write_registry(tmp_path / "r.json", models)))
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", "")
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
    [result] = models_check.self_test_checks()
    assert not result.ok
    assert result.detail.startswith("shipped but not ready: mobilenet_v2_int8;")
