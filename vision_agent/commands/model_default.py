"""Which registry model a command runs when the user names none: the best one on this computer.

Nothing is downloaded to answer a photo the user gave no model for: the first model of a
best-first list whose files are here (and pass their checks) is used, and stderr says which,
once, so a script's stdout stays the results alone.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping

from vision_agent.core.errors import UserError


def best_present(names: Iterable[str], ids: Mapping[str, str], fallback: str) -> str:
    """The first of `names` (best first) whose registry model `ids[name]` is on this computer;
    `fallback` (the model that ships with the app) when none is."""
    from vision_agent.models.store import READY, default_store

    store = default_store()
    for name in names:
        try:
            if store.status(ids[name]) == READY:
                return name
        except UserError:  # an unreadable registry: the fallback's loading will say so
            break
    return fallback


def announce(model_id: str, what: str, option: str) -> None:
    """Say on stderr which model runs, and how to pick another."""
    from vision_agent.models import registry

    try:
        name = registry.get(model_id).name_en
    except UserError:
        name = model_id
    print(
        f"vision-agent: using {name} [{model_id}], the best {what} on this computer "
        f"({option} picks another).",
        file=sys.stderr,
        flush=True,
    )
