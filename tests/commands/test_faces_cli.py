"""`vision-agent faces`: JSON per image in original pixels, videos, bad files and bad models."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.support.paths import asset
from vision_agent.cli import main
from vision_agent.core.imageio import read_image


@pytest.fixture(autouse=True)
def _models():
    asset("face_detector", "res10_300x300_ssd_iter_140000.caffemodel")


def lines(capsys) -> tuple[list[dict], str]:
    out, err = capsys.readouterr()
    return [json.loads(line) for line in out.splitlines()], err


def test_images_as_json_in_original_pixels(capsys, tmp_path):
    zidane = asset("photos", "faces", "zidane_ultralytics.jpg")
    baboon = asset("photos", "faces", "noface_baboon_opencv.jpg")
    assert main(["faces", str(zidane), str(baboon), "--json"]) == 0
    (first, second), _ = lines(capsys)
    assert first["file"] == str(zidane) and len(first["faces"]) == 2
    height, width = read_image(zidane).shape[:2]
    for face in first["faces"]:
        x, y, w, h = face["box"]
        assert x + w <= width and y + h <= height and face["confidence"] >= 0.5
    assert first["latency_ms"] > 0
    assert second["faces"] == []


def test_bad_files_fail_but_the_others_are_processed(capsys, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not really")
    photo = asset("photos", "faces", "grace_hopper_matplotlib.jpg")
    code = main(["faces", str(broken), str(tmp_path / "missing.png"), str(photo), "--json"])
    records, err = lines(capsys)
    assert code == 1
    assert [r["file"] for r in records] == [str(photo)]
    assert "broken.jpg" in err and "missing.png" in err


def test_threshold_and_model_choice(capsys):
    group = asset("photos", "faces", "t1_insightface_group.jpg")
    assert main(["faces", str(group), "--json", "--model", "res10-tf", "--threshold", "0.99"]) == 0
    (record,), _ = lines(capsys)
    assert all(face["confidence"] >= 0.99 for face in record["faces"])
    assert len(record["faces"]) < 6


def test_video_summary_and_every_n(capsys, tmp_path):
    video = asset("photos", "video", "Megamind.avi")
    assert main(["faces", str(video), "--json"]) == 0
    (summary,), _ = lines(capsys)
    assert summary["frames"] == 270 and summary["frames_with_faces"] >= 260
    assert main(["faces", str(video), "--json", "--every", "90"]) == 0
    records, _ = lines(capsys)
    assert [r["frame"] for r in records] == [0, 90, 180]
    assert all(len(r["faces"]) == 1 for r in records[1:])


def test_save_annotated(capsys, tmp_path):
    photo = asset("photos", "faces", "grace_hopper_matplotlib.jpg")
    out = tmp_path / "out"
    assert main(["faces", str(photo), "--save-annotated", str(out), "--blur"]) == 0
    assert "1 face" in capsys.readouterr().out
    saved = read_image(out / "grace_hopper_matplotlib_faces.png")
    assert saved.shape == read_image(photo).shape


def test_own_model_file_and_bad_model(capsys, tmp_path):
    folder = tmp_path / "det"
    folder.mkdir()
    shutil.copy(asset("face_detector", "opencv_face_detector_uint8.pb"), folder / "f.pb")
    shutil.copy(asset("face_detector", "opencv_face_detector.pbtxt"), folder / "f.pbtxt")
    photo = asset("photos", "faces", "grace_hopper_matplotlib.jpg")
    assert main(["faces", str(photo), "--json", "--model", str(folder / "f.pb")]) == 0
    (record,), _ = lines(capsys)
    assert len(record["faces"]) == 1
    assert main(["faces", str(photo), "--model", str(tmp_path / "none.caffemodel")]) == 2
    assert "not found" in capsys.readouterr().err


def test_bad_arguments(capsys):
    photo = asset("photos", "faces", "grace_hopper_matplotlib.jpg")
    assert main(["faces", str(photo), "--threshold", "3"]) == 2
    assert main(["faces", str(photo), "--every", "0"]) == 2


def test_corrupt_video(capsys, tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 1000)
    assert main(["faces", str(bad)]) == 1
    assert "bad.mp4" in capsys.readouterr().err


def test_self_test_check_runs_the_models_the_store_has():
    from vision_agent.checks.faces import self_test_checks

    results = {r.name.split()[1]: r for r in self_test_checks()}
    assert results["res10-caffe"].ok and not results["res10-caffe"].skipped
    assert results["res10-tf"].ok and not results["res10-tf"].skipped
