"""The ImageNet top-5 tab driven like a user: open, drop, paste, folders, bad files, models,
Grad-CAM, save and copy. MobileNetV2 (ONNX, real weights) for most; ResNet50 with fixed
random weights from a test registry for the Keras path."""

import os
from pathlib import Path

import numpy as np
import pytest
from PyQt5.QtCore import QMimeData, QPoint, Qt, QUrl
from PyQt5.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QImage
from PyQt5.QtWidgets import QApplication

from tests import photo_files
from tests.conftest import ASSETS, asset
from tests.imagenet_models import (
    RESNET50_FILE,
    reference_probabilities,
    registry_with_resnet50,
    save_resnet50_weights,
    top5,
)
from vision_agent.core.imageio import read_image
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.i18n import set_language
from vision_agent.ui.qimage import qimage_to_rgb
from vision_agent.ui.tabs.classifier_tab import PHOTO_ALONE_AFTER_MS, ClassifierTab

TIMEOUT = 60_000


def make_tab(qtbot, model: str) -> ClassifierTab:
    set_language("en")
    tab = ClassifierTab(model=model)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    tab.start()
    return tab


@pytest.fixture
def tab(qtbot):
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    tab = make_tab(qtbot, "mobilenet_v2")
    yield tab
    tab.shutdown()


def wait_for_result(qtbot, tab, name: str) -> None:
    qtbot.waitUntil(
        lambda: tab.result is not None and tab.photo_name == name and not tab._pending_classify,
        timeout=TIMEOUT,
    )


def test_open_a_photo_shows_annotated_photo_chart_model_and_time(qtbot, tab):
    path = asset(*photo_files.ROBIN)
    tab.open_paths([path])
    wait_for_result(qtbot, tab, path.name)
    result = tab.result
    assert result.top[0].index == photo_files.ROBIN_CLASS
    assert tab.chart.names == [s.label for s in result.top]
    assert tab.chart.values == pytest.approx([s.probability for s in result.top])
    assert "MobileNetV2" in tab.model_label.text() and " ms" in tab.model_label.text()
    assert np.array_equal(qimage_to_rgb(tab.view.image()), tab.photo)
    labels = tab.view.labels()
    assert (labels.width(), labels.height()) == result.labels.pixels.shape[1::-1]
    assert not tab.file_list.isVisible()
    assert not tab.cam_check.isEnabled()  # Grad-CAM needs a Keras model
    assert tab.save_button.isEnabled() and tab.copy_button.isEnabled()


def test_a_quick_result_is_not_replaced_by_the_bare_photo(qtbot, tab):
    """The photo appears with its labels; the bare photo, kept for slow results, stays away."""
    path = asset(*photo_files.ROBIN)
    tab.open_paths([path])
    wait_for_result(qtbot, tab, path.name)
    qtbot.wait(PHOTO_ALONE_AFTER_MS + 150)
    assert np.array_equal(qimage_to_rgb(tab.view.image()), tab.photo)
    assert tab.view.labels() is not None


def test_a_photo_whose_labels_are_slow_shows_alone_meanwhile(qtbot, tab):
    slow = RecognizerSpec("tests.fake_recognizers:Sleeper", {"load_seconds": 5}, label="slow")
    tab.service.load(slow)
    photo = read_image(asset(*photo_files.ROBIN))
    tab.show_photo(photo, "robin")
    assert tab.view.image() is None  # not yet: its labels may come at once
    qtbot.waitUntil(lambda: tab.view.image() is not None, timeout=3000)
    shown = tab.view.image()
    assert (shown.width(), shown.height()) == photo.shape[1::-1] and tab.result is None
    assert tab.view.labels() is None
    assert not tab.save_button.isEnabled()


def test_a_folder_opens_as_a_browsable_list(qtbot, tab):
    folder = asset("photos", "objects")
    tab.open_paths([folder])
    names = sorted(p.name for p in folder.iterdir())
    assert tab.file_list.isVisible() and tab.file_list.count() == len(names)
    wait_for_result(qtbot, tab, names[0])
    tab.file_list.setCurrentRow(names.index("jellyfish_jetson.jpg"))
    wait_for_result(qtbot, tab, "jellyfish_jetson.jpg")
    assert tab.result.top[0].label == "jellyfish"


def test_a_new_photo_supersedes_the_one_in_flight(qtbot, tab):
    folder = asset("photos", "dogs")
    photos = sorted(folder.iterdir())[:6]
    for path in photos:  # the user flicks through six photos faster than they classify
        tab.open_paths([path])
    last = photos[-1]
    wait_for_result(qtbot, tab, last.name)
    expected = tab.result.top[0].index
    qtbot.wait(500)  # late answers for earlier photos must not replace it
    assert tab.photo_name == last.name and tab.result.top[0].index == expected
    assert tab.result.top[0].label == "Chihuahua" or last.name != "Chihuahua_advex.jpg"


def test_dropping_files_on_the_photo(qtbot, tab):
    path = asset(*photo_files.BANANA)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    center = QPoint(tab.view.width() // 2, tab.view.height() // 2)
    for kind in (QDragEnterEvent, QDragMoveEvent, QDropEvent):  # what a real drag delivers
        event = kind(center, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
        QApplication.sendEvent(tab.view, event)
        assert event.isAccepted() or kind is QDragMoveEvent
    wait_for_result(qtbot, tab, path.name)
    assert tab.result.top[0].label == "banana"


def test_pasting_an_image(qtbot, tab):
    rgb = read_image(asset(*photo_files.ROBIN))
    h, w, _ = rgb.shape
    QApplication.clipboard().setImage(QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy())
    tab.paste()
    wait_for_result(qtbot, tab, "pasted image")
    assert tab.result.top[0].index == photo_files.ROBIN_CLASS


@pytest.mark.parametrize(
    "make",
    [
        photo_files.exif_rotated,
        photo_files.gray,
        photo_files.gray16,
        photo_files.rgba,
        photo_files.huge,
        photo_files.korean_path,
        lambda folder: photo_files.in_format(folder, ".webp"),
        lambda folder: photo_files.in_format(folder, ".tif"),
    ],
    ids=["exif", "gray", "16bit", "rgba", "huge", "korean", "webp", "tiff"],
)
def test_awkward_photos_are_classified(qtbot, tab, tmp_path, make):
    path = make(tmp_path)
    tab.open_paths([path])
    wait_for_result(qtbot, tab, path.name)
    assert len(tab.result.top) == 5
    assert max(tab.photo.shape[:2]) <= 1600  # huge photos are read reduced
    if path.name.startswith("rotated"):
        assert tab.photo.shape == read_image(asset(*photo_files.ROBIN)).shape  # upright again
        assert tab.result.top[0].index == photo_files.ROBIN_CLASS


@pytest.mark.parametrize("kind", ["empty", "truncated", "not_an_image", "random_bytes"])
def test_unreadable_file_says_so_and_the_next_photo_works(qtbot, tab, tmp_path, kind):
    broken = photo_files.broken_files(tmp_path)[kind]
    tab.open_paths([broken])
    qtbot.waitUntil(lambda: broken.name in tab.view.placeholder(), timeout=TIMEOUT)
    assert tab.view.image() is None and tab.result is None
    good = asset(*photo_files.BANANA)
    tab.open_paths([good])
    wait_for_result(qtbot, tab, good.name)


def test_save_the_annotated_image_and_copy_the_results(qtbot, tab, tmp_path):
    path = asset(*photo_files.BANANA)
    tab.open_paths([path])
    wait_for_result(qtbot, tab, path.name)
    target = tmp_path / "결과" / "바나나_top5"
    target.parent.mkdir()
    assert tab.save_annotated_to(target)
    saved = read_image(target.with_suffix(".png"))
    assert np.array_equal(saved, tab.result.annotated(tab.photo))
    assert max(saved.shape[:2]) >= 720  # the labels drawn at a legible size
    tab.copy_results()
    text = QApplication.clipboard().text()
    assert text.startswith(path.name) and "banana\t" in text


def test_a_missing_model_says_so_and_offers_the_download(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", str(tmp_path))
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
    tab = make_tab(qtbot, "googlenet")
    try:
        panel = tab.download_panel
        qtbot.waitUntil(lambda: panel.isVisible(), timeout=TIMEOUT)
        assert "bvlc_googlenet.caffemodel" in panel.message_label.text()
        assert panel.download_button.isVisible() and panel.download_button.isEnabled()
        assert "not available" in tab.model_label.text()
        tab.open_paths([asset(*photo_files.BANANA)])  # a photo without a model: no crash
        qtbot.waitUntil(lambda: tab.photo is not None, timeout=TIMEOUT)
        assert tab.result is None
    finally:
        tab.shutdown()


@pytest.fixture
def resnet_store(monkeypatch, tmp_path):
    """ResNet50 'installed' in the store: fixed random weights under Keras's file name."""
    folder = tmp_path / "models"
    folder.mkdir()
    weights = save_resnet50_weights(folder / RESNET50_FILE)
    monkeypatch.setenv("VISION_AGENT_REGISTRY", str(registry_with_resnet50(tmp_path, weights)))
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", f"{folder}{os.pathsep}{ASSETS}")
    return weights


def test_resnet50_from_the_store_with_gradcam(qtbot, resnet_store, tmp_path):
    import keras

    photo = asset("photos", "dogs", "Beagle_01141.jpg")
    expected = reference_probabilities(
        keras.applications.ResNet50(weights=str(resnet_store)), photo
    )
    tab = make_tab(qtbot, "resnet50")
    try:
        assert "TensorFlow" in tab.model_label.text()  # says why the first answer takes a while
        tab.open_paths([photo])
        wait_for_result(qtbot, tab, photo.name)
        assert [s.index for s in tab.result.top] == top5(expected)
        assert np.abs(tab.result.probabilities - expected).max() < 1e-4
        assert tab.cam_check.isEnabled()
        plain = tab.annotated_image()
        tab.cam_check.setChecked(True)
        qtbot.waitUntil(lambda: tab.heat is not None, timeout=TIMEOUT)
        assert tab.heat.shape == tab.photo.shape[:2]
        assert tab.view.overlay() is not None
        assert tab.cam_class_combo.count() == 5
        tab.opacity_slider.setValue(80)
        assert tab.view._overlay_opacity == pytest.approx(0.8)
        assert not np.array_equal(tab.annotated_image(), plain)
        tab.cam_class_combo.setCurrentIndex(2)
        tab.cam_class_combo.activated.emit(2)  # what choosing the class in the list sends
        assert tab._pending_cam is not None
        qtbot.waitUntil(lambda: tab._pending_cam is None, timeout=TIMEOUT)
        tab.cam_check.setChecked(False)
        assert tab.view.overlay() is None
        messages = []
        tab.sig_status_message.connect(messages.append)
        tab.cam_check.setChecked(True)
        tab.load_model("mobilenet_v2")  # no Grad-CAM there: the toggle turns off, no error
        assert not tab.cam_check.isChecked() and not tab.cam_check.isEnabled()
        qtbot.waitUntil(lambda: tab.result is not None, timeout=TIMEOUT)
        assert not any("failed" in m for m in messages)
    finally:
        tab.shutdown()


def test_switching_models_reclassifies_the_photo(qtbot, tab):
    path = asset(*photo_files.BANANA)
    tab.open_paths([path])
    wait_for_result(qtbot, tab, path.name)
    assert tab.model_combo.findData("googlenet") >= 0 and tab.model_combo.findData("resnet50") >= 0
    tab.load_model(
        "mobilenet_v2",
        Path(asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")),
    )
    qtbot.waitUntil(lambda: tab.result is not None, timeout=TIMEOUT)
    assert tab.result.model.endswith("mobilenetv2-12-int8.onnx")
    assert tab.result.top[0].label == "banana"


def test_korean_ui(qtbot, tab):
    try:
        set_language("ko")
        tab.retranslate_ui()
        assert tab.title() == "ImageNet 상위 5"
        assert tab.open_button.text() == "사진 열기…"
        assert tab.model_combo.itemText(0) == "ResNet50 (Keras)"
        assert tab.model_combo.currentData() == "mobilenet_v2"  # the choice survives
    finally:
        set_language("en")
        tab.retranslate_ui()
    assert tab.open_button.text() == "Open photo…"
