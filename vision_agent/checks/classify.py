"""Self-test of the ImageNet classifier services: each installed model answers through its
service (ResNet50 in a child process, the ONNX/Caffe models in a thread); models that are not
on this computer are skipped."""

from __future__ import annotations

import numpy as np

from vision_agent.selftest import CheckResult

MODELS = ("mobilenet_v2", "googlenet", "resnet50")


def test_photo() -> np.ndarray:
    """A colourful synthetic 320×240 picture (no photo ships with the app)."""
    y, x = np.mgrid[0:240, 0:320]
    return np.dstack([x * 255 // 319, y * 255 // 239, (x + y) * 255 // 558]).astype(np.uint8)


def self_test_checks() -> list[CheckResult]:
    from vision_agent.core.classify import ImageClassifier
    from vision_agent.engine.recipes import classifier_spec
    from vision_agent.engine.registry_models import resolve_model_id
    from vision_agent.models.store import default_store
    from vision_agent.services.headless import call_service_once

    results = []
    for model in MODELS:
        model_id = resolve_model_id(model)
        name = f"classify: {model} through the service"
        if default_store().status(model_id) != "ready":
            results.append(CheckResult(name, True, f"{model_id} is not installed", skipped=True))
            continue
        spec = classifier_spec(model, download=False)
        result = call_service_once(spec, ImageClassifier.classify, test_photo())
        total = float(result.probabilities.sum())
        ok = (
            result.probabilities.shape == (1000,) and abs(total - 1) < 1e-3 and len(result.top) == 5
        )
        best = result.top[0]
        detail = f"top-1 {best.label} ({best.probability:.1%}) in {result.latency_ms:.1f} ms"
        results.append(CheckResult(name, ok, detail))
    return results
