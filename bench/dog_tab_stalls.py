"""The dog tab's longest GUI stall: loading each recognizer and recognizing the 20 dog photos.

A 5 ms timer on the GUI thread measures the longest gap while the tab (a real DogTab, offscreen)
loads the default recognizer, opens every dog photo, then switches to a DenseNet121 breed model
(`weights=None`, hosted in a child process) and opens them again.

    python bench/dog_tab_stalls.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ASSETS = REPO.parent / "shared" / "assets"
os.environ.setdefault("VISION_AGENT_MODEL_PATH", str(ASSETS))
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="dog-bench-config-")

from postal_latency import StallMeter  # noqa: E402
from PyQt5.QtWidgets import QApplication  # noqa: E402

from vision_agent.ui.tabs.dog_tab import DogTab  # noqa: E402


def wait(app: QApplication, condition, timeout_s: float = 300.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.001)


def run_photos(app: QApplication, tab: DogTab, photos: list[Path]) -> None:
    for photo in photos:
        tab.photos.open_paths([photo])
        wait(app, lambda: not tab.controller.is_busy())


def build_densenet_files(folder: Path) -> None:
    from vision_agent.training.dogs import DogTrainingOptions, build_model

    model, _ = build_model(DogTrainingOptions("", "", backbone_weights="none"), 120)
    model.save(folder / "densenet121_breeds.keras")
    (folder / "classes.json").write_text(json.dumps([f"breed {i}" for i in range(120)]))


def main() -> None:
    app = QApplication([])
    photos = sorted((ASSETS / "photos" / "dogs").glob("*.jpg"))
    meter = StallMeter()
    tab = DogTab()
    tab.resize(1100, 600)
    tab.show()
    meter.start()
    tab.start()
    wait(app, lambda: tab.controller.service.state in ("ready", "failed"))
    run_photos(app, tab, photos)
    print(f"default recognizer: load + {len(photos)} photos, longest stall {meter.stop():.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        # Built in another process: this one stays free of TensorFlow, as the app's window is.
        subprocess.run([sys.executable, __file__, "--build", tmp], check=True)
        model, classes = Path(tmp) / "densenet121_breeds.keras", Path(tmp) / "classes.json"
        meter.start()
        tab.controller.add_breed_model(model, classes)
        wait(app, lambda: tab.controller.service.state in ("ready", "failed"))
        run_photos(app, tab, photos)
        longest = meter.stop()
        print(f"DenseNet121 breed model (child process): load + {len(photos)} photos, "
              f"longest stall {longest:.0f} ms, state {tab.controller.service.state}")  # fmt: skip
        tab.shutdown()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--build"]:
        build_densenet_files(Path(sys.argv[2]))
    else:
        main()
