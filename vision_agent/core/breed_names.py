"""Class names of a breed model, read from JSON, plain text or the course's pickled list.

The course (program 8-7) pickled its list of Stanford Dogs folder names to
`dog_species_names.txt`; that file is read with `safe_pickle`, never with `pickle.load`. Folder
names such as "n02085620-Chihuahua" are shown as "Chihuahua": the WordNet id is cut at the
*first* '-' only, so "n02086240-Shih-Tzu" stays "Shih-Tzu" (the course's `split('-')[1]` gave
"Shih").
"""

from __future__ import annotations

import re
from pathlib import Path

from vision_agent.core.errors import UserError
from vision_agent.core.safe_pickle import MAX_PICKLE_BYTES, is_pickle, load_plain_pickle
from vision_agent.core.user_files import parse_json, read_user_bytes

CLASS_NAMES_FILE_FILTER = "Class names (*.json *.txt *.pkl *.pickle *.names *.csv);;All files (*)"

MAX_CLASS_NAME_CHARS = 200  # the longest ImageNet label (with all its synonyms) has 121
_WORDNET_PREFIX = re.compile(r"^n\d{8}-(?=.)")
_PICKLE_PROTOCOL_2_PLUS = b"\x80"
_PICKLE_SUFFIXES = (".pkl", ".pickle", ".p")


def readable_breed(name: str) -> str:
    """'n02085620-Chihuahua' -> 'Chihuahua', 'golden_retriever' -> 'golden retriever'."""
    name = _WORDNET_PREFIX.sub("", name.strip(), count=1)
    return name.replace("_", " ").strip()


def capped_class_name(name: str) -> str:
    """`name` stripped and cut to MAX_CLASS_NAME_CHARS: one 15 MB "name" in a label file made
    every photo take a minute to annotate."""
    name = name.strip()
    if len(name) <= MAX_CLASS_NAME_CHARS:
        return name
    return name[: MAX_CLASS_NAME_CHARS - 1] + "…"


def imagenet_display_name(label: str) -> str:
    """An ImageNet label as people read it: 'tabby, tabby cat' -> 'tabby'."""
    return readable_breed(label.split(",")[0])


def read_class_names(path: str | Path) -> list[str]:
    """The class names in `path`, in class-index order (as stored: folder names stay raw).

    Accepts a JSON list (or a {"0": name, ...} object), text with one name a line, or a pickled
    list of strings (the course's `dog_species_names.txt`), which is read without running any
    code: a pickle that imports or calls is refused with UnsafePickleError.
    """
    path = Path(path)
    data = read_user_bytes(path, "a class-name list", MAX_PICKLE_BYTES)
    if (
        data.startswith(_PICKLE_PROTOCOL_2_PLUS)
        or path.suffix.lower() in _PICKLE_SUFFIXES
        or is_pickle(data)  # protocol 0 and 1 pickles are (mostly) ASCII
    ):
        names = load_plain_pickle(data, path.name)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UserError(
                f"{path.name} is neither UTF-8 text, JSON nor a pickled list of names."
            ) from None
        names = _parse_text(text, path.name)
    return _validated(names, path.name)


def _parse_text(text: str, name: str) -> object:
    stripped = text.strip()
    if stripped.startswith(("[", "{")):
        return parse_json(stripped.encode("utf-8"), name, "a class-name list")
    return [line.strip() for line in text.splitlines() if line.strip()]


def _validated(names: object, file_name: str) -> list[str]:
    if isinstance(names, dict):
        try:
            ordered = sorted(names.items(), key=lambda item: int(item[0]))
        except (TypeError, ValueError):
            raise UserError(
                f'{file_name}: a JSON object of class names needs index keys ("0", "1", …).'
            ) from None
        names = [value[-1] if isinstance(value, list) and value else value for _, value in ordered]
    if not isinstance(names, (list, tuple)) or not names:
        raise UserError(f"{file_name} holds no list of class names.")
    if not all(isinstance(n, str) and n.strip() for n in names):
        raise UserError(f"{file_name}: every class name must be a non-empty string.")
    return [capped_class_name(n) for n in names]
