"""Self-test of the model store: the registry ships inside the app and every shipped model (the
digit model, MobileNetV2 int8, the res10 face detector) is there and passes its checksum.

In a frozen bundle this shows that `resources/models/` was collected whole and that the store
searches `VISION_AGENT_MODEL_PATH` and the per-user cache from there.
"""

from __future__ import annotations

from vision_agent.models.store import READY, default_store
from vision_agent.selftest import CheckResult


def self_test_checks() -> list[CheckResult]:
    store = default_store()
    reports = store.verify()
    ready = [r.model_id for r in reports if r.state == READY]
    not_ready = [f"{r.model_id} {r.state}" for r in reports if r.state != READY]
    shipped = [e.id for e in store.registry.all_entries() if e.shipped]
    lost = [model_id for model_id in shipped if model_id not in ready]
    where = f"cache {store.cache_dir}; search path {[str(p) for p in store.search_path] or 'none'}"
    detail = (
        f"{len(reports)} models; ready: {', '.join(ready) or 'none'}; "
        f"not here: {', '.join(not_ready) or 'none'}; {where}"
    )
    if lost:
        detail = f"shipped but not ready: {', '.join(lost)}; {detail}"
    return [CheckResult("models: registry and store (every shipped model ready)", not lost, detail)]
