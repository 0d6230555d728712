"""`vision-agent dog` and `vision-agent train dogs` end to end: exit codes, output, files."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import tarfile
from pathlib import Path

import pytest

from tests.support.breed_folders import BREEDS, tiny_stanford_dogs
from tests.support.model_server import ModelServer, closed_port_url, model_entry, write_registry
from tests.support.paths import asset
from vision_agent.cli import main
from vision_agent.training import stanford_dogs

TINY = [
    "--backbone",
    "tiny",
    "--backbone-weights",
    "none",
    "--image-size",
    "32",
    "--batch-size",
    "4",
    "--epochs",
    "1",
]


def test_dog_json_lines_for_dogs_non_dogs_and_missing_files(capsys) -> None:
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    dog = asset("photos", "dogs", "Saint_bernard_08010.jpg")
    cat = asset("photos", "faces", "noface_chelsea_cat_skimage.png")
    code = main(
        ["dog", str(dog), str(cat), "missing.jpg", "--json", "--classifier", "mobilenet_v2"]
    )
    out, err = capsys.readouterr()
    assert code == 1
    assert "missing.jpg" in err
    first, second = (json.loads(line) for line in out.splitlines())
    assert list(first)[:5] == ["file", "is_dog", "dog_score", "top", "latency_ms"]
    assert first["is_dog"] is True and first["top"][0]["breed"] == "Saint Bernard"
    assert second["is_dog"] is False and "cat" in second["seen"]
    assert len(second["top"]) == 5


def test_dog_text_output(capsys) -> None:
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    code = main(["dog", str(asset("photos", "dogs", "Dalmatian_04037.jpg"))])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "dalmatian" in out and "dog 1.00" in out


def test_dog_with_the_course_files(tmp_path: Path, capsys) -> None:
    keras = pytest.importorskip("keras")
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Rescaling(1.0 / 255),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.save(tmp_path / "cnn_for_stanford_dogs.h5")
    with open(tmp_path / "dog_species_names.txt", "wb") as f:
        pickle.dump(BREEDS, f)
    code = main(
        [
            "dog",
            str(asset("photos", "dogs", "Boxer_02426.jpg")),
            "--json",
            "--model",
            str(tmp_path / "cnn_for_stanford_dogs.h5"),
            "--classes",
            str(tmp_path / "dog_species_names.txt"),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    line = json.loads(out)
    assert {t["breed"] for t in line["top"]} == {"Chihuahua", "Shih-Tzu", "golden retriever"}
    assert line["is_dog"] is True  # the ImageNet classifier on this computer checks for a dog
    assert line["model"] == "cnn_for_stanford_dogs.h5"


def test_dog_refuses_half_a_model_and_a_malicious_name_list(tmp_path: Path, capsys) -> None:
    photo = str(asset("photos", "dogs", "Boxer_02426.jpg"))
    assert main(["dog", photo, "--model", str(tmp_path / "m.h5")]) == 2
    assert "--model and --classes go together" in capsys.readouterr().err
    marker = tmp_path / "ran"
    evil = tmp_path / "dog_species_names.txt"
    evil.write_bytes(f"cos\nsystem\n(S'touch {marker}'\ntR.".encode())
    model = tmp_path / "m.h5"
    model.write_bytes(b"x")
    assert main(["dog", photo, "--model", str(model), "--classes", str(evil)]) == 2
    assert "import or call" in capsys.readouterr().err
    assert not marker.exists()


def test_train_dogs_writes_model_classes_and_history(tmp_path: Path, capsys) -> None:
    pytest.importorskip("tensorflow")
    data = tiny_stanford_dogs(tmp_path / "data")
    out = tmp_path / "out"
    code = main(
        [
            "train",
            "dogs",
            str(data),
            "--out",
            str(out),
            "--fine-tune-epochs",
            "1",
            "--head",
            "course",
            *TINY,
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert "3 breeds" in capsys.readouterr().out
    assert json.loads((out / "dog_breeds.classes.json").read_text()) == BREEDS
    history = json.loads((out / "dog_breeds.history.json").read_text())
    assert history["history"]["phase"] == ["from scratch", "fine-tune"]
    assert len(history["history"]["val_accuracy"]) == 2
    assert history["options"]["head"] == "course"
    assert (out / "dog_breeds.keras").is_file()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: root / "missing", "not found"),
        (
            lambda root: (root / "one" / "n02085620-Chihuahua").mkdir(parents=True) or root / "one",
            "at least two sub-folders",
        ),
    ],
)
def test_train_dogs_bad_datasets(tmp_path: Path, capsys, make, message: str) -> None:
    assert main(["train", "dogs", str(make(tmp_path)), *TINY]) == 2
    assert message in capsys.readouterr().err


def test_train_dogs_bad_numbers(tmp_path: Path, capsys) -> None:
    data = tiny_stanford_dogs(tmp_path / "data")
    assert main(["train", "dogs", str(data), *TINY[:-1], "0"]) == 2
    assert "at least one epoch" in capsys.readouterr().err


def test_download_offline_fails_with_a_clear_message(tmp_path: Path, monkeypatch, capsys) -> None:
    files = {
        "images": {
            "name": "images.tar",
            "url": closed_port_url("images.tar"),
            "hash": "md5:1bb1f2a596ae7057f99d7d75860002ef",
        }
    }
    registry = write_registry(tmp_path / "r.json", [model_entry(stanford_dogs.DATASET_ID, files)])
    monkeypatch.setattr(stanford_dogs, "DATASET_REGISTRY", registry)
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("VISION_AGENT_MODEL_PATH", raising=False)
    assert main(["train", "dogs", str(tmp_path / "stanford"), "--download", *TINY]) == 2
    err = capsys.readouterr().err
    assert "Stanford Dogs could not be downloaded" in err
    assert "images.tar" in err and "without --download" in err


def test_download_unpacks_a_verified_archive_then_trains(tmp_path: Path, monkeypatch, capsys):
    pytest.importorskip("tensorflow")
    source = tiny_stanford_dogs(tmp_path / "source")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(source / "Images", arcname="Images")
    payload = buffer.getvalue()
    with ModelServer(payload) as server:
        files = {
            "images": {
                "name": "images.tar",
                "url": server.url("good", "images.tar"),
                "hash": "md5:" + hashlib.md5(payload).hexdigest(),
            }
        }
        registry = write_registry(
            tmp_path / "r.json", [model_entry(stanford_dogs.DATASET_ID, files)]
        )
        monkeypatch.setattr(stanford_dogs, "DATASET_REGISTRY", registry)
        monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
        data = tmp_path / "stanford"
        code = main(
            [
                "train",
                "dogs",
                str(data),
                "--download",
                "--out",
                str(tmp_path / "out"),
                "--fine-tune-epochs",
                "0",
                *TINY,
            ]
        )
    assert code == 0, capsys.readouterr().err
    assert sorted(p.name for p in (data / "Images").iterdir()) == BREEDS
    assert (tmp_path / "out" / "dog_breeds.keras").is_file()
