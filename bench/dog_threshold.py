"""The "is it a dog?" threshold and how often "not sure" is said, on the shared photos.

For each photo in ../shared/assets/photos/labels.csv (dogs, objects, faces, no-face scenes), the
probability mass the classifier puts on ImageNet's dog classes (151-268); then the lowest dog,
the highest non-dog, and the margins of `DOG_THRESHOLD` to both, as ratios; then, for the dogs,
how many right and wrong top breeds `UNSURE_BELOW` flags as "not sure".

    python bench/dog_threshold.py [--classifier mobilenet_v2_int8]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
ASSETS = REPO.parent / "shared" / "assets"
os.environ.setdefault("VISION_AGENT_MODEL_PATH", str(ASSETS))

from vision_agent.core.dogs import DOG_THRESHOLD, UNSURE_BELOW  # noqa: E402
from vision_agent.engine.registry_models import dog_recognizer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", default="mobilenet_v2_int8")
    args = parser.parse_args()
    recognizer = dog_recognizer(args.classifier)
    scores: dict[str, list[tuple[float, str]]] = {}
    flagged = {True: [], False: []}  # dogs by whether the top breed is the labelled one
    with open(ASSETS / "photos" / "labels.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "video":
                continue
            result = recognizer.recognize_file(ASSETS / "photos" / row["file"])
            scores.setdefault(row["kind"], []).append((result.dog_score, row["file"]))
            if row["kind"] == "dog":
                best = result.top[0]
                right = best.breed.replace(" ", "_").lower() == row["label"].lower()
                flagged[right].append((result.unsure, best.probability, row["file"]))
    print(f"classifier: {recognizer.classifier.model_name}")
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
    weakest = min(flagged[True], key=lambda item: item[1], default=None)
    print(
        f"UNSURE_BELOW {UNSURE_BELOW}: right top breeds flagged "
        f"{sum(u for u, *_ in flagged[True])}/{len(flagged[True])} (weakest right: "
        f"{weakest[1]:.1%}, {weakest[2]}), wrong ones flagged "
        f"{sum(u for u, *_ in flagged[False])}/{len(flagged[False])}"
    )


if __name__ == "__main__":
    main()
