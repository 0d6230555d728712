"""Parity: with a ResNet50 whose weights are fixed (seeded, saved by the test), the service and
the CLI give the reference Keras pipeline's top-5 and probabilities (within 1e-4) on real photos.

Real ImageNet weights cannot be brought onto these machines; the pipeline is what is proven.
"""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tests.support.imagenet_models import reference_probabilities, save_resnet50_weights, top5
from tests.support.paths import REPO_ROOT, asset
from vision_agent.core.classify import IN_PROCESS_ENGINE, ImageClassifier
from vision_agent.core.imageio import read_image
from vision_agent.engine.recipes import classifier_spec
from vision_agent.engine.registry_models import classifier_with_weights
from vision_agent.services.model_service import ModelService

PHOTOS = (
    "dogs/Beagle_01141.jpg",
    "objects/banana_jetson_banana_0.jpg",
    "objects/jellyfish_jetson.jpg",
    "objects/espresso_skimage_coffee.png",
)
TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return save_resnet50_weights(tmp_path_factory.mktemp("resnet50") / "fixed_resnet50.h5")


@pytest.fixture(scope="module")
def reference(weights):
    import keras

    model = keras.applications.ResNet50(weights=str(weights))
    return {name: reference_probabilities(model, asset("photos", name)) for name in PHOTOS} | {
        "bgr:" + name: reference_probabilities(model, asset("photos", name), bgr=True)
        for name in PHOTOS
    }


@pytest.fixture(scope="module")
def resnet_service(weights):
    service = ModelService("parity")
    service.load(classifier_spec("resnet50", weights))
    yield service
    service.shutdown()


def call(qtbot, service, method: Callable[..., Any], *args, timeout=180_000):
    box = {}
    service.call(method, *args).then(
        lambda r: box.setdefault("ok", r), lambda m: box.setdefault("error", m)
    )
    qtbot.waitUntil(lambda: bool(box) or service.state in ("failed", "missing"), timeout=timeout)
    assert "ok" in box, box.get("error") or service.state
    return box["ok"]


def test_the_bgr_mistake_is_visible_to_this_test(reference):
    """The course's BGR input moves the probabilities far beyond the tolerance."""
    for name in PHOTOS:
        rgb, bgr = reference[name], reference["bgr:" + name]
        assert np.abs(rgb - bgr).max() > 100 * TOLERANCE, name
    assert any(top5(reference[n]) != top5(reference["bgr:" + n]) for n in PHOTOS)


def assert_parity(result, expected, name) -> None:
    assert [s.index for s in result.top] == top5(expected), name
    assert np.abs(result.probabilities - expected).max() < TOLERANCE, name
    for score in result.top:
        assert abs(score.probability - expected[score.index]) < TOLERANCE


def test_service_gives_the_reference_top5_and_probabilities(qtbot, reference, resnet_service):
    """First through the tf.function in the child process, then through the ONNX export the
    service makes, run by onnxruntime in this process (the child keeps Grad-CAM)."""
    engines = []
    for _round in range(2):
        engines.append(call(qtbot, resnet_service, ImageClassifier.engine))
        for name in PHOTOS:
            result = call(
                qtbot, resnet_service, ImageClassifier.classify, read_image(asset("photos", name))
            )
            assert_parity(result, reference[name], name)
            assert result.labels is not None and result.labels.pixels.shape[2] == 4
        qtbot.waitUntil(
            lambda: call(qtbot, resnet_service, ImageClassifier.engine).startswith("onnxruntime"),
            timeout=240_000,
        )
    assert engines == ["tf.function", IN_PROCESS_ENGINE]
    assert resnet_service.serves_in_process(ImageClassifier.classify)
    assert not resnet_service.serves_in_process(ImageClassifier.gradcam)
    cam = call(
        qtbot, resnet_service, ImageClassifier.gradcam, read_image(asset("photos", PHOTOS[0])), 162
    )
    assert cam.ndim == 2 and np.isfinite(cam).all()


def test_tf_function_path_gives_the_reference(monkeypatch, tmp_path, reference, weights):
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path))  # no ONNX export cached here
    classifier = classifier_with_weights(weights, "resnet50")
    assert classifier.engine() == "tf.function"
    name = PHOTOS[0]
    assert_parity(classifier.classify(read_image(asset("photos", name))), reference[name], name)


def test_cli_gives_the_reference_top5_and_probabilities(reference, weights):
    photos = [str(asset("photos", name)) for name in PHOTOS]
    command = [sys.executable, "-m", "vision_agent", "classify", "--model", "resnet50"]
    command += ["--weights", str(weights), "--json", *photos]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["file"] for r in records] == photos
    for name, record in zip(PHOTOS, records, strict=True):
        expected = reference[name]
        assert [t["index"] for t in record["top"]] == top5(expected), name
        for entry in record["top"]:
            assert abs(entry["probability"] - expected[entry["index"]]) < TOLERANCE
            assert isinstance(entry["label"], str) and entry["label"]
        assert record["model"].startswith("ResNet50") and record["latency_ms"] > 0


def test_resnet50_gradcam_through_the_service(qtbot, resnet_service):
    photo = read_image(asset("photos", PHOTOS[0]))
    heat = call(qtbot, resnet_service, ImageClassifier.gradcam, photo, 156)
    assert heat.shape == photo.shape[:2]
    assert heat.dtype == np.float32
    assert heat.min() >= 0.0 and 0.9 < heat.max() <= 1.0
