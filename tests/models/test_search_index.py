"""The model search path is walked once per process, and again only after a folder changed: a
search path like /usr or a home folder holds 100,000s of files and every lookup asks."""

from __future__ import annotations

import os

from vision_agent.models import store as store_module
from vision_agent.models.registry import default_registry
from vision_agent.models.store import ModelStore


def test_the_search_path_is_walked_once_and_again_after_a_change(tmp_path, monkeypatch):
    folder = tmp_path / "models"
    (folder / "deeper").mkdir(parents=True)
    walks: list[str] = []
    real_walk = os.walk

    def counted_walk(top, *args, **kwargs):
        walks.append(str(top))
        return real_walk(top, *args, **kwargs)

    monkeypatch.setattr(store_module.os, "walk", counted_walk)
    store = ModelStore(search_path=[folder], cache_dir=tmp_path / "cache")
    entries = [e for e in default_registry().all_entries() if not e.shipped]
    assert all(store.status(e.id) == "missing" for e in entries)
    assert walks == [str(folder)]

    monkeypatch.setattr(store_module, "RECHECK_AFTER_S", 0.0)
    assert store.status(entries[0].id) == "missing"
    assert walks == [str(folder)]  # looked at, unchanged: not walked again

    name = next(iter(entries[0].files.values())).name
    (folder / "deeper" / name).write_bytes(b"not the model")  # a file added deep inside
    assert store.status(entries[0].id) == "corrupt"
    assert walks == [str(folder), str(folder)]
