"""A first launch with nothing but the app: no model search path, an empty model cache, fresh
settings, every model address pointing at a local server that counts requests (no network).
Every tab answers on a real photo or drawing with the models that ship, none shows the
missing-model panel, and nothing is fetched."""

from __future__ import annotations

from pathlib import Path

from tests.support.model_server import ModelServer, served_registry
from tests.support.offline_window import empty_model_folders
from tests.support.paths import REPO_ROOT, asset
from vision_agent.core.settings import Settings
from vision_agent.core.video_source import SourceSpec
from vision_agent.ui import settings as ui_settings
from vision_agent.ui.main_window import MainWindow

DRAWING = REPO_ROOT / "tests" / "data" / "postal_06236.png"
TIMEOUT = 60_000


def test_every_tab_answers_at_first_launch_without_a_missing_model_panel(
    qtbot, tmp_path: Path, monkeypatch
):
    dog = asset("photos", "dogs", "Beagle_01141.jpg")
    banana = asset("photos", "objects", "banana_jetson_banana_0.jpg")
    face = asset("photos", "faces", "zidane_ultralytics.jpg")
    empty_model_folders(tmp_path, monkeypatch)
    # a first launch: fresh settings (no model chosen, first tab) and data folder
    monkeypatch.setattr(ui_settings, "_settings", [Settings(tmp_path / "settings.json")])
    monkeypatch.setenv("VISION_AGENT_DATA_DIR", str(tmp_path / "data"))
    with ModelServer() as server:
        registry = served_registry(tmp_path, lambda _id, name: server.url("good", name))
        monkeypatch.setenv("VISION_AGENT_REGISTRY", str(registry))
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        window.start_tabs()
        try:
            pages = {type(page).__name__: page for page in window.tab_pages}
            postal, dogs = pages["PostalTab"], pages["DogTab"]
            imagenet, faces = pages["ClassifierTab"], pages["FaceCamTab"]
            for index in range(len(pages)):
                window.tabs.setCurrentIndex(index)
                qtbot.wait(50)

            assert postal.load_drawing(DRAWING)
            qtbot.waitUntil(lambda: postal.controller.service.state == "ready", timeout=TIMEOUT)
            postal.recognize()
            qtbot.waitUntil(lambda: postal.reading is not None, timeout=TIMEOUT)
            assert postal.reading.code == "06236"

            dogs.photos.open_paths([dog])
            qtbot.waitUntil(
                lambda: dogs.controller.result is not None and not dogs.controller.is_busy(),
                timeout=TIMEOUT,
            )
            assert dogs.controller.result.is_dog
            assert dogs.breeds.verdict_label.text().startswith("beagle")

            imagenet.photos.open_paths([banana])
            qtbot.waitUntil(
                lambda: (
                    imagenet.controller.result is not None and not imagenet.controller.is_busy()
                ),
                timeout=TIMEOUT,
            )
            assert imagenet.controller.model == "mobilenet_v2"
            assert imagenet.controller.result.top[0].label == "banana"

            assert faces.controller.model_choice == "res10-tf"
            faces.open_source(SourceSpec.file(face))
            qtbot.waitUntil(lambda: faces.controller.shown is not None, timeout=TIMEOUT)
            assert len(faces.controller.shown.faces) == 2

            panels = [p for p in pages.values() if hasattr(p, "model_status")]
            assert len(panels) >= 3  # dog, ImageNet, face
            for page in panels:
                assert not page.model_status.panel.isVisibleTo(page), type(page).__name__
            assert sum(server.requests.values()) == 0, "nothing is fetched at first launch"
        finally:
            window.close()
