"""A "My classes" project: a folder holding `project.json` (the classes, their photos by
reference, and every run with its figures) and each run's exported model under `runs/`.

The file is written by the app's one writer (whole or not at all) while holding its lock, so
two windows on one project never interleave their writes; a file that cannot be read is
reported and left as it is (never overwritten by an empty project).
"""

from __future__ import annotations

import json
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
    """The project in `folder`; an empty one when it has no project file yet."""
    folder = Path(folder)
    path = folder / PROJECT_FILE
    if not path.exists():
        return Project(folder)
    data = parse_json(read_user_bytes(path, "a project file", MAX_PROJECT_BYTES), path, "a project")
    try:
        classes = [
            ClassEntry(str(c["name"]), [Path(p) for p in c["photos"]]) for c in data["classes"]
        ]
        runs = [r for r in data["runs"] if isinstance(r, dict)]
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(PROJECT_UNREADABLE.format(path=path, reason=exc)) from None
    return Project(folder, classes, runs)


def save_project(project: Project) -> Path:
    """Write project.json through the app's one writer, under the project file's lock."""
    path = project.folder / PROJECT_FILE
    data = (json.dumps(project.to_json(), ensure_ascii=False, indent=1) + "\n").encode()
    with user_file_lock(path):
        write_user_file(path, data)
    return path
