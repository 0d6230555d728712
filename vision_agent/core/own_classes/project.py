"""A "My classes" project: a folder holding `project.json` (the classes, their photos by
reference, and every run with its figures) and each run's exported model under `runs/`.

The file is written by the app's one writer (whole or not at all) while holding its lock, so
two windows on one project never interleave their writes; a file that cannot be read is
reported and left as it is (never overwritten by an empty project).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vision_agent.core.errors import UserError
from vision_agent.core.own_classes.messages import PROJECT_UNREADABLE
from vision_agent.core.user_files import parse_json, read_user_bytes
from vision_agent.core.user_writes import user_file_lock, write_user_file

PROJECT_FILE = "project.json"
RUNS_FOLDER = "runs"
SHOTS_FOLDER = "shots"
VERSION = 1
MAX_PROJECT_BYTES = 32 << 20


@dataclass
class ClassEntry:
    name: str
    photos: list[Path] = field(default_factory=list)


@dataclass
class Project:
    folder: Path
    classes: list[ClassEntry] = field(default_factory=list)
    runs: list[dict] = field(default_factory=list)  # TrainingResult.to_json() and settings

    def run_folder(self, number: int) -> Path:
        return self.folder / RUNS_FOLDER / f"run-{number:03d}"

    def to_json(self) -> dict:
        return {
            "version": VERSION,
            "classes": [
                {"name": c.name, "photos": [str(p) for p in c.photos]} for c in self.classes
            ],
            "runs": self.runs,
        }


def load_project(folder: Path) -> Project:
    """The project in `folder`; an empty one when it has no project file yet. UserError (one
    line naming the file) when the file is not the shape `save_project` writes."""
    folder = Path(folder)
    path = folder / PROJECT_FILE
    if not path.exists():
        return Project(folder)
    data = parse_json(read_user_bytes(path, "a project file", MAX_PROJECT_BYTES), path, "a project")
    try:
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        classes = [_checked_class(entry) for entry in data["classes"]]
        runs = [_checked_run(run, number) for number, run in enumerate(data["runs"], 1)]
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(PROJECT_UNREADABLE.format(path=path, reason=exc)) from None
    return Project(folder, classes, runs)


def _checked_class(entry: object) -> ClassEntry:
    if not (
        isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and _is_list_of(entry.get("photos"), lambda photo: isinstance(photo, str))
    ):
        raise ValueError("a class without a name and a list of photos")
    return ClassEntry(entry["name"], [Path(photo) for photo in entry["photos"]])


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_number_or_none(value: object) -> bool:
    return value is None or _is_number(value)


def _is_list_of(value: object, is_item: Callable[[object], bool]) -> bool:
    return isinstance(value, list) and all(is_item(item) for item in value)


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _has(value: object, fields: dict[str, Callable[[object], bool]]) -> bool:
    return isinstance(value, dict) and all(is_ok(value.get(key)) for key, is_ok in fields.items())


EPOCH_FIELDS = {"epoch": _is_count, "train_accuracy": _is_number, "train_loss": _is_number}
EPOCH_FIELDS |= {"val_accuracy": _is_number_or_none, "val_loss": _is_number_or_none}
WRONG_PHOTO_FIELDS = {"file": _is_text, "truth": _is_text, "predicted": _is_text}
WRONG_PHOTO_FIELDS |= {"probability": _is_number}
# What the tab and the controller read of a run (TrainingResult.to_json() and its number).
RUN_FIELDS: dict[str, Callable[[object], bool]] = {
    "number": _is_count,
    "strategy": _is_text,
    "backbone": _is_text,
    "classes": lambda names: _is_list_of(names, _is_text) and len(names) >= 2,
    "photos": lambda counts: isinstance(counts, dict) and all(map(_is_count, counts.values())),
    "validation_photos": _is_count,
    "epochs": _is_count,
    "seconds": _is_number,
    "confusion_matrix": lambda rows: _is_list_of(rows, lambda row: _is_list_of(row, _is_count)),
    "validation_accuracy": _is_number_or_none,
    "validation_loss": _is_number_or_none,
    "plain_logistic_regression_validation_accuracy": _is_number_or_none,
    "history": lambda epochs: _is_list_of(epochs, lambda epoch: _has(epoch, EPOCH_FIELDS)),
    "wrong": lambda photos: _is_list_of(photos, lambda photo: _has(photo, WRONG_PHOTO_FIELDS)),
    "files": lambda files: files is None or _has(files, {"model": _is_text}),
}
OPTIONAL_RUN_FIELDS = {"validation_accuracy", "validation_loss", "history", "wrong", "files"}
OPTIONAL_RUN_FIELDS |= {"plain_logistic_regression_validation_accuracy"}


def _checked_run(run: object, position: int) -> dict:
    """`run` when it is the shape the app writes (the parts it reads); ValueError otherwise."""
    if not isinstance(run, dict):
        raise ValueError(f"run {position} is not a JSON object")
    for key, is_ok in RUN_FIELDS.items():
        if key in OPTIONAL_RUN_FIELDS and key not in run:
            continue
        if not is_ok(run.get(key)):
            raise ValueError(f"run {position} has no usable '{key}'")
    size = len(run["classes"])
    if len(run["confusion_matrix"]) != size or any(len(r) != size for r in run["confusion_matrix"]):
        raise ValueError(f"run {position}'s confusion matrix does not fit its {size} classes")
    return run


def save_project(project: Project) -> Path:
    """Write project.json through the app's one writer, under the project file's lock."""
    path = project.folder / PROJECT_FILE
    data = (json.dumps(project.to_json(), ensure_ascii=False, indent=1) + "\n").encode()
    with user_file_lock(path):
        write_user_file(path, data)
    return path


def delete_run(project: Project, number: int) -> None:
    """Forget run `number`: the project file is written without it first (so a failure leaves
    the run whole), then its model folder under `runs/` is deleted."""
    kept = [r for r in project.runs if r.get("number") != number]
    save_project(Project(project.folder, project.classes, kept))
    project.runs[:] = kept
    shutil.rmtree(project.run_folder(number), ignore_errors=True)
