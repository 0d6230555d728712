"""Downloads in the window: only on the user's click, and Cancel or closing act at once.

Every registry address points at a real local server that trickles, stays silent or serves the
file; the model search path is empty and only the digit model ships, so no other model is on this
computer.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.support.model_server import only_digits_shipped, served_registry
from vision_agent.controllers.choices import CLASSIFIER_MODEL_KEY
from vision_agent.ui.settings import app_settings

PROMPT_S = 5.0  # the design answers within 0.1 s; a stalled read used to hold 60 s or forever


@pytest.fixture
def route_registry(tmp_path, monkeypatch, model_server):
    """Point the shipped registry's addresses at `model_server`'s ROUTE; returns a setter."""
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
    # MobileNetV2 and the res10 uint8 face model ship with the app: here they are downloads too
    models = json.loads(only_digits_shipped(tmp_path).read_text(encoding="utf-8"))["models"]

    def use(route: str) -> None:
        path = served_registry(tmp_path, lambda _id, name: model_server.url(route, name), models)
        monkeypatch.setenv("VISION_AGENT_REGISTRY", str(path))

    return use


def test_dog_and_face_tabs_download_nothing_at_launch(qtbot, model_server, route_registry):
    from vision_agent.ui.tabs.dog_tab import DogTab
    from vision_agent.ui.tabs.face_tab import FaceCamTab

    route_registry("good")
    app_settings().setValue(CLASSIFIER_MODEL_KEY, "mobilenet_v2")
    dog, face = DogTab(), FaceCamTab()
    for tab in (dog, face):
        qtbot.addWidget(tab)
        tab.show()
        tab.start()
    panels = (dog.model_status.panel, face.model_status.panel)
    try:
        qtbot.waitUntil(
            lambda: sum(model_server.requests.values()) > 0 or all(p.isVisible() for p in panels),
            timeout=20000,
        )
        # Both loads have ended (a load never downloads) and no panel is downloading.
        assert not any(panel.is_downloading() for panel in panels)
        assert sum(model_server.requests.values()) == 0, "nothing is fetched without a click"
        for tab in (dog, face):
            assert tab.model_status.panel.isVisible()
            assert tab.model_status.panel.download_button.isVisible()
        assert "mobilenet" in dog.model_status.panel.message_label.text().lower()
        assert dog.model_status.line.text() == face.model_status.line.text() == ""  # said once

        dog.model_status.panel.download_button.click()  # the user's click: now it downloads
        qtbot.waitUntil(lambda: model_server.requests["good"] >= 1, timeout=10000)
    finally:
        for tab in (dog, face):
            tab.shutdown()


@pytest.mark.parametrize("route", ["trickle", "silent"])
def test_cancel_in_the_dog_tab_takes_effect_at_once(qtbot, model_server, route_registry, route):
    from vision_agent.ui.tabs.dog_tab import DogTab

    route_registry(route)
    app_settings().setValue(CLASSIFIER_MODEL_KEY, "mobilenet_v2")
    tab = DogTab()
    qtbot.addWidget(tab)
    tab.show()
    tab.start()
    panel = tab.model_status.panel
    try:
        qtbot.waitUntil(lambda: panel.download_button.isVisible(), timeout=20000)
        panel.download_button.click()
        qtbot.waitUntil(lambda: model_server.requests[route] == 1, timeout=10000)
        assert panel.cancel_button.isVisible() and panel.is_downloading()
        time.sleep(0.5)
        cancelled_at = time.monotonic()
        panel.cancel_button.click()
        qtbot.waitUntil(lambda: panel.download_button.isVisible(), timeout=PROMPT_S * 1000)
        assert time.monotonic() - cancelled_at < PROMPT_S
        assert panel.message_label.text() == "Download cancelled."
        assert not panel.cancel_button.isVisible()
    finally:
        tab.shutdown()


@pytest.mark.parametrize("route", ["trickle", "silent"])
def test_closing_the_window_during_a_stalled_download_is_prompt(
    qtbot, model_server, route_registry, route
):
    from vision_agent.ui.main_window import MainWindow

    route_registry(route)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    classifier = window.page(2)
    classifier.controller.load_model("mobilenet_v2")
    button = classifier.model_status.panel.download_button
    qtbot.waitUntil(lambda: button.isVisibleTo(classifier), timeout=20000)
    button.click()
    qtbot.waitUntil(lambda: model_server.requests[route] == 1, timeout=10000)
    time.sleep(0.5)
    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < PROMPT_S


def test_my_classes_offers_the_weights_a_strategy_needs_and_fetches_them_on_a_click(
    qtbot, model_server, route_registry, tmp_path
):
    import os
    from pathlib import Path

    from tests.support.model_server import PAYLOAD, PAYLOAD_SHA256
    from vision_agent.ui.tabs.own_classes_tab import OwnClassesTab

    route_registry("good")
    served = Path(os.environ["VISION_AGENT_REGISTRY"])
    data = json.loads(served.read_text(encoding="utf-8"))
    for model in data["models"]:  # the server's bytes stand in for DenseNet121's weights
        if model["id"] == "densenet121_imagenet_notop":
            model["files"]["weights"].update(hash=PAYLOAD_SHA256, size=len(PAYLOAD))
    served.write_text(json.dumps(data), encoding="utf-8")
    tab = OwnClassesTab(project=tmp_path / "project")
    qtbot.addWidget(tab)
    tab.show()
    tab.start()
    panel = tab.weights_status.panel
    try:
        # Strategy (3) on the shipped MobileNetV2, which this build lacks: its panel.
        qtbot.waitUntil(panel.isVisible, timeout=20000)
        assert "MobileNetV2 int8" in panel.message_label.text()
        tab.partial_radio.setChecked(True)  # (2) on DenseNet121: its no-top weights
        tab.backbone_combo.setCurrentIndex(tab.backbone_combo.findData("densenet121"))
        qtbot.waitUntil(lambda: "DenseNet121" in panel.message_label.text(), timeout=10000)
        assert panel.download_button.isVisible()
        assert "not on this computer yet" in tab.network.totals_text()
        assert sum(model_server.requests.values()) == 0, "nothing is fetched without a click"

        with qtbot.waitSignal(panel.sig_downloaded, timeout=60000):
            panel.download_button.click()
        assert model_server.requests["good"] == 1
        qtbot.waitUntil(lambda: not panel.isVisible(), timeout=10000)
        assert tab.controller.missing_model() is None
        # The network is read again, in the training process, from the downloaded file (the
        # server's bytes are no DenseNet121 weights, and the tab says so).
        qtbot.waitUntil(
            lambda: "does not hold the weights" in tab.network.totals_text(), timeout=120000
        )
    finally:
        tab.shutdown()
