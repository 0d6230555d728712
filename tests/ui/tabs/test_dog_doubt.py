"""A weak top breed is stated with doubt: "Not sure: A or B?", in orange, with the alternatives,
as the postal tab does for an unsure digit; a clear breed is stated plainly."""

from __future__ import annotations

import cv2
import numpy as np

from tests.support.paths import asset
from tests.ui.tabs.test_dog_tab import _wait_result, tab  # noqa: F401  (the fixture)
from vision_agent.core.imageio import read_image, write_image


def double_exposure(tmp_path):
    """A beagle and a Samoyed in one frame, half each: a dog, but no one breed."""
    dogs = [
        asset("photos", "dogs", name) for name in ("Beagle_01141.jpg", "Samoyed_pytorch_hub.jpg")
    ]
    a, b = (cv2.resize(read_image(p), (300, 300)) for p in dogs)
    path = tmp_path / "two_dogs.png"
    write_image(path, ((a.astype(np.uint16) + b) // 2).astype(np.uint8))
    return path


def test_a_weak_top_breed_says_not_sure_with_the_alternatives(qtbot, tab, tmp_path):
    tab.photos.open_paths([double_exposure(tmp_path)])
    _wait_result(qtbot, tab)
    result = tab.controller.result
    assert result.is_dog and result.top[0].probability < 0.5
    verdict = tab.breeds.verdict_label.text()
    first, second = result.top[0].breed, result.top[1].breed
    assert verdict.startswith("Not sure:") and first in verdict and second in verdict
    assert "c05000" in tab.breeds.verdict_label.styleSheet()  # orange, as a doubt
    tab.photos.open_paths([asset("photos", "dogs", "Beagle_01141.jpg")])
    _wait_result(qtbot, tab)
    assert tab.breeds.verdict_label.text().startswith("beagle")


def test_no_breed_of_the_last_photo_stays_while_the_next_is_recognized(qtbot, tab):
    tab.photos.open_paths([asset("photos", "dogs", "Beagle_01141.jpg")])
    _wait_result(qtbot, tab)
    assert tab.breeds.chart.names
    tab.photos.open_paths([asset("photos", "dogs", "Samoyed_pytorch_hub.jpg")])
    assert tab.controller.is_busy()
    assert tab.breeds.chart.names == [] and "Recognizing" in tab.breeds.verdict_label.text()
    _wait_result(qtbot, tab)
    assert tab.breeds.chart.names[0] == "Samoyed"
