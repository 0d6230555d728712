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

from tests.support import photo_files
from tests.support.fake_recognizers import Sleeper
from tests.support.imagenet_models import (
    RESNET50_FILE,
    reference_probabilities,
    registry_with_resnet50,
    save_resnet50_weights,
    top5,
)
from tests.support.paths import ASSETS, asset
from tests.support.settled import all_answered, timers_due_by
from tests.support.told_once import record_status_bar
from vision_agent.controllers.choices import CLASSIFIER_MODEL_KEY
from vision_agent.controllers.classifier import PHOTO_ALONE_AFTER_MS
from vision_agent.core.imageio import read_image
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.i18n import set_language
from vision_agent.ui.qimage import qimage_to_rgb
from vision_agent.ui.settings import app_settings
from vision_agent.ui.tabs.classifier_tab import ClassifierTab

TIMEOUT = 60_000


def make_tab(qtbot, model: str | None, language: str = "en") -> ClassifierTab:
    set_language(language)
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
        lambda: (
            tab.controller.result is not None
            and tab.controller.photo_name == name
            and not tab.controller.is_busy()
        ),
        timeout=TIMEOUT,
    )


def test_open_a_photo_shows_annotated_photo_chart_model_and_time(qtbot, tab):
    path = asset(*photo_files.ROBIN)
    tab.photos.open_paths([path])
    wait_for_result(qtbot, tab, path.name)
    result = tab.controller.result
    assert result.top[0].index == photo_files.ROBIN_CLASS
    assert tab.results.chart.names == [s.label for s in result.top]
    assert tab.results.chart.values == pytest.approx([s.probability for s in result.top])
    assert "MobileNetV2" in tab.model_status.line.text() and " ms" in tab.model_status.line.text()
    assert np.array_equal(qimage_to_rgb(tab.view.image()), tab.controller.photo)
    labels = tab.view.labels()
    assert (labels.width(), labels.height()) == result.labels.pixels.shape[1::-1]
    assert not tab.photos.isVisible()
    assert not tab.results.cam_check.isEnabled()  # Grad-CAM needs a Keras model
    assert tab.results.save_button.isEnabled() and tab.results.copy_button.isEnabled()


def test_a_quick_result_is_not_replaced_by_the_bare_photo(qtbot, tab):
    """The photo appears with its labels; the bare photo, kept for slow results, stays away."""
    path = asset(*photo_files.ROBIN)
    tab.photos.open_paths([path])
    wait_for_result(qtbot, tab, path.name)
    timers_due_by(qtbot, PHOTO_ALONE_AFTER_MS)  # the bare photo's timer would have fired
    assert np.array_equal(qimage_to_rgb(tab.view.image()), tab.controller.photo)
    assert tab.view.labels() is not None


def test_a_photo_whose_labels_are_slow_shows_alone_meanwhile(qtbot, tab):
    slow = RecognizerSpec(Sleeper, {"load_seconds": 5}, label="slow")
    tab.controller.service.load(slow)
    photo = read_image(asset(*photo_files.ROBIN))
    tab.controller.show_photo(photo, "robin")
    assert tab.view.image() is None  # not yet: its labels may come at once
    qtbot.waitUntil(lambda: tab.view.image() is not None, timeout=3000)
    shown = tab.view.image()
    assert (shown.width(), shown.height()) == photo.shape[1::-1] and tab.controller.result is None
    assert tab.view.labels() is None
    assert not tab.results.save_button.isEnabled()


def test_a_folder_opens_as_a_browsable_list(qtbot, tab):
    folder = asset("photos", "objects")
    tab.photos.open_paths([folder])
    names = sorted(p.name for p in folder.iterdir())
    assert tab.photos.isVisible() and tab.photos.count() == len(names)
    wait_for_result(qtbot, tab, names[0])
    tab.photos.setCurrentRow(names.index("jellyfish_jetson.jpg"))
    wait_for_result(qtbot, tab, "jellyfish_jetson.jpg")
    assert tab.controller.result.top[0].label == "jellyfish"


def test_a_new_photo_supersedes_the_one_in_flight(qtbot, tab):
    folder = asset("photos", "dogs")
    photos = sorted(folder.iterdir())[:6]
    for path in photos:  # the user flicks through six photos faster than they classify
        tab.photos.open_paths([path])
    last = photos[-1]
    wait_for_result(qtbot, tab, last.name)
    expected = tab.controller.result.top[0].index
    all_answered(qtbot, tab.controller.service)  # late answers for earlier photos: none replaced it
    assert tab.controller.photo_name == last.name and tab.controller.result.top[0].index == expected
    assert tab.controller.result.top[0].label == "Chihuahua" or last.name != "Chihuahua_advex.jpg"


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
    assert tab.controller.result.top[0].label == "banana"


def test_pasting_an_image(qtbot, tab):
    rgb = read_image(asset(*photo_files.ROBIN))
    h, w, _ = rgb.shape
    QApplication.clipboard().setImage(QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy())
    tab.paste()
    wait_for_result(qtbot, tab, "pasted image")
    assert tab.controller.result.top[0].index == photo_files.ROBIN_CLASS


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
    tab.photos.open_paths([path])
    wait_for_result(qtbot, tab, path.name)
    assert len(tab.controller.result.top) == 5
    assert max(tab.controller.photo.shape[:2]) <= 1600  # huge photos are read reduced
    if path.name.startswith("rotated"):
        assert (
            tab.controller.photo.shape == read_image(asset(*photo_files.ROBIN)).shape
        )  # upright again
        assert tab.controller.result.top[0].index == photo_files.ROBIN_CLASS


@pytest.mark.parametrize("kind", ["empty", "truncated", "not_an_image", "random_bytes"])
def test_unreadable_file_says_so_and_the_next_photo_works(qtbot, tab, tmp_path, kind):
    broken = photo_files.broken_files(tmp_path)[kind]
    tab.photos.open_paths([broken])
    qtbot.waitUntil(lambda: broken.name in tab.view.placeholder(), timeout=TIMEOUT)
    assert tab.view.image() is None and tab.controller.result is None
    good = asset(*photo_files.BANANA)
    tab.photos.open_paths([good])
    wait_for_result(qtbot, tab, good.name)


def test_save_the_annotated_image_and_copy_the_results(qtbot, tab, tmp_path):
    path = asset(*photo_files.BANANA)
    tab.photos.open_paths([path])
    wait_for_result(qtbot, tab, path.name)
    target = tmp_path / "결과" / "바나나_top5"
    target.parent.mkdir()
    assert tab.save_annotated_to(target)
    saved = read_image(target.with_suffix(".png"))
    assert np.array_equal(saved, tab.controller.result.annotated(tab.controller.photo))
    assert max(saved.shape[:2]) >= 720  # the labels drawn at a legible size
    tab.copy_results()
    text = QApplication.clipboard().text()
    assert text.startswith(path.name) and "banana\t" in text


def test_a_missing_model_says_so_and_offers_the_download(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", str(tmp_path))
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
    tab = make_tab(qtbot, "googlenet")
    try:
        panel = tab.model_status.panel
        qtbot.waitUntil(lambda: panel.isVisible(), timeout=TIMEOUT)
        text = panel.message_label.text()
        assert text.startswith(
            "GoogLeNet (Caffe, the course's OpenCV classifier) is not on this computer "
            "(53.6 MB to download)."
        )
        assert "Click Download, or Import from folder…" in text and "vision-agent" not in text
        assert panel.download_button.isVisible() and panel.download_button.isEnabled()
        assert panel.model_id == "googlenet_caffe"
        assert tab.model_status.line.text() == ""  # said once, in the panel
        tab.photos.open_paths([asset(*photo_files.BANANA)])  # a photo without a model: no crash
        qtbot.waitUntil(lambda: tab.controller.photo is not None, timeout=TIMEOUT)
        assert tab.controller.result is None
    finally:
        tab.shutdown()


def test_a_korean_start_says_what_is_missing_in_korean(qtbot, monkeypatch, tmp_path):
    """Item 7: the missing-model message follows the UI's language, and names no command."""
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", str(tmp_path))
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
    tab = make_tab(qtbot, "googlenet", language="ko")
    try:
        panel = tab.model_status.panel
        qtbot.waitUntil(lambda: panel.isVisible(), timeout=TIMEOUT)
        text = panel.message_label.text()
        assert "이 컴퓨터에 없습니다" in text and "vision-agent" not in text
        assert tab.model_status.line.text() == ""
        set_language("en")
        tab.retranslate_ui()  # a live switch redoes the message
        assert "is not on this computer" in panel.message_label.text()
    finally:
        set_language("en")
        tab.shutdown()


def test_arrow_keys_browse_the_folder_wherever_the_focus_is(qtbot, tab):
    """Item 1: after Open folder…, the arrow keys go through the photos; never to the models."""
    folder = asset("photos", "objects")
    names = sorted(p.name for p in folder.iterdir())
    tab.activateWindow()  # key shortcuts only reach the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tab)
    tab.photos.open_paths([folder])
    wait_for_result(qtbot, tab, names[0])
    steps = [
        (tab.folder_button, Qt.Key_Down, 1),  # the focus stays on the button just clicked
        (None, Qt.Key_Down, 2),  # wherever the focus is now
        (tab.model_combo, Qt.Key_Down, 3),  # a click left the focus on the model list
        (tab.view, Qt.Key_Up, 2),
        (tab.photos, Qt.Key_Right, 3),
        (tab.view, Qt.Key_Left, 2),
    ]
    for widget, key, row in steps:
        if widget is not None:
            widget.setFocus()
        qtbot.keyClick(QApplication.focusWidget(), key)
        wait_for_result(qtbot, tab, names[row])
        assert tab.photos.currentRow() == row
        assert tab.controller.model == "mobilenet_v2"
        assert tab.model_combo.currentData() == "mobilenet_v2"
    assert tab.controller.service.state == "ready"
    tab.network_button.setChecked(True)  # a list made for arrow keys keeps them
    layers = tab.network_panel.layer_list
    qtbot.waitUntil(lambda: layers.count() > 2, timeout=TIMEOUT)
    layers.setCurrentRow(0)
    layers.setFocus()
    qtbot.keyClick(layers, Qt.Key_Down)
    assert layers.currentRow() == 1 and tab.photos.currentRow() == 2


def test_the_model_choice_is_restored_after_a_restart(qtbot):
    """Item 2: the tab opens on the model chosen last time (settings classifier/model)."""
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    app_settings().setValue(CLASSIFIER_MODEL_KEY, "mobilenet_v2")
    tab = make_tab(qtbot, None)
    try:
        assert tab.model_combo.currentData() == "mobilenet_v2"
        qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=TIMEOUT)
        assert "MobileNetV2" in tab.model_status.line.text()
    finally:
        tab.shutdown()


def test_offline_the_tab_opens_on_a_model_that_is_here(qtbot):
    """Item 2: no choice saved: the shipped model, no orange wall, and the model list marks
    what needs a download, with its size."""
    app_settings().remove(CLASSIFIER_MODEL_KEY)
    tab = make_tab(qtbot, None)
    try:
        assert tab.controller.model == "mobilenet_v2"
        qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=TIMEOUT)
        assert not tab.model_status.panel.isVisible()
        combo = tab.model_combo
        captions = {combo.itemData(i): combo.itemText(i) for i in range(combo.count())}
        assert captions["mobilenet_v2"] == "MobileNetV2 int8 (ONNX, fast ImageNet classifier)"
        assert captions["resnet50"] == "ResNet50 (ImageNet, 1000 classes) — download 103.0 MB"
        assert captions["googlenet"] == (
            "GoogLeNet (Caffe, the course's OpenCV classifier) — download 53.6 MB"
        )
    finally:
        tab.shutdown()


def test_choosing_a_missing_model_keeps_the_one_in_use(qtbot, tab):
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=TIMEOUT)
    tab.model_combo.activated.emit(tab.model_combo.findData("googlenet"))
    assert (
        tab.model_status.panel.isVisible() and tab.model_status.panel.model_id == "googlenet_caffe"
    )
    text = tab.model_status.panel.text()
    assert "Still using MobileNetV2 int8 (ONNX, fast ImageNet classifier)." in text
    assert tab.model_combo.currentData() == "mobilenet_v2"
    assert tab.controller.service.state == "ready" and tab.controller.model == "mobilenet_v2"


def test_a_failed_model_keeps_the_previous_one_in_use(qtbot, tab, tmp_path):
    """Item 4: weights that do not load leave the previous model loaded and classifying."""
    path = asset(*photo_files.BANANA)
    tab.photos.open_paths([path])
    wait_for_result(qtbot, tab, path.name)
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    tab.controller.load_model("mobilenet_v2", broken)
    qtbot.waitUntil(lambda: tab.controller.slot.refusal is not None, timeout=TIMEOUT)
    wait_for_result(qtbot, tab, path.name)
    assert tab.controller.result.top[0].label == "banana"
    assert tab.controller.slot.current.key[1] is None  # the model in use has its own weights
    assert "broken" not in tab.model_status.line.text()
    assert "broken.onnx" in tab.model_status.panel.message_label.text()
    assert not tab.model_status.panel.download_button.isVisible()


def test_a_failed_own_keras_model_is_not_listed_and_enables_no_gradcam(qtbot, tab, tmp_path):
    """Item 4: a broken "Own model…" never enters the list, never becomes current."""
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=TIMEOUT)
    broken = tmp_path / "own.h5"
    broken.write_bytes(b"not a Keras file")
    tab.controller.load_model(str(broken))
    for _ in range(2):  # while it loads, and after it failed
        assert tab.model_combo.findData(str(broken)) < 0
        assert tab.model_combo.currentData() == "mobilenet_v2"
        assert not tab.results.cam_check.isEnabled()
        qtbot.waitUntil(lambda: tab.controller.slot.refusal is not None, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=TIMEOUT)
    assert tab.controller.model == "mobilenet_v2"
    assert "own.h5" in tab.model_status.panel.message_label.text()
    assert app_settings().value(CLASSIFIER_MODEL_KEY) != str(broken)


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
        assert (
            "TensorFlow" in tab.model_status.line.text()
        )  # says why the first answer takes a while
        tab.photos.open_paths([photo])
        wait_for_result(qtbot, tab, photo.name)
        assert [s.index for s in tab.controller.result.top] == top5(expected)
        assert np.abs(tab.controller.result.probabilities - expected).max() < 1e-4
        assert tab.results.cam_check.isEnabled()
        plain = tab.annotated_image()
        tab.results.cam_check.setChecked(True)
        qtbot.waitUntil(lambda: tab.controller.heat is not None, timeout=TIMEOUT)
        assert tab.controller.heat.shape == tab.controller.photo.shape[:2]
        assert tab.view.overlay() is not None
        assert tab.results.cam_class_combo.count() == 5
        tab.results.opacity_slider.setValue(80)
        assert tab.view._overlay_opacity == pytest.approx(0.8)
        assert not np.array_equal(tab.annotated_image(), plain)
        tab.results.cam_class_combo.setCurrentIndex(2)
        tab.results.cam_class_combo.activated.emit(2)  # what choosing the class in the list sends
        assert tab.controller._cam
        qtbot.waitUntil(lambda: not tab.controller._cam, timeout=TIMEOUT)
        tab.results.cam_check.setChecked(False)
        assert tab.view.overlay() is None
        messages = []
        tab.sig_status_message.connect(messages.append)
        tab.results.cam_check.setChecked(True)
        tab.controller.load_model("mobilenet_v2")  # no Grad-CAM there: the toggle turns off
        qtbot.waitUntil(lambda: tab.controller.result is not None, timeout=TIMEOUT)
        assert not tab.results.cam_check.isChecked() and not tab.results.cam_check.isEnabled()
        assert not any("failed" in m for m in messages)
    finally:
        tab.shutdown()


def test_switching_models_reclassifies_the_photo(qtbot, tab):
    path = asset(*photo_files.BANANA)
    tab.photos.open_paths([path])
    wait_for_result(qtbot, tab, path.name)
    assert tab.model_combo.findData("googlenet") >= 0 and tab.model_combo.findData("resnet50") >= 0
    tab.controller.load_model(
        "mobilenet_v2",
        Path(asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")),
    )
    qtbot.waitUntil(lambda: tab.controller.result is not None, timeout=TIMEOUT)
    assert tab.controller.result.model.endswith("mobilenetv2-12-int8.onnx")
    assert tab.controller.result.top[0].label == "banana"


def test_korean_ui(qtbot, tab):
    try:
        set_language("ko")
        tab.retranslate_ui()
        assert tab.title() == "ImageNet 상위 5"
        assert tab.open_button.text() == "사진 열기…"
        resnet50 = "ResNet50 (ImageNet 1000개 클래스) — 다운로드 103.0 MB"
        assert tab.model_combo.itemText(0) == resnet50
        assert tab.model_combo.currentData() == "mobilenet_v2"  # the choice survives
    finally:
        set_language("en")
        tab.retranslate_ui()
    assert tab.open_button.text() == "Open photo…"


def test_a_photo_that_cannot_be_read_is_told_once(qtbot, tab, tmp_path):
    """The reason in the picture's place; the status bar says only that there is no result."""
    status_bar = record_status_bar(tab)
    broken = photo_files.broken_files(tmp_path)["not_an_image"]
    tab.photos.open_paths([broken])
    qtbot.waitUntil(lambda: broken.name in tab.view.placeholder(), timeout=TIMEOUT)
    assert all("not an image" not in message for message in status_bar)
    assert status_bar[-1] == f"No result for {broken.name}."
