"""Class-name files in every format the course and this app write, and readable breed names."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from vision_agent.core.breed_names import imagenet_display_name, read_class_names, readable_breed
from vision_agent.core.errors import UserError
from vision_agent.core.safe_pickle import UnsafePickleError

FOLDERS = ["n02085620-Chihuahua", "n02086240-Shih-Tzu", "n02099601-golden_retriever"]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("n02085620-Chihuahua", "Chihuahua"),
        ("n02086240-Shih-Tzu", "Shih-Tzu"),
        ("n02099601-golden_retriever", "golden retriever"),
        ("n02113978-Mexican_hairless", "Mexican hairless"),
        ("golden_retriever", "golden retriever"),
        ("Shih-Tzu", "Shih-Tzu"),
        ("n0208-short", "n0208-short"),  # not a WordNet id: kept
    ],
)
def test_readable_breed(raw: str, shown: str) -> None:
    assert readable_breed(raw) == shown


def test_imagenet_display_name() -> None:
    assert imagenet_display_name("tabby, tabby cat") == "tabby"
    assert imagenet_display_name("golden retriever") == "golden retriever"


def test_course_pickle_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "dog_species_names.txt"
    with open(path, "wb") as f:
        pickle.dump(FOLDERS, f)  # exactly what program 8-7 does
    assert read_class_names(path) == FOLDERS


def test_protocol0_pickle_is_not_mistaken_for_text(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_bytes(pickle.dumps(FOLDERS, protocol=0))
    assert read_class_names(path) == FOLDERS


def test_malicious_protocol0_pickle_in_txt_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "ran"
    path = tmp_path / "dog_species_names.txt"
    path.write_bytes(f"cos\nsystem\n(S'touch {target}'\ntR.".encode())
    with pytest.raises(UnsafePickleError):
        read_class_names(path)
    assert not target.exists()


def test_json_list_and_index_object(tmp_path: Path) -> None:
    listed = tmp_path / "a.json"
    listed.write_text(json.dumps(FOLDERS), encoding="utf-8")
    indexed = tmp_path / "b.json"
    indexed.write_text(json.dumps({"1": FOLDERS[1], "0": FOLDERS[0], "2": FOLDERS[2]}))
    keras_style = tmp_path / "c.json"
    keras_style.write_text(json.dumps({str(i): ["n0", n] for i, n in enumerate(FOLDERS)}))
    assert read_class_names(listed) == FOLDERS
    assert read_class_names(indexed) == FOLDERS
    assert read_class_names(keras_style) == FOLDERS


def test_text_one_per_line_with_bom_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_text("\ufeff" + "\n".join(FOLDERS) + "\n\n", encoding="utf-8")
    assert read_class_names(path) == FOLDERS


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "no list"),
        (b"[1, 2, 3]", "non-empty string"),
        (b'["a", ', "not valid"),
        (b"\xff\xfe\x00garbage\x00\x81", "neither UTF-8"),
        (b'{"x": "a"}', "index keys"),
    ],
)
def test_bad_class_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "names.json"
    path.write_bytes(content)
    with pytest.raises(UserError, match=message):
        read_class_names(path)


def test_missing_class_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not found"):
        read_class_names(tmp_path / "nope.txt")
