"""The course's pickled class-name list is read without executing anything."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from vision_agent.core.errors import UserError
from vision_agent.core.safe_pickle import UnsafePickleError, is_pickle, load_plain_pickle

NAMES = ["n02085620-Chihuahua", "n02086240-Shih-Tzu", "n02099601-golden_retriever"]


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_plain_list_loads_in_every_protocol(protocol: int) -> None:
    assert load_plain_pickle(pickle.dumps(NAMES, protocol=protocol)) == NAMES


def test_nested_plain_data_loads() -> None:
    data = {"names": NAMES, "sizes": (1, 2.5, None, True), "set": {1, 2}, "b": b"x"}
    assert load_plain_pickle(pickle.dumps(data)) == data


class _CreatesFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


class _RunsShell:
    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_pickle_that_would_create_a_file_is_refused(tmp_path: Path, protocol: int) -> None:
    target = tmp_path / "pwned"
    data = pickle.dumps([*NAMES, _CreatesFile(target)], protocol=protocol)
    with pytest.raises(UnsafePickleError, match="import or call"):
        load_plain_pickle(data, "dog_species_names.txt")
    assert not target.exists()


def test_pickle_that_would_run_a_shell_command_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "shell_ran"
    data = pickle.dumps(_RunsShell(f"touch '{target}'"))
    path = tmp_path / "dog_species_names.txt"
    path.write_bytes(data)
    with pytest.raises(UnsafePickleError) as info:
        load_plain_pickle(path)
    assert "dog_species_names.txt" in str(info.value)
    assert not target.exists()
    # The same bytes really do run the command when unpickled naively: the test is meaningful.
    pickle.loads(data)
    assert target.exists()


class Breed:
    """A plain class: its pickle uses STACK_GLOBAL, NEWOBJ and BUILD."""

    def __init__(self) -> None:
        self.name = "beagle"


@pytest.mark.parametrize("obj", [Breed(), Path("/tmp"), [NAMES, {"x": Breed()}]])
def test_any_object_pickle_is_refused(obj: object) -> None:
    with pytest.raises(UnsafePickleError):
        load_plain_pickle(pickle.dumps(obj))


def test_damaged_and_non_pickles(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a readable pickle"):
        load_plain_pickle(pickle.dumps(NAMES)[:-5])
    with pytest.raises(UserError, match="File not found"):
        load_plain_pickle(tmp_path / "missing.pkl")
    assert not is_pickle(b"n02085620-Chihuahua\nn02086240-Shih-Tzu\n")
    assert is_pickle(pickle.dumps(NAMES, protocol=0))
