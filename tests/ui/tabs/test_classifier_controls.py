"""The ImageNet tab's controls say what they can do: Grad-CAM's opacity and colour legend only
while a heat map can be shown, and the top-5 labels over the photo can be hidden to see the
subject."""

from __future__ import annotations

from tests.support.offline_window import no_models_here
from tests.support.paths import asset
from tests.ui.tabs.test_classifier_tab import make_tab, tab, wait_for_result  # noqa: F401


def test_the_top5_labels_over_the_photo_can_be_hidden(qtbot, tab):
    photo = asset("photos", "objects", "banana_jetson_banana_0.jpg")
    tab.photos.open_paths([photo])
    wait_for_result(qtbot, tab, photo.name)
    assert tab.view.labels() is not None
    assert not tab.results.opacity_slider.isEnabled()  # no Keras model: no heat map
    assert not tab.results.legend_bar.isVisibleTo(tab)
    tab.results.labels_check.click()
    assert tab.view.labels() is None and tab.view.image() is not None
    tab.results.labels_check.click()
    assert tab.view.labels() is not None


def test_opacity_is_off_while_grad_cam_cannot_be_shown(qtbot, tmp_path, monkeypatch):
    """ResNet50 chosen but not on this computer: a Keras model, yet no heat map to fade."""
    no_models_here(tmp_path, monkeypatch)
    tab = make_tab(qtbot, "resnet50")
    try:
        qtbot.waitUntil(lambda: tab.model_status.panel.isVisibleTo(tab), timeout=20000)
        assert not tab.results.opacity_slider.isEnabled()
        assert not tab.results.legend_bar.isVisibleTo(tab)
    finally:
        tab.shutdown()
