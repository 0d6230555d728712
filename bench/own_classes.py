"""Strategy (3) of "My classes" (head only, shipped MobileNetV2 int8): time and accuracy.

Time: `vision-agent train classes` on 3 classes of ~100 real images each (301), run as a user runs
it (a fresh process, an empty feature cache, so the features of every photo are computed):
the shared photos hold only 48 photos, so the 300 images are those 48 (class "photos") and
frames of the two shared videos (classes "animation": Megamind.avi, "street":
vtest_first150.avi), written as JPEG files first. Reports the command's wall time.

Accuracy: dog vs. not dog on ../shared/assets/photos (20 dogs, each a different breed; 25 other
photos: objects, animals, people), leave-one-out: each photo is classified by a head and by the
plain logistic regression both trained on all the others (the head's settings were chosen on
faces vs. objects, not on this set). Reports both accuracies and the photos each got wrong.

    python bench/own_classes.py [--work DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT.parent / "shared" / "assets" / "photos"
PER_CLASS = 128  # with the 45 photos: 301 images
os.environ.setdefault("VISION_AGENT_MODEL_PATH", str(ROOT.parent / "shared" / "assets"))


def write_timing_set(folder: Path) -> int:
    photos = sorted(p for kind in ("dogs", "objects", "faces") for p in (PHOTOS / kind).iterdir())
    (folder / "photos").mkdir(parents=True)
    for path in photos:
        (folder / "photos" / path.name).write_bytes(path.read_bytes())
    for name, video in (("animation", "Megamind.avi"), ("street", "vtest_first150.avi")):
        (folder / name).mkdir()
        capture = cv2.VideoCapture(str(PHOTOS / "video" / video))
        frames = []
        ok, frame = capture.read()
        while ok:
            frames.append(frame)
            ok, frame = capture.read()
        for k in np.linspace(0, len(frames) - 1, PER_CLASS).astype(int):
            cv2.imwrite(str(folder / name / f"{video}_{k:04d}.jpg"), frames[k])
    return sum(1 for _ in folder.rglob("*.*"))


def time_training(work: Path) -> None:
    data = work / "data"
    count = write_timing_set(data)
    env = os.environ | {"VISION_AGENT_CACHE_DIR": str(work / "empty_cache")}
    command = [sys.executable, "-m", "vision_agent", "train", "classes", str(data)]
    command += ["--out", str(work / "model")]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    print(done.stdout.strip().splitlines()[-3:], sep="\n")
    print(f"{count} images in 3 classes: {seconds:.1f} s wall (cores: {os.cpu_count()})")


def leave_one_out() -> None:
    from vision_agent.core.own_classes.features import FeatureExtractor
    from vision_agent.core.own_classes.head import plain_logistic_regression, train_head
    from vision_agent.engine.registry_models import shipped_backbone

    dogs = sorted((PHOTOS / "dogs").iterdir())
    others = sorted(p for kind in ("objects", "faces") for p in (PHOTOS / kind).iterdir())
    paths = dogs + others
    features, skipped = FeatureExtractor(shipped_backbone(), None).of_files(paths)
    assert not skipped, skipped
    labels = np.array([1] * len(dogs) + [0] * len(others))
    for name, make in (
        ("softmax head", lambda x, y: train_head(x, y, 2)),
        ("plain logistic regression", lambda x, y: plain_logistic_regression(x, y, 2)),
    ):
        wrong = []
        for i in range(len(labels)):
            rest = np.arange(len(labels)) != i
            if make(features[rest], labels[rest]).predict(features[i : i + 1])[0] != labels[i]:
                wrong.append(paths[i].name)
        right = len(labels) - len(wrong)
        print(f"{name}: {right}/{len(labels)} = {right / len(labels):.1%}; wrong: {wrong}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, help="folder for the images and the model")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        time_training(args.work or Path(scratch))
    leave_one_out()


if __name__ == "__main__":
    main()
