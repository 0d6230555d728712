"""Class-name lists shipped in `resources/labels/` (`.txt`: one name a line; `.json`: a list)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from vision_agent.core.breed_names import capped_class_name
from vision_agent.core.errors import UserError
from vision_agent.core.user_files import parse_json, read_user_bytes
from vision_agent.paths import resource

LABELS_MAX_BYTES = 4 << 20


def load_labels(name: str) -> list[str]:
    """The class names of a shipped label file, e.g. `load_labels("imagenet_classes.txt")`."""
    return list(_load(name))


@lru_cache(maxsize=8)
def _load(name: str) -> tuple[str, ...]:
    if Path(name).name != name:
        raise UserError(f"Label file name '{name}' must not contain a folder.")
    path = resource("labels", name)
    data = read_user_bytes(path, "a label file", LABELS_MAX_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"The label file {path} is not UTF-8 text.") from None
    if path.suffix == ".json":
        names = parse_json(data, path, "a label file")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise UserError(f"The label file {path} is not a JSON list of names.")
        return tuple(capped_class_name(n) for n in names)
    return tuple(capped_class_name(line) for line in text.splitlines() if line.strip())
