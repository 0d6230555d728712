"""How often the dog tab says "not sure": the top breed's share on the shared dog photos.

For each dog photo in ../shared/assets/photos/labels.csv, the top breed, its share of the breed
probabilities and whether it is the labelled breed; then how many right answers `UNSURE_BELOW`
flags (they should be few) and how many wrong ones it flags (they should be many).

    python bench/dog_doubt.py [--classifier mobilenet_v2_int8]
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

from vision_agent.core.dogs import UNSURE_BELOW, ImageNetDogRecognizer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", default="mobilenet_v2_int8")
    args = parser.parse_args()
    recognizer = ImageNetDogRecognizer.from_model_id(args.classifier)
    right, wrong = [], []
    with open(ASSETS / "photos" / "labels.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] != "dog":
                continue
            result = recognizer.recognize_file(ASSETS / "photos" / row["file"])
            best = result.top[0]
            ok = best.breed.replace(" ", "_").lower() == row["label"].lower()
            (right if ok else wrong).append(result.unsure)
            verdict = "ok" if ok else "WRONG"
            print(f"{row['file']:40s} {best.breed:24s} {best.probability:6.1%} {verdict}")
    print(f"UNSURE_BELOW {UNSURE_BELOW}: right answers flagged {sum(right)}/{len(right)}, "
          f"wrong answers flagged {sum(wrong)}/{len(wrong)}")  # fmt: skip


if __name__ == "__main__":
    main()
