"""Strategy (3) of "My classes" (head only, shipped MobileNetV2 int8): time and accuracy.

Time: `vision-agent train classes` on 3 classes of ~100 real images each (301), run as a user runs
it (a fresh process, an empty feature cache, so the features of every photo are computed):
the shared photos hold only 45 photos, so the 300 images are those 45 (class "photos") and
frames of the two shared videos (classes "animation": Megamind.avi, "street":
vtest_first150.avi), written as JPEG files first. Reports the command's wall time.

Accuracy on the shared photos: dog vs. not dog on ../shared/assets/photos (20 dogs, each a
different breed; 25 other photos: objects, animals, people), leave-one-out: each photo is
classified by the run's model (the one `cross_validated_choice` keeps) and by the plain logistic
regression, both trained on all the others.

Dog vs. not dog on varied real photos (--imagenet-samples DIR: a folder of 1,000 JPEGs, one per
ImageNet class, named nXXXXXXXX_name.JPEG, as github.com/EliSchwartz/imagenet-sample-images;
classes 151-268 of the ImageNet index, n02085620 .. n02113978, are the 118 dogs). Each draw
trains on 100 dogs (a random 100 of the 118) + 100 not-dogs with the same code as a run (the
softmax head, the plain logistic regression, the class-conditional Gaussians, the choice on the
training photos only) and is tried on the other 800 sample photos (all of classes never trained
on) and on the 45 shared photos. Two groups of draws:
  choosing draws 5-12 (where the blend of the plain regression and the Gaussians was chosen):
    draws 5-7 take not-dog blocks 5-7 of the 882, draws 8-12 100 random not-dogs each;
  reported draws 0-4 (not-dog blocks 0-4, disjoint from blocks 5-7): run once, after the choice.
Reported per set: accuracy, dogs found, not-dogs kept out, for the run's model and, trained in
the same run, the plain logistic regression, the softmax head and the Gaussians alone. Caveat:
these photos may be in the ImageNet training set of the backbone, so its features may suit them
better than a user's photos; the 45 shared photos are tried in both groups of draws.

    python bench/own_classes.py [--work DIR] [--skip-timing] [--imagenet-samples DIR]
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
DOGS = range(151, 269)  # ImageNet class indices of the 118 dog breeds
PLAIN = "plain logistic regression"  # choice.PLAIN (the bench imports the app lazily)
CHOOSING, REPORTED = range(5, 13), range(5)  # draws; see the module's description
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


def train_all(x: np.ndarray, y: np.ndarray):
    """(the run's model, which was kept, {name: each model}) as a run trains them (with no
    validation photos kept out: the bench tests on its own)."""
    from vision_agent.core.own_classes.choice import (
        GAUSSIANS,
        HEAD,
        PLAIN,
        cross_validated_choice,
    )
    from vision_agent.core.own_classes.gaussian import fit_gaussians
    from vision_agent.core.own_classes.head import plain_logistic_regression, train_head

    models = {
        PLAIN: plain_logistic_regression(x, y, 2),
        HEAD: train_head(x, y, 2),
        GAUSSIANS: fit_gaussians(x, y, 2),
    }
    choice = cross_validated_choice(x, y, 2, models)
    return choice.kept, choice.kept_name, models


def shared_photos() -> tuple[list[Path], np.ndarray]:
    dogs = sorted((PHOTOS / "dogs").iterdir())
    others = sorted(p for kind in ("objects", "faces") for p in (PHOTOS / kind).iterdir())
    return dogs + others, np.array([1] * len(dogs) + [0] * len(others))


def features_of(paths: list[Path]) -> np.ndarray:
    from vision_agent.core.own_classes.features import FeatureExtractor
    from vision_agent.engine.registry_models import shipped_backbone

    features, skipped = FeatureExtractor(shipped_backbone(), None).of_files(paths)
    assert not skipped, skipped
    return features


def leave_one_out() -> None:
    paths, labels = shared_photos()
    features = features_of(paths)
    wrong: dict[str, list[str]] = {"run's model": [], "plain logistic regression": []}
    for i in range(len(labels)):
        rest = np.arange(len(labels)) != i
        kept, _, models = train_all(features[rest], labels[rest])
        for name, model in (("run's model", kept), ("plain logistic regression", models[PLAIN])):
            if model.predict(features[i : i + 1])[0] != labels[i]:
                wrong[name].append(paths[i].name)
    for name, missed in wrong.items():
        right = len(labels) - len(missed)
        print(
            f"shared photos, leave-one-out, {name}: {right}/{len(labels)} = "
            f"{right / len(labels):.1%}; wrong: {missed}"
        )


def scores(model, x: np.ndarray, y: np.ndarray) -> str:
    said = model.predict(x)
    right = int(np.sum(said == y))
    dogs = int(np.sum((said == 1) & (y == 1)))
    others = int(np.sum((said == 0) & (y == 0)))
    return (
        f"{right}/{len(y)} = {right / len(y):.1%} (dogs {dogs}/{int(y.sum())}, "
        f"not-dogs {others}/{int(len(y) - y.sum())})"
    )


def imagenet_samples(folder: Path) -> None:
    paths = sorted(folder.glob("n*_*.JPEG"))
    if len(paths) != 1000:
        sys.exit(f"{folder}: expected 1,000 files nXXXXXXXX_name.JPEG, found {len(paths)}")
    features = features_of(paths)
    labels = np.zeros(1000, np.int64)
    labels[list(DOGS)] = 1
    dogs, others = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    not_dog_blocks = np.random.default_rng(0).permutation(others)

    def draw(k: int) -> np.ndarray:
        """100 dogs (seed k) + not-dog block k (k < 8: disjoint blocks of the 882) or, from
        k = 8 on, 100 random not-dogs (seed 1000 + k)."""
        not_dogs = (
            not_dog_blocks[100 * k : 100 * (k + 1)]
            if k < 8
            else np.random.default_rng(1000 + k).choice(others, 100, replace=False)
        )
        return np.concatenate([np.random.default_rng(k).choice(dogs, 100, replace=False), not_dogs])

    tried("choosing draws (they chose the blend)", features, labels, {k: draw(k) for k in CHOOSING})
    tried("reported draws", features, labels, {k: draw(k) for k in REPORTED})


def tried(title: str, features: np.ndarray, labels: np.ndarray, draws: dict[int, np.ndarray]):
    """Each draw's models tried on the other 800 sample photos and on the 45 shared photos."""
    from vision_agent.core.own_classes.head import accuracy

    shared_paths, shared_labels = shared_photos()
    shared = features_of(shared_paths)
    never_worse = True
    totals: dict[str, np.ndarray] = {}
    print(f"{title}:")
    for k, train in draws.items():
        test = np.setdiff1d(np.arange(1000), train)
        kept, kept_name, models = train_all(features[train], labels[train])
        sets = [
            ("unseen sample photos", features[test], labels[test]),
            ("45 shared photos", shared, shared_labels),
        ]
        print(
            f"draw {k}: trained on {len(train)} ({int(labels[train].sum())} dogs), "
            f"kept: {kept_name}"
        )
        for name, x, y in sets:
            print(f"  {name}: run's model {scores(kept, x, y)}")
            for model_name, model in [("run's model", kept), *models.items()]:
                if model_name != "run's model":
                    print(f"    {model_name} alone: {scores(model, x, y)}")
                right = np.sum(model.predict(x) == y)
                key = f"{name}, {model_name}"
                totals[key] = totals.get(key, np.zeros(2, np.int64)) + np.array([right, len(y)])
            never_worse &= accuracy(kept, x, y) >= accuracy(models[PLAIN], x, y)
    print(f"all {title}:")
    for key, (right, count) in totals.items():
        print(f"  {key}: {right}/{count} = {right / count:.1%}")
    print(f"run's model no worse than the plain logistic regression on every set: {never_worse}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, help="folder for the images and the model")
    parser.add_argument("--skip-timing", action="store_true", help="accuracy figures only")
    parser.add_argument(
        "--imagenet-samples", type=Path, help="folder of the 1,000 ImageNet sample JPEGs"
    )
    args = parser.parse_args()
    if not args.skip_timing:
        with tempfile.TemporaryDirectory() as scratch:
            time_training(args.work or Path(scratch))
    leave_one_out()
    if args.imagenet_samples is not None:
        print(f"ImageNet sample photos from {args.imagenet_samples}")
        imagenet_samples(args.imagenet_samples)


if __name__ == "__main__":
    main()
