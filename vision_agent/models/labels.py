"""Class-name lists shipped in `resources/labels/` (`.txt`: one name a line; `.json`: a list)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from vision_agent.core.breed_names import capped_class_name
from vision_agent.core.errors import UserError
from vision_agent.paths import resource


def load_labels(name: str) -> list[str]:
    """The class names of a shipped label file, e.g. `load_labels("imagenet_classes.txt")`."""
    return list(_load(name))


@lru_cache(maxsize=8)
def _load(name: str) -> tuple[str, ...]:
    if Path(name).name != name:
        raise UserError(f"Label file name '{name}' must not contain a folder.")
    path = resource("labels", name)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"The label file {path} cannot be read: {exc}") from exc
    if path.suffix == ".json":
        names = json.loads(text)
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise UserError(f"The label file {path} is not a JSON list of names.")
        return tuple(capped_class_name(n) for n in names)
    return tuple(capped_class_name(line) for line in text.splitlines() if line.strip())
