"""Self-test of the model store: the registry ships inside the app and the shipped model resolves.

In a frozen bundle this shows that `resources/models/registry.json` was collected and that the
store searches `VISION_AGENT_MODEL_PATH` and the per-user cache from there.
"""

from __future__ import annotations

from vision_agent.models.store import READY, default_store
from vision_agent.selftest import CheckResult

SHIPPED_MODEL_ID = "digits_cnn"


def self_test_checks() -> list[CheckResult]:
    store = default_store()
    reports = store.verify()
    ready = [r.model_id for r in reports if r.state == READY]
    not_ready = [f"{r.model_id} {r.state}" for r in reports if r.state != READY]
    where = f"cache {store.cache_dir}; search path {[str(p) for p in store.search_path] or 'none'}"
    detail = (
        f"{len(reports)} models; ready: {', '.join(ready) or 'none'}; "
        f"not here: {', '.join(not_ready) or 'none'}; {where}"
    )
    ok = SHIPPED_MODEL_ID in ready
    return [CheckResult("models: registry and store (shipped digit model ready)", ok, detail)]
