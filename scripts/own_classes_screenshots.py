"""Screenshots of the "My classes" tab during and after a run (docs/screenshots/own_classes_*).

Run under an X server with a window manager (Xvfb :99, openbox), DISPLAY set; the screen is
captured with ImageMagick's `import -window root`:

    python scripts/own_classes_screenshots.py OUT_DIR

Dog vs. not dog from ../shared/assets/photos (two photos of each kind kept out for Try it):
run 1 is strategy (3), head only; run 2 strategy (1), MobileNetV2 from scratch, shot while it
trains with run 1 overlaid; then run 1 is picked in the list of runs and tried on a photo it
never saw.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QApplication
from qt_wait import wait_until  # scripts/, beside this file

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT.parent / "shared" / "assets" / "photos"


def shoot(app: QApplication, path: Path) -> None:
    for _ in range(20):
        app.processEvents()
    subprocess.run(["import", "-window", "root", str(path)], check=True)
    print("wrote", path, flush=True)


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv)
    from vision_agent.ui.tabs.own_classes_tab import OwnClassesTab

    project = Path(tempfile.mkdtemp(prefix="own-classes-shots-"))
    tab = OwnClassesTab(project=project)
    tab.resize(1500, 860)
    tab.setWindowTitle("Vision Agent — My classes")
    tab.show()
    tab.start()
    dogs = sorted((PHOTOS / "dogs").iterdir())
    others = sorted(p for kind in ("objects", "faces") for p in (PHOTOS / kind).iterdir())
    c = tab.controller
    c.add_photos(c.add_class("dog"), dogs[:-2])
    c.add_photos(c.add_class("not dog"), others[:-2])
    wait_until(app, lambda: c.network is not None, 60)
    with_runs = len(c.project.runs)
    tab.train_button.click()
    wait_until(app, lambda: len(c.project.runs) > with_runs, 120)

    tab.all_radio.click()
    tab.epochs_spin.setValue(6)
    tab.runs_list.item(0).setCheckState(Qt.Checked)
    tab.train_button.click()
    wait_until(app, lambda: len(c.history) >= 3, 900)
    shoot(app, out / "own_classes_training.png")
    wait_until(app, lambda: not c.training, 900)

    tab.head_radio.click()
    tab.runs_list.item(0).setCheckState(Qt.Checked)
    tab.runs_list.itemClicked.emit(tab.runs_list.item(1))
    wait_until(app, lambda: c.network is not None, 60)
    tab.try_path(dogs[-1])
    wait_until(app, lambda: "%" in tab.try_label.text(), 60)
    shoot(app, out / "own_classes_after_runs.png")
    tab.shutdown()


if __name__ == "__main__":
    main()
