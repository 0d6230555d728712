"""`vision-agent --self-test`: run each tab's service headless on the models it can find.

Each feature contributes a provider, "module:function", returning a list of CheckResult; a
check whose model file is absent is reported as skipped, not failed.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str = ""
    skipped: bool = False


CHECK_PROVIDERS: tuple[str, ...] = (
    "vision_agent.checks.models:self_test_checks",
    "vision_agent.checks.postal:self_test_checks",
    "vision_agent.checks.onnx_export:self_test_checks",
    "vision_agent.checks.dogs:self_test_checks",
    "vision_agent.checks.classify:self_test_checks",
    "vision_agent.checks.faces:self_test_checks",
)


def _load(provider: str) -> Callable[[], list[CheckResult]]:
    module_name, _, function = provider.partition(":")
    return getattr(importlib.import_module(module_name), function)


def run_self_test(out=sys.stdout) -> int:
    """Print one line per check; 0 when none failed."""
    failed = 0
    for provider in CHECK_PROVIDERS:
        started = time.perf_counter()
        try:
            results = _load(provider)()
        except Exception as exc:  # a provider that crashes is itself a failed check
            results = [CheckResult(provider, False, f"{type(exc).__name__}: {exc}")]
        seconds = time.perf_counter() - started
        for result in results:
            status = "SKIP" if result.skipped else ("PASS" if result.ok else "FAIL")
            failed += not (result.ok or result.skipped)
            print(
                f"{status}  {result.name}  {result.detail}  ({seconds:.1f} s)", file=out, flush=True
            )
    print("self-test " + ("failed" if failed else "passed"), file=out, flush=True)
    return 1 if failed else 0
