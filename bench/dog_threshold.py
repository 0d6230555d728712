"""The dog tab's two thresholds, measured on real photos.

1. `DOG_THRESHOLD` ("is it a dog?"): on the shared photos (../shared/assets/photos/labels.csv:
   dogs, objects, faces, no-face scenes), the probability mass the classifier puts on ImageNet's
   dog classes (151-268); the lowest dog, the highest non-dog, and the threshold's margins.
2. `UNSURE_BELOW` ("not sure: A or B?"), with `--samples FOLDER`: a folder of one photo per
   ImageNet class named `<wnid>_<name>.JPEG` (e.g. github.com/EliSchwartz/imagenet-sample-images;
   sorted by wnid, file i is class i). The 118 dog classes give one photo per breed. The breeds
   are split in two halves by class index (even / odd); a threshold is chosen on one half (the
   one that best separates wrong top breeds from right ones: flagged-wrong share minus
   flagged-right share, the lower threshold on ties) and reported on the other, then the halves
   swap. `UNSURE_BELOW` (the value picked on the even half) and the value before it (one half,
   set before any measurement) are shown on both halves. The not-dog photos show how many are
   taken for dogs, and how many of those are said "not sure".
   These photos may be in the classifier's training set: the figures are then optimistic.

    python bench/dog_threshold.py [--classifier mobilenet_v2_int8] [--samples FOLDER]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
ASSETS = REPO.parent / "shared" / "assets"
os.environ.setdefault("VISION_AGENT_MODEL_PATH", str(ASSETS))

from vision_agent.core.dogs import (  # noqa: E402
    DOG_CLASSES,
    DOG_THRESHOLD,
    UNSURE_BELOW,
    ImageNetDogRecognizer,
)
from vision_agent.engine.registry_models import dog_recognizer  # noqa: E402

BEFORE = 0.5  # UNSURE_BELOW until this bench chose one: one half, set before any measurement
CANDIDATES = np.round(np.arange(0.10, 0.95, 0.05), 2)
IMAGE_SUFFIXES = {".jpeg", ".jpg", ".png"}


def shared_photos(recognizer: ImageNetDogRecognizer) -> None:
    scores: dict[str, list[tuple[float, str]]] = {}
    with open(ASSETS / "photos" / "labels.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "video":
                continue
            result = recognizer.recognize_file(ASSETS / "photos" / row["file"])
            scores.setdefault(row["kind"], []).append((result.dog_score, row["file"]))
    for kind, values in scores.items():
        low, high = min(values), max(values)
        print(f"{kind:7s} n={len(values):2d}  min {low[0]:.4f} ({low[1]})")
        print(f"{'':7s}       max {high[0]:.4f} ({high[1]})")
    lowest_dog = min(scores["dog"])[0]
    highest_other = max(v for k, vs in scores.items() if k != "dog" for v in vs)[0]
    print(f"lowest dog {lowest_dog:.4f}, highest non-dog {highest_other:.4f}")
    print(
        f"DOG_THRESHOLD {DOG_THRESHOLD}: {DOG_THRESHOLD / highest_other:.1f}x above the highest "
        f"non-dog, {lowest_dog / DOG_THRESHOLD:.1f}x below the lowest dog"
    )


def shares(top: np.ndarray, right: np.ndarray, threshold: float) -> tuple[int, int, int, int]:
    """(wrong flagged, wrong, right flagged, right) among the photos taken for dogs."""
    flagged = top < threshold
    return (
        int((flagged & ~right).sum()),
        int((~right).sum()),
        int((flagged & right).sum()),
        int(right.sum()),
    )


def separation(top: np.ndarray, right: np.ndarray, threshold: float) -> float:
    wrong_f, wrong, right_f, n_right = shares(top, right, threshold)
    return wrong_f / max(wrong, 1) - right_f / max(n_right, 1)


def row(name: str, threshold: float, top: np.ndarray, right: np.ndarray) -> str:
    wrong_f, wrong, right_f, n_right = shares(top, right, threshold)
    return (
        f"{name:34s} {threshold:5.2f}   {wrong_f:3d}/{wrong:<3d} {wrong_f / max(wrong, 1):6.1%}"
        f"   {right_f:3d}/{n_right:<3d} {right_f / max(n_right, 1):6.1%}"
    )


def sample_photos(recognizer: ImageNetDogRecognizer, folder: Path) -> None:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if len(files) != 1000:
        sys.exit(f"{folder}: expected 1000 photos (one per ImageNet class), found {len(files)}")
    index, top, right = [], [], []
    others, others_dog, others_top = 0, 0, []
    for class_index, path in enumerate(files):
        result = recognizer.recognize_file(path)
        if class_index not in DOG_CLASSES:
            others += 1
            others_dog += bool(result.is_dog)
            if result.is_dog:
                others_top.append(result.top[0].probability)
            continue
        if not result.is_dog:
            print(f"dog photo taken for no dog: {path.name} (dog score {result.dog_score:.3f})")
            continue
        best = result.top[0]
        index.append(class_index)
        top.append(best.probability)
        right.append(best.breed == recognizer.breeds[class_index - DOG_CLASSES.start])
    index, top, right = np.array(index), np.array(top), np.array(right)
    print(
        f"\n{len(files)} ImageNet sample photos ({folder}); {len(index)} of 118 dog photos "
        f"taken for dogs, {int(right.sum())} with the right top breed"
    )
    print("(these photos may be in the classifier's training set: figures are optimistic)\n")
    print(f"{'threshold (chosen on -> shown on)':34s} value   wrong flagged       right flagged")
    halves = {"even": index % 2 == 0, "odd": index % 2 == 1}
    for chosen_on, shown_on in (("even", "odd"), ("odd", "even")):
        fit = halves[chosen_on]
        best = max(CANDIDATES, key=lambda t: (separation(top[fit], right[fit], t), -t))
        print(row(f"chosen on {chosen_on}, on {chosen_on} (fit)", best, top[fit], right[fit]))
        held = halves[shown_on]
        print(row(f"chosen on {chosen_on}, on {shown_on} (held out)", best, top[held], right[held]))
    for name, value in (("UNSURE_BELOW (shipped)", UNSURE_BELOW), ("before: one half", BEFORE)):
        for half, part in halves.items():
            print(row(f"{name}, on {half}", value, top[part], right[part]))
    unsure = {t: sum(p < t for p in others_top) for t in (UNSURE_BELOW, BEFORE)}
    print(
        f"\nnot-dog photos: {others}; taken for dogs {others_dog}, of which said "
        f'"not sure" {unsure[UNSURE_BELOW]} at {UNSURE_BELOW}, {unsure[BEFORE]} at {BEFORE}'
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", default="mobilenet_v2_int8")
    parser.add_argument("--samples", type=Path, help="one photo per ImageNet class (see above)")
    args = parser.parse_args()
    recognizer = dog_recognizer(args.classifier)
    print(f"classifier: {recognizer.classifier.model_name}")
    shared_photos(recognizer)
    if args.samples is not None:
        sample_photos(recognizer, args.samples)


if __name__ == "__main__":
    main()
