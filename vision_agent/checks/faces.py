"""Self-test of the face cam service: each res10 model the store has runs through the service."""

from __future__ import annotations

import numpy as np

from vision_agent.selftest import CheckResult


def self_test_checks() -> list[CheckResult]:
    from vision_agent.core.errors import UserError
    from vision_agent.core.faces import MODEL_CHOICES, FaceDetector
    from vision_agent.engine.recipes import face_model_spec
    from vision_agent.models.store import default_store
    from vision_agent.services.headless import call_service_once

    store = default_store()
    # A plain gray 640×480 frame: a working detector finds nothing in it.
    frame = np.full((480, 640, 3), 128, np.uint8)
    results = []
    for choice, model_id in MODEL_CHOICES.items():
        name = f"faces: {choice} ({model_id}) through the service"
        if store.status(model_id) != "ready":
            detail = f"not on this computer (vision-agent models fetch {model_id})"
            results.append(CheckResult(name, True, detail, skipped=True))
            continue
        try:
            detection = call_service_once(face_model_spec(choice), FaceDetector.detect, frame)
        except UserError as exc:
            results.append(CheckResult(name, False, str(exc)))
            continue
        ok = detection.faces == [] and detection.annotated.shape == frame.shape
        detail = f"{len(detection.faces)} faces on a blank frame in {detection.latency_ms:.1f} ms"
        results.append(CheckResult(name, ok, detail))
    return results
