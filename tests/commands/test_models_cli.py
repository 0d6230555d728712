"""`vision-agent models ...` end to end (argument parsing, exit codes, stdout/stderr)."""

from __future__ import annotations

import pytest

from tests.support.model_server import FILE_NAME as NAME
from tests.support.model_server import (
    PAYLOAD,
    closed_port_url,
    one_model_registry,
    repo_assets_dir,
)
from vision_agent.cli import main

ASSETS = repo_assets_dir()


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Point the CLI at a private cache and no search path; returns a registry writer."""
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("VISION_AGENT_MODEL_PATH", raising=False)

    def use_registry(url: str) -> None:
        path = one_model_registry(tmp_path, url, size=None)
        monkeypatch.setenv("VISION_AGENT_REGISTRY", str(path))

    return use_registry


def test_fetch_shows_progress_and_prints_paths(tmp_path, env, model_server, capsys):
    env(model_server.url("good", NAME))
    assert main(["models", "fetch", "m"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"m\tweights\t{tmp_path / 'cache' / 'm' / NAME}"
    assert "100%" in err and "[" + "#" * 30 + "]" in err
    assert main(["models", "path", "m"]) == 0
    assert capsys.readouterr().out.strip() == f"weights\t{tmp_path / 'cache' / 'm' / NAME}"


def test_fetch_404_explains_how_to_import(env, model_server, capsys):
    env(model_server.url("nothing-here", NAME))
    assert main(["models", "fetch", "m"]) == 1
    err = capsys.readouterr().err
    assert "HTTP 404" in err and "vision-agent models import DIR" in err


def test_fetch_unknown_id_fails_before_downloading(env, model_server, capsys):
    env(model_server.url("good", NAME))
    assert main(["models", "fetch", "m", "nope"]) == 1
    assert "Unknown model 'nope'" in capsys.readouterr().err
    assert model_server.requests["good"] == 0


def test_import_then_path_then_verify_detects_corruption(tmp_path, env, capsys):
    env(closed_port_url(NAME))
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / NAME).write_bytes(PAYLOAD)
    assert main(["models", "path", "m"]) == 1
    assert "vision-agent models fetch m" in capsys.readouterr().err
    assert main(["models", "import", str(usb)]) == 0
    assert "imported" in capsys.readouterr().out
    assert main(["models", "verify"]) == 0
    assert "m: ready" in capsys.readouterr().out
    (tmp_path / "cache" / "m" / NAME).write_bytes(b"tampered")
    assert main(["models", "verify"]) == 1
    assert "m: corrupt" in capsys.readouterr().out


def test_import_of_a_folder_without_models_fails(tmp_path, env, capsys):
    env(closed_port_url(NAME))
    assert main(["models", "import", str(tmp_path)]) == 1
    assert "no verified model file" in capsys.readouterr().err


@pytest.mark.skipif(not ASSETS.is_dir(), reason="../shared/assets is absent")
def test_verify_and_list_with_shared_assets(env, monkeypatch, capsys):
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", str(ASSETS))
    monkeypatch.delenv("VISION_AGENT_REGISTRY", raising=False)
    assert main(["models", "verify"]) == 0
    out = capsys.readouterr().out
    for model_id in ("res10_caffe_fp32", "res10_tf_uint8", "mobilenet_v2_int8"):
        assert f"{model_id}: ready" in out
    assert "resnet50_imagenet: missing" in out and "0 corrupt" in out
    assert main(["models", "list"]) == 0
    assert "res10_tf_uint8" in capsys.readouterr().out
