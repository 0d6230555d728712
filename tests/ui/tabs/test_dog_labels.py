"""The top breeds drawn over the dog photo can hide the dog: the student hides them (a check box,
or L wherever the focus is), and the tab opens the same way next time (the settings table)."""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QApplication

from tests.support.paths import asset
from tests.ui.tabs.test_dog_tab import _wait_result, tab  # noqa: F401  (the fixture)
from vision_agent.core.imageio import read_image
from vision_agent.ui.settings import app_settings
from vision_agent.ui.tabs.dog_tab import DogTab

PHOTO = asset("photos", "dogs", "Beagle_01141.jpg")


def test_l_hides_the_top_breeds_over_the_photo_and_the_choice_is_kept(qtbot, tab):
    tab.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tab)
    tab.photos.open_paths([PHOTO])
    _wait_result(qtbot, tab)
    assert tab.view.labels() is not None and tab.breeds.labels_check.isChecked()
    try:
        tab.folder_button.setFocus()
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key_L)
        assert tab.view.labels() is None and not tab.breeds.labels_check.isChecked()
        # the photo itself stays, without anything drawn into it
        shown = tab.view.image()
        assert (shown.width(), shown.height()) == read_image(PHOTO).shape[1::-1]
        assert app_settings().value("dogs/labels_shown") is False
        # Save still writes the photo with its labels: the toggle is about the screen
        assert tab.controller.result.annotated is not None
        again = DogTab()
        qtbot.addWidget(again)
        assert not again.breeds.labels_check.isChecked()
        again.shutdown()
        tab.photos.open_paths([asset("photos", "dogs", "Samoyed_pytorch_hub.jpg")])
        _wait_result(qtbot, tab)
        assert tab.view.labels() is None
        tab.breeds.labels_check.click()
        assert tab.view.labels() is not None
    finally:
        app_settings().setValue("dogs/labels_shown", True)


def test_the_imagenet_tab_keeps_its_labels_choice_too(qtbot):
    from vision_agent.ui.tabs.classifier_tab import ClassifierTab

    first = ClassifierTab()
    qtbot.addWidget(first)
    try:
        assert first.results.labels_check.isChecked()
        first.results.labels_check.click()
        again = ClassifierTab()
        qtbot.addWidget(again)
        assert not again.results.labels_check.isChecked()
        again.shutdown()
    finally:
        first.shutdown()
        app_settings().setValue("classifier/labels_shown", True)
