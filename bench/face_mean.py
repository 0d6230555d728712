"""Which blob mean detects faces better: OpenCV's (104, 177, 123) or the course's (104, 117, 123)?

Runs both res10 models with both means on the real photos in ../shared/assets/photos/faces and
prints, per photo, the faces found against the true count (labels.csv). Totals:
  found   = sum over face photos of min(detections, true faces)
  extra   = detections beyond the true count on face photos (labels have counts, not boxes)
  false   = detections on the photos without people
at the given threshold (default 0.5).

    python bench/face_mean.py [--threshold 0.5]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
PHOTOS = REPO.parent / "shared" / "assets" / "photos"
os.environ.setdefault("VISION_AGENT_MODEL_PATH", str(PHOTOS.parent))

from vision_agent.core.faces import COURSE_MEAN, TRAINING_MEAN  # noqa: E402
from vision_agent.core.imageio import read_image  # noqa: E402
from vision_agent.engine.registry_models import face_detector  # noqa: E402

MODELS = ("res10_caffe_fp32", "res10_tf_uint8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args()
    with (PHOTOS / "labels.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["kind"] in ("face", "noface")]
    images = {r["file"]: read_image(PHOTOS / r["file"]) for r in rows}
    columns = [(m, mean) for m in MODELS for mean in (TRAINING_MEAN, COURSE_MEAN)]
    counts: dict[tuple, list[int]] = {}
    for model_id, mean in columns:
        detector = face_detector(model_id, mean=mean)
        counts[(model_id, mean)] = [
            len(detector.detect(images[r["file"]], args.threshold).faces) for r in rows
        ]
    names = [f"{m.split('_')[1]} g={int(mean[1])}" for m, mean in columns]
    print(f"threshold {args.threshold}; cells: faces found / true faces")
    print(f"{'photo':38s} " + " ".join(f"{n:>11s}" for n in names))
    for i, r in enumerate(rows):
        true = int(r["faces"])
        cells = " ".join(f"{counts[c][i]:>8d}/{true:<2d}" for c in columns)
        print(f"{Path(r['file']).name:38s} {cells}")
    print()
    for name, column in zip(names, columns, strict=True):
        found = extra = false = total = 0
        for i, r in enumerate(rows):
            true, got = int(r["faces"]), counts[column][i]
            if r["kind"] == "face":
                total += true
                found += min(got, true)
                extra += max(0, got - true)
            else:
                false += got
        print(
            f"{name:14s} found {found}/{total} ({found / total:.0%}), extra on face photos "
            f"{extra}, on no-face photos {false}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
