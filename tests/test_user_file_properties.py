"""Property-based tests (Hypothesis) of every reader of user files: drawings, photos, profiles,
model cards, the registry, class lists, settings and "My classes" project files. Random bytes,
and good files mutated (bytes changed, inserted, cut short), give a result or a one-line
message — never a traceback.

Each property runs in a forked child with a time limit and a memory ceiling (about 1 GB above
what the child starts with), so a hang or a memory runaway on any example fails the test instead
of stalling or filling the machine.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from tests.support.bad_inputs import raised_in_child
from tests.support.own_classes_runs import RUN as PROJECT_RUN
from vision_agent.core.breed_names import read_class_names
from vision_agent.core.digit_status import calibration_for
from vision_agent.core.errors import UserError
from vision_agent.core.handwriting_profile import HandwritingProfile, profile_bytes, read_profile
from vision_agent.core.imageio import read_photo
from vision_agent.core.own_classes.project import PROJECT_FILE, load_project
from vision_agent.core.postal import read_canvas
from vision_agent.core.settings import KEYS, Settings
from vision_agent.models.registry import Registry

EXAMPLES = 200
CHILD_SECONDS = 240


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (60, 80, 3), np.uint8)).save(buffer, "JPEG")
    return buffer.getvalue()


def _drawing() -> bytes:
    canvas = np.full((100, 500), 255, np.uint8)
    canvas[30:70, 40:48] = 0
    return _png(canvas)


def _profile() -> bytes:
    profile = HandwritingProfile("me")
    profile.teach(np.random.default_rng(1).random((3, 28, 28)), [1, 2, 10])
    return profile_bytes(profile)


GOOD: dict[str, Callable[[], bytes]] = {
    "drawing": _drawing,
    "photo": _jpeg,
    "profile": _profile,
    "card": lambda: (
        b'{"calibration": {"temperature": 1.2, "unsure_below": 0.8, '
        b'"feature_doubt": {"confidence_weight": 0.5, "unsure_below": 0.1}}}'
    ),
    "registry": lambda: json.dumps(
        {"models": [{"id": "m", "task": "digits", "files": {"model": {"name": "m.onnx"}}}]}
    ).encode(),
    "class list": lambda: b'["beagle", "pug", {"2": ["n0", "husky"]}]\n',
    "settings": lambda: json.dumps(
        {"language": "ko", "window/tab": 2, "dogs/breed_models": [["a.keras", "a.txt"]]}
    ).encode(),
    "project": lambda: json.dumps(
        {"version": 1, "classes": [{"name": "red", "photos": ["a.jpg"]}], "runs": [PROJECT_RUN]}
    ).encode(),
}


def _settings_values(path: Path) -> None:
    values = Settings(path)
    for row in KEYS:
        values.value(row.name if not row.name.endswith("/") else row.name + "drawings")


# kind: (the file's name, the reader given the file's path)
READERS: dict[str, tuple[str, Callable[[Path], object]]] = {
    "drawing": ("file.png", read_canvas),
    "photo": ("file.jpg", read_photo),
    "profile": ("file.npz", read_profile),
    "card": ("file.card.json", lambda path: calibration_for(path.with_name("file.onnx"))),
    "registry": ("file.json", Registry),
    "class list": ("file.json", read_class_names),
    "settings": ("file.json", _settings_values),
    "project": (PROJECT_FILE, lambda path: load_project(path.parent)),
}


def _read(kind: str, data: bytes) -> None:
    """The reader on `data`: a result, or a UserError of one line; anything else is raised."""
    file_name, reader = READERS[kind]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / file_name
        path.write_bytes(data)
        try:
            reader(path)
        except UserError as exc:
            message = str(exc)
            assert message and "\n" not in message and "Traceback" not in message, message


mutations = st.lists(
    st.tuples(st.sampled_from(["set", "insert", "delete"]), st.integers(0, 1 << 20),
              st.integers(0, 255)),
    max_size=12,
)  # fmt: skip


def _mutated(data: bytes, changes: list[tuple[str, int, int]], cut: int | None) -> bytes:
    buffer = bytearray(data)
    for change, at, value in changes:
        if not buffer:
            break
        at %= len(buffer)
        if change == "set":
            buffer[at] = value
        elif change == "insert":
            buffer.insert(at, value)
        else:
            del buffer[at]
    return bytes(buffer[:cut] if cut is not None else buffer)


def _property(kind: str) -> None:
    good = GOOD[kind]()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        st.one_of(
            st.binary(max_size=4096),
            st.builds(
                _mutated,
                st.just(good),
                mutations,
                st.one_of(st.none(), st.integers(0, len(good))),
            ),
        )
    )
    def reads_or_refuses(data: bytes) -> None:
        _read(kind, data)

    reads_or_refuses()


@pytest.mark.parametrize("kind", list(READERS))
def test_random_and_mutated_files_give_a_result_or_one_line(kind):
    _read(kind, GOOD[kind]())  # the good file itself is read
    name, message = raised_in_child(CHILD_SECONDS, lambda: _property(kind))
    assert (name, message[:3000]) == ("returned", "")
