"""Self-test of the dog-breed tab: the safe name-list reader and the default recognizer service."""

from __future__ import annotations

import numpy as np

from vision_agent.selftest import CheckResult

CLASSIFIERS = ("mobilenet_v2_int8", "resnet50_imagenet")


def _pickle_check() -> CheckResult:
    from vision_agent.core.safe_pickle import UnsafePickleError, load_plain_pickle

    try:
        load_plain_pickle(b"cos\nsystem\n(S'echo unsafe'\ntR.", "test pickle")
    except UnsafePickleError:
        return CheckResult("dogs: pickled class names read without running code", True)
    return CheckResult("dogs: pickled class names read without running code", False, "accepted")


def _recognizer_check(model_id: str) -> CheckResult:
    from vision_agent.core.dogs import ImageNetDogRecognizer
    from vision_agent.engine.recipes import imagenet_dog_spec
    from vision_agent.models.store import READY, default_store
    from vision_agent.services.headless import call_service_once

    name = f"dogs: ImageNet dog recognizer on {model_id} through the service"
    if default_store().status(model_id) != READY:
        return CheckResult(name, True, f"{model_id} is not on this computer", skipped=True)
    gray = np.full((240, 320, 3), 128, np.uint8)
    result = call_service_once(imagenet_dog_spec(model_id), ImageNetDogRecognizer.recognize, gray)
    ok = result.is_dog is False and len(result.top) == 5
    detail = f"grey image: dog score {result.dog_score:.3f} in {result.latency_ms:.1f} ms"
    return CheckResult(name, ok, detail)


def self_test_checks() -> list[CheckResult]:
    return [_pickle_check(), *(_recognizer_check(model_id) for model_id in CLASSIFIERS)]
