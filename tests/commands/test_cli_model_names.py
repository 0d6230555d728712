"""What the CLI says about models it cannot size or cannot find by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from vision_agent.cli import main
from vision_agent.paths import resource

DRAWING = str(Path(__file__).resolve().parents[1] / "data" / "postal_06236.png")


@pytest.fixture(autouse=True)
def no_model_files(tmp_path, monkeypatch):
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("VISION_AGENT_MODEL_PATH", raising=False)
    monkeypatch.delenv("VISION_AGENT_REGISTRY", raising=False)


def test_models_list_sizes_the_shipped_digit_model_and_the_res10_caffe_model(capsys):
    assert main(["models", "list"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line}
    onnx_mb = resource("models", "digits", "digits_cnn.onnx").stat().st_size / 1e6
    assert f"{onnx_mb:.1f} MB" in rows["digits_cnn"]
    # weights 10,666,211 bytes in the registry; the prototxt's size is not published
    assert "≥ 10.7 MB" in rows["res10_caffe_fp32"]
    assert "?" not in rows["digits_cnn"] and "?" not in rows["res10_caffe_fp32"]


def test_classify_names_a_missing_registry_instead_of_a_missing_file(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("VISION_AGENT_REGISTRY", str(tmp_path / "gone" / "registry.json"))
    assert main(["classify", DRAWING, "--model", "mobilenet_v2"]) == 2
    err = capsys.readouterr().err
    assert "model registry" in err and "registry.json" in err and "does not exist" in err
    assert "Model file not found" not in err


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("mobilenet", "Unknown model 'mobilenet': give resnet50, mobilenet_v2, googlenet"),
        ("res10_caffe_fp32", "is a detect_faces model, not an ImageNet classifier"),
        ("mine.h5", "File not found: mine.h5"),
    ],
)
def test_classify_says_why_a_model_name_is_not_a_classifier(capsys, model, expected):
    assert main(["classify", DRAWING, "--model", model]) == 2
    assert expected in capsys.readouterr().err
