"""Screenshots of every tab in both languages: docs/screenshots/<tab>_<en|ko>.png.

Run under an X server with a window manager (Xvfb + openbox), DISPLAY set; the screen is
captured with ImageMagick's `import -window root`, as a student would see it:

    python scripts/tab_screenshots.py docs/screenshots

A fresh user (settings, profiles and model cache in a temporary folder; the shipped models, and
../shared/assets on the model path), then in each language: the postal code 17101 drawn with the
mouse's strokes and read, a box's correction menu opened with Enter, and inside the network (N); a
beagle and a Samoyed in one frame ("not sure"), a tabby (no dog) and a golden retriever, with its
top breeds and hidden with L, on the dog tab; a folder of object photos on the ImageNet tab; a
group photo on the face tab, with its faces blurred, then camera 99 (there is none); the "My
classes" tab as it opens.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ASSETS = ROOT.parent / "shared" / "assets"
HOME = Path(tempfile.mkdtemp(prefix="vision-agent-shots-"))
os.environ["XDG_CONFIG_HOME"] = str(HOME / "config")
os.environ["VISION_AGENT_DATA_DIR"] = str(HOME / "data")
os.environ["VISION_AGENT_CACHE_DIR"] = str(HOME / "cache")
os.environ.setdefault("VISION_AGENT_MODEL_PATH", str(ASSETS))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PyQt5.QtCore import QEvent, QPoint, Qt  # noqa: E402
from PyQt5.QtGui import QMouseEvent  # noqa: E402
from PyQt5.QtTest import QTest  # noqa: E402
from PyQt5.QtWidgets import QApplication  # noqa: E402
from qt_wait import wait_until  # noqa: E402 (scripts/, beside this file)

from vision_agent.core.imageio import read_image, write_image  # noqa: E402
from vision_agent.core.postal import box_rect  # noqa: E402
from vision_agent.core.video_source import SourceSpec  # noqa: E402
from vision_agent.training.stroke_templates import DIGIT_STROKES  # noqa: E402

PHOTOS = ASSETS / "photos"


def settle(app: QApplication, seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def shoot(app: QApplication, path: Path) -> None:
    settle(app)
    subprocess.run(["import", "-window", "root", str(path)], check=True)
    print("wrote", path, flush=True)


def draw_code(canvas, code: str) -> None:
    """The code's digits as mouse strokes on the canvas (press, moves, release)."""
    for index, char in enumerate(code):
        x, y, _, _ = box_rect(index)
        for stroke in DIGIT_STROKES[int(char)][0]:
            points = []
            for (x0, y0), (x1, y1) in pairwise(stroke):
                points += [(x0 + (x1 - x0) * t / 8, y0 + (y1 - y0) * t / 8) for t in range(8)]
            pixels = [QPoint(round(x + 25 + px * 50), round(y + 12 + py * 76)) for px, py in points]
            for kind, point, buttons in (
                (QEvent.MouseButtonPress, pixels[0], Qt.LeftButton),
                *((QEvent.MouseMove, p, Qt.LeftButton) for p in pixels[1:]),
                (QEvent.MouseButtonRelease, pixels[-1], Qt.NoButton),
            ):
                button = Qt.NoButton if kind == QEvent.MouseMove else Qt.LeftButton
                event = QMouseEvent(kind, point, button, buttons, Qt.NoModifier)
                QApplication.sendEvent(canvas, event)


def two_dogs(folder: Path) -> Path:
    """A beagle and a Samoyed in one frame, half each: a dog, but no one breed."""
    names = ("Beagle_01141.jpg", "Samoyed_pytorch_hub.jpg")
    a, b = (cv2.resize(read_image(PHOTOS / "dogs" / name), (300, 300)) for name in names)
    path = folder / "two_dogs.png"
    write_image(path, ((a.astype(np.uint16) + b) // 2).astype(np.uint8))
    return path


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv)
    from vision_agent.ui.main_window import TAB_KINDS, MainWindow

    index = {kind.class_name: i for i, kind in enumerate(TAB_KINDS)}
    window = MainWindow()
    window.resize(1280, 760)
    window.move(0, 0)
    window.show()
    window.start_tabs()
    blend = two_dogs(HOME)
    for language in ("en", "ko"):
        window.switch_language(language)

        window.tabs.setCurrentIndex(index["PostalTab"])
        postal = window.current_page()
        wait_until(app, lambda p=postal: p.controller.service.state == "ready")
        postal.erase()
        draw_code(postal.canvas, "17101")
        wait_until(app, lambda p=postal: p.reading is not None and "?" not in p.reading.code)
        shoot(app, out / f"postal_{language}.png")
        box = postal.readout.box_buttons.button(1)  # the correction menu, from the keyboard
        box.setFocus(Qt.TabFocusReason)
        QTest.keyClick(box, Qt.Key_Return)
        wait_until(app, postal.readout.correction_menu.isVisible)
        shoot(app, out / f"postal_correction_{language}.png")
        postal.readout.correction_menu.close()
        QTest.keyClick(postal.canvas, Qt.Key_N)  # inside the network, for the chosen box
        wait_until(app, lambda p=postal: p.network_panel.explanation is not None)
        shoot(app, out / f"postal_inside_{language}.png")
        QTest.keyClick(postal.canvas, Qt.Key_N)

        window.tabs.setCurrentIndex(index["DogTab"])
        dogs = window.current_page()
        for photo, name in (
            (blend, "dogs_not_sure"),
            (PHOTOS / "objects" / "tabby_cat_jetson_cat_1.jpg", "dogs_no_dog"),
            (PHOTOS / "dogs" / "Golden_retriever_05195.jpg", "dogs"),
        ):
            dogs.photos.open_paths([photo])
            wait_until(app, lambda d=dogs, p=photo: d.controller.result is not None
                       and d.controller.photo == p and not d.controller.is_busy())  # fmt: skip
            shoot(app, out / f"{name}_{language}.png")
        QTest.keyClick(dogs.open_button, Qt.Key_L)  # the top breeds off the photo, and on again
        shoot(app, out / f"dogs_labels_hidden_{language}.png")
        QTest.keyClick(dogs.open_button, Qt.Key_L)

        window.tabs.setCurrentIndex(index["ClassifierTab"])
        classifier = window.current_page()
        classifier.photos.open_paths([PHOTOS / "objects"])
        wait_until(app, lambda c=classifier: c.controller.result is not None)
        shoot(app, out / f"classifier_{language}.png")

        window.tabs.setCurrentIndex(index["FaceCamTab"])
        faces = window.current_page()
        wait_until(app, lambda f=faces: f.controller.service.state == "ready")
        group = PHOTOS / "faces" / "t1_insightface_group.jpg"
        faces.source_bar.open_file(group)
        wait_until(app, lambda f=faces: f.controller.shown is not None)
        shoot(app, out / f"faces_{language}.png")
        faces.detector_bar.blur_check.setChecked(True)
        settle(app, 2.0)
        shoot(app, out / f"faces_blur_{language}.png")
        faces.detector_bar.blur_check.setChecked(False)
        faces.open_source(SourceSpec.camera(99))  # no such camera: what a student reads
        wait_until(app, lambda f=faces: f.banner.isVisible())
        shoot(app, out / f"faces_no_camera_{language}.png")

        window.tabs.setCurrentIndex(index["OwnClassesTab"])
        own = window.current_page()
        wait_until(app, lambda o=own: o.controller.network is not None
                   or bool(o.controller.network_problem))  # fmt: skip
        shoot(app, out / f"own_classes_{language}.png")
    window.close()


if __name__ == "__main__":
    main()
