"""`vision-agent classify`: photos and folders, JSON/CSV, every awkward file a user may have."""

import csv
import json

import pytest

from tests.support import photo_files
from tests.support.paths import asset
from vision_agent.cli import main

MOBILENET = ["--model", "mobilenet_v2"]


@pytest.fixture(autouse=True)
def _mobilenet_available():
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")


def run_json(capsys, *args):
    code = main(["classify", *MOBILENET, "--json", *map(str, args)])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def top_indices(record) -> list[int]:
    return [t["index"] for t in record["top"]]


@pytest.mark.parametrize("suffix", [".png", ".bmp", ".webp", ".tif", ".jpg"])
def test_every_common_format(capsys, tmp_path, suffix):
    code, records, err = run_json(capsys, photo_files.in_format(tmp_path, suffix))
    assert code == 0, err
    assert top_indices(records[0])[0] == photo_files.BANANA_CLASS


def test_exif_rotated_phone_photo_is_classified_upright(capsys, tmp_path):
    code, records, _ = run_json(capsys, photo_files.exif_rotated(tmp_path))
    assert code == 0 and top_indices(records[0])[0] == photo_files.ROBIN_CLASS


def test_grayscale_photo(capsys, tmp_path):
    code, records, _ = run_json(capsys, photo_files.gray(tmp_path))
    assert code == 0 and len(records[0]["top"]) == 5


def test_16_bit_photo_reads_like_its_8_bit_twin(capsys, tmp_path):
    code, records, _ = run_json(capsys, photo_files.gray(tmp_path), photo_files.gray16(tmp_path))
    assert code == 0
    eight, sixteen = records
    assert top_indices(eight) == top_indices(sixteen)
    for a, b in zip(eight["top"], sixteen["top"], strict=True):
        assert abs(a["probability"] - b["probability"]) < 0.02


def test_rgba_photo(capsys, tmp_path):
    code, records, _ = run_json(capsys, photo_files.rgba(tmp_path))
    assert code == 0 and photo_files.BANANA_CLASS in top_indices(records[0])


def test_huge_photo_is_read_reduced_and_classified(capsys, tmp_path):
    code, records, _ = run_json(capsys, photo_files.huge(tmp_path))
    assert code == 0 and top_indices(records[0])[0] == photo_files.BANANA_CLASS


def test_korean_path(capsys, tmp_path):
    path = photo_files.korean_path(tmp_path)
    code, records, _ = run_json(capsys, path)
    assert code == 0
    assert records[0]["file"] == str(path)
    assert top_indices(records[0])[0] == photo_files.BANANA_CLASS


@pytest.mark.parametrize("kind", ["empty", "truncated", "not_an_image", "random_bytes"])
def test_broken_file_gives_a_message_and_the_others_still_run(capsys, tmp_path, kind):
    broken = photo_files.broken_files(tmp_path)[kind]
    good = asset(*photo_files.BANANA)
    code, records, err = run_json(capsys, broken, good)
    assert code == 1
    assert [r["file"] for r in records] == [str(good)]
    assert broken.name in err and "Traceback" not in err


def test_missing_file_and_folder_of_photos(capsys, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("b.jpg", "a.png"):
        photo_files.photo(*photo_files.BANANA).save(folder / name)
    (folder / "readme.txt").write_text("not a photo")
    code, records, err = run_json(capsys, folder, tmp_path / "nowhere.jpg")
    assert code == 1
    assert [r["file"] for r in records] == [str(folder / "a.png"), str(folder / "b.jpg")]
    assert "not found" in err


def test_text_output_and_csv(capsys, tmp_path):
    out_csv = tmp_path / "results.csv"
    photo = asset(*photo_files.ROBIN)
    code = main(["classify", *MOBILENET, "--top", "3", "--csv", str(out_csv), str(photo)])
    out, _ = capsys.readouterr()
    assert code == 0
    assert out.startswith(f"{photo}: robin ")
    with open(out_csv, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["rank"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["index"] == str(photo_files.ROBIN_CLASS) and rows[0]["label"] == "robin"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--top", "0"], "--top"),
        (["--model", "googlenet"], "bvlc_googlenet.caffemodel"),
        (["--model", "NOWHERE/mine.h5"], "not found"),
        (["--model", "resnet50", "--weights", "NOWHERE/w.h5"], "not found"),
        (["--model", "alexnet", "--weights", "{onnx}"], "Unknown architecture"),
    ],
)
def test_model_problems_exit_2_with_the_reason(capsys, monkeypatch, tmp_path, args, message):
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", str(tmp_path))
    onnx = asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    args = [a.replace("NOWHERE", str(tmp_path)).replace("{onnx}", str(onnx)) for a in args]
    code = main(["classify", *args, str(asset(*photo_files.BANANA))])
    _, err = capsys.readouterr()
    assert code == 2
    assert message in err and "Traceback" not in err
