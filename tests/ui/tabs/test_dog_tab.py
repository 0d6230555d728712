"""The dog tab as a user drives it: open, drop, bad files, a model trained in the dialog, and a
"My classes" model whose classes are breeds (ONNX, no TensorFlow)."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PyQt5.QtCore import QMimeData, QPointF, Qt, QUrl
from PyQt5.QtGui import QDropEvent

from tests.support.breed_folders import tiny_stanford_dogs
from tests.support.paths import asset
from tests.support.told_once import places_saying, record_status_bar
from vision_agent.controllers.choices import CLASSIFIER_MODEL_KEY, SharedChoices
from vision_agent.controllers.dogs import MODELS_SETTING
from vision_agent.core.own_breeds import OwnBreedRecognizer
from vision_agent.core.own_classes.dataset import photo_set
from vision_agent.core.own_classes.features import FeatureExtractor
from vision_agent.core.own_classes.train import train_head_only
from vision_agent.engine.registry_models import shipped_backbone
from vision_agent.ui.settings import app_settings
from vision_agent.ui.tabs.dog_tab import DogTab


@pytest.fixture
def tab(qtbot):
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    app_settings().setValue(CLASSIFIER_MODEL_KEY, "mobilenet_v2")
    app_settings().remove(MODELS_SETTING)
    widget = DogTab()
    qtbot.addWidget(widget)
    widget.resize(1100, 600)
    widget.show()
    widget.start()
    yield widget
    widget.shutdown()


def _wait_result(qtbot, tab: DogTab, timeout: int = 60000) -> None:
    qtbot.waitUntil(lambda: not tab.controller.is_busy(), timeout=timeout)


def test_opening_a_dog_photo_shows_its_breed(qtbot, tab: DogTab) -> None:
    tab.photos.open_paths([asset("photos", "dogs", "Golden_retriever_05195.jpg")])
    assert "Recognizing" in tab.breeds.verdict_label.text()
    _wait_result(qtbot, tab)
    assert tab.controller.result is not None and tab.controller.result.is_dog
    assert tab.breeds.verdict_label.text().startswith("golden retriever")
    assert tab.view.image() is not None
    assert tab.controller.service.state == "ready"


def test_dropping_a_non_dog_photo_says_what_it_is(qtbot, tab: DogTab) -> None:
    photo = asset("photos", "objects", "tabby_cat_jetson_cat_1.jpg")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo))])
    drop = QDropEvent(QPointF(50, 50), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    tab.view.dropEvent(drop)  # what Qt calls on a drop (sendEvent skips drags offscreen)
    _wait_result(qtbot, tab)
    assert tab.controller.result.is_dog is False
    assert tab.breeds.verdict_label.text().startswith("No dog found — this looks like")
    assert "cat" in tab.breeds.verdict_label.text() or "tabby" in tab.breeds.verdict_label.text()


def test_bad_files_show_a_message(qtbot, tab: DogTab, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    tab.photos.open_paths([broken])
    _wait_result(qtbot, tab)
    assert tab.controller.result is None
    assert tab.breeds.verdict_label.text() == "Cannot recognize this photo"
    assert "broken.jpg" in tab.breeds.detail_label.text()
    tab.on_files_dropped([tmp_path / "notes.txt"])
    assert "Drop an image file" in tab.breeds.detail_label.text()
    # The tab still works afterwards.
    tab.photos.open_paths([asset("photos", "dogs", "Beagle_01141.jpg")])
    _wait_result(qtbot, tab)
    assert tab.controller.result.top[0].breed == "beagle"


def test_a_wrong_breed_model_is_reported_and_imagenet_stays_available(
    qtbot, tab: DogTab, tmp_path: Path
) -> None:
    model = tmp_path / "cnn_for_stanford_dogs.h5"
    model.write_bytes(b"not hdf5")
    names = tmp_path / "names.json"
    names.write_text('["a", "b"]')
    tab.controller.add_breed_model(model, names)
    assert tab.model_combo.count() == 2
    panel = tab.model_status.panel
    qtbot.waitUntil(lambda: panel.isVisible(), timeout=60000)
    assert "cnn_for_stanford_dogs.h5 could not be loaded" in panel.text()
    assert "Still using ImageNet dog classes (no training)" in panel.text()
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=60000)
    assert tab.model_combo.count() == 1
    assert tab.controller.choice.model is None
    tab.photos.open_paths([asset("photos", "dogs", "Boxer_02426.jpg")])
    _wait_result(qtbot, tab)
    assert tab.controller.result.top[0].breed == "boxer"


def test_train_dialog_trains_and_the_tab_uses_the_model(qtbot, tab: DogTab, tmp_path: Path):
    data = tiny_stanford_dogs(tmp_path / "dogs")
    tab.show_train_dialog()
    dialog = tab._train_dialog
    dialog.data_edit.setText(str(data))
    dialog.out_edit.setText(str(tmp_path / "out"))
    dialog.backbone_combo.setCurrentIndex(2)  # small CNN, no pretrained weights
    dialog.epochs_spin.setValue(1)
    dialog.fine_spin.setValue(1)
    dialog.size_spin.setValue(32)
    dialog.batch_spin.setValue(4)
    events: list = []
    with qtbot.waitSignal(dialog.sig_model_trained, timeout=180000) as trained:
        dialog.start_button.click()
        dialog.slot.sig_event.connect(events.append)
        assert not dialog.start_button.isEnabled() and dialog.cancel_button.isEnabled()
    model_path, classes_path = trained.args
    assert Path(model_path).is_file() and Path(classes_path).is_file()
    assert (tmp_path / "out" / "dog_breeds.history.json").is_file()
    epochs = [e for e in events if e.get("kind") == "epoch"]
    assert [e["phase"] for e in epochs] == ["from scratch", "fine-tune"]
    assert [epoch["epoch"] for epoch in dialog.history] == [1, 2]
    validation = dialog.curves.accuracy.getPlotItem().listDataItems()[1]
    assert len(validation.getData()[0]) == 2
    assert dialog.progress.value() == 1000
    assert dialog.start_button.isEnabled()

    assert tab.controller.choice.model == Path(model_path)
    assert tab.model_combo.currentText() == "dog_breeds.keras"
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=120000)
    photo = tmp_path / "red.png"
    cv2.imwrite(
        str(photo),
        np.dstack([np.zeros((40, 48), np.uint8)] * 2 + [np.full((40, 48), 230, np.uint8)]),
    )
    tab.photos.open_paths([photo])
    _wait_result(qtbot, tab, 120000)
    assert {s.breed for s in tab.controller.result.top} == {
        "Chihuahua",
        "Shih-Tzu",
        "golden retriever",
    }
    assert "Rescaling" in tab.controller.result.preprocessing
    # A new tab (next start of the app) still offers the trained model.
    again = DogTab()
    qtbot.addWidget(again)
    assert again.model_combo.count() == 2
    again.shutdown()


def test_cancel_stops_training(qtbot, tab: DogTab, tmp_path: Path) -> None:
    data = tiny_stanford_dogs(tmp_path / "dogs")
    tab.show_train_dialog()
    dialog = tab._train_dialog
    dialog.data_edit.setText(str(data))
    dialog.out_edit.setText(str(tmp_path / "out"))
    dialog.backbone_combo.setCurrentIndex(2)
    dialog.epochs_spin.setValue(50)
    dialog.size_spin.setValue(32)
    before = set(multiprocessing.active_children())
    dialog.start_button.click()
    # Cancel while the training process is starting TensorFlow (its first event).
    qtbot.waitUntil(lambda: "starting TensorFlow" in dialog.status_label.text(), timeout=60000)
    trainers = set(multiprocessing.active_children()) - before
    assert trainers
    process_service = dialog.slot.service
    dialog.cancel_button.click()
    assert not process_service.is_running()
    assert not dialog.is_running()
    assert "cancelled" in dialog.status_label.text()
    assert dialog.start_button.isEnabled()
    # The training process has ended (joined when its service stopped): nothing can save later.
    assert not trainers & set(multiprocessing.active_children())
    assert not (tmp_path / "out" / "dog_breeds.keras").exists()


def test_train_dialog_needs_a_dataset(qtbot, tab: DogTab) -> None:
    tab.show_train_dialog()
    dialog = tab._train_dialog
    dialog.data_edit.setText("/no/such/folder")
    dialog.start_button.click()
    assert not dialog.is_running()
    assert "dataset folder" in dialog.status_label.text()


def test_every_dog_string_has_a_korean_translation() -> None:
    import re

    from vision_agent.i18n import missing_translations

    root = Path(__file__).resolve().parents[3] / "vision_agent" / "ui"
    texts = []
    sources = (
        root / "tabs" / "dog_tab.py",
        root / "widgets" / "breed_panel.py",
        root / "dialogs" / "train_dogs.py",
        root.parent / "controllers" / "dogs.py",
    )
    for path in sources:
        texts += re.findall(r'tr\(\s*"((?:[^"\\]|\\.)*)"\s*\)', path.read_text(encoding="utf-8"))
    assert len(texts) > 50
    assert missing_translations(texts) == []


def test_korean_tab(qtbot, tab: DogTab) -> None:
    from vision_agent.i18n import set_language

    set_language("ko")
    try:
        tab.retranslate_ui()
        assert tab.open_button.text() == "강아지 사진 열기…"
        assert tab.title() == "견종 인식"
    finally:
        set_language("en")
        tab.retranslate_ui()


def test_dog_tab_follows_the_classifier_chosen_in_the_classifier_tab(qtbot) -> None:
    """Through the shared choices: the model in use there, not a settings side channel."""
    from vision_agent.ui.tabs.classifier_tab import ClassifierTab

    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    app_settings().setValue(CLASSIFIER_MODEL_KEY, "googlenet")  # chosen once, not here now
    shared = SharedChoices(app_settings())
    classifier, dog = ClassifierTab(choices=shared), DogTab(choices=shared)
    for tab in (classifier, dog):
        qtbot.addWidget(tab)
        tab.show()
        tab.start()
    try:
        assert classifier.controller.model == "mobilenet_v2"  # offline: one that is here
        qtbot.waitUntil(lambda: dog.controller.service.state == "ready", timeout=60000)
        assert "MobileNetV2" in dog.model_status.line.text()
        shared.set_imagenet_model("googlenet")  # what the classifier tab does once it loaded
        assert "GoogLeNet" in dog.model_status.line.text()
        qtbot.waitUntil(lambda: dog.model_status.panel.isVisible(), timeout=60000)
        assert dog.model_status.panel.model_id == "googlenet_caffe"
        assert "GoogLeNet" in dog.model_status.panel.message_label.text()
    finally:
        classifier.shutdown()
        dog.shutdown()


def test_a_folder_is_browsed_with_the_arrow_keys_saved_and_copied(qtbot, tab: DogTab, tmp_path):
    """Item 8: what the ImageNet tab has: a folder, the arrow keys, Save image…, Copy results."""
    from PyQt5.QtWidgets import QApplication

    folder = asset("photos", "dogs")
    names = sorted(p.name for p in folder.iterdir())
    tab.activateWindow()  # key shortcuts only reach the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tab)
    tab.on_files_dropped([folder])
    assert tab.photos.isVisible() and tab.photos.count() == len(names)
    _wait_result(qtbot, tab)
    tab.folder_button.setFocus()
    for key, row in ((Qt.Key_Down, 1), (Qt.Key_Down, 2), (Qt.Key_Up, 1)):
        qtbot.keyClick(QApplication.focusWidget(), key)
        _wait_result(qtbot, tab)
        assert tab.controller.photo.name == names[row] and tab.photos.currentRow() == row
    assert tab.breeds.save_button.isEnabled() and tab.breeds.copy_button.isEnabled()
    target = tmp_path / "견종" / "결과"
    target.parent.mkdir()
    assert tab.save_annotated_to(target)
    saved = cv2.imread(str(target.with_suffix(".png")))
    assert saved.shape == tab.controller.result.annotated.shape
    tab.copy_results()
    text = QApplication.clipboard().text()
    best = tab.controller.result.top[0]
    assert text.startswith(names[1]) and f"{best.breed}\t" in text


def test_the_open_dialog_starts_in_the_last_photo_folder(qtbot, tab: DogTab, monkeypatch) -> None:
    from PyQt5.QtWidgets import QFileDialog

    photo = asset("photos", "dogs", "Collie_03797.jpg")
    asked: list = []

    def fake_dialog(parent, caption, folder, filters):
        asked.append((folder, filters))
        return [str(photo)], filters

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(fake_dialog))
    tab.open_button.click()
    _wait_result(qtbot, tab)
    assert tab.controller.result.top[0].breed == "collie"
    tab.open_button.click()
    assert asked[1][0] == str(photo.parent)
    assert "*.jpg" in asked[0][1] and "*.png" in asked[0][1]


# Class names as a user may write them: a Stanford Dogs folder, a Keras label, plain words.
BREED_PHOTOS = {
    "n02111889-Samoyed": "Samoyed_pytorch_hub.jpg",
    "golden_retriever": "Golden_retriever_05195.jpg",
    "beagle": "Beagle_01141.jpg",
}


def own_model(out: Path, classes: dict[str, list[Path]]) -> Path:
    """A "My classes" model trained on `classes` (strategy 3), every photo used for training."""
    extractor = FeatureExtractor(shipped_backbone(), None)
    result = train_head_only(photo_set(classes), extractor, out, epochs=20, validation=0.0)
    return result.files.model


def test_the_dog_tab_recognizes_breeds_with_an_own_model(qtbot, tab, tmp_path):
    tensorflow_before = "tensorflow" in sys.modules
    photos = {name: [asset("photos", "dogs", file)] for name, file in BREED_PHOTOS.items()}
    model = own_model(tmp_path / "breeds", photos)
    tab.controller.add_own_model(model)
    qtbot.waitUntil(
        lambda: tab.controller.service.state == "ready" and tab.controller.choice.model == model,
        timeout=60000,
    )
    assert tab.model_combo.currentText() == "own_classes.onnx"
    assert tab.controller.service.serves_in_process(OwnBreedRecognizer.recognize_file)
    for name, file in BREED_PHOTOS.items():
        tab.photos.open_paths([asset("photos", "dogs", file)])
        _wait_result(qtbot, tab)
        result = tab.controller.result
        assert result.model == "own_classes.onnx" and result.is_dog
        expected = {"n02111889-Samoyed": "Samoyed", "golden_retriever": "golden retriever"}
        assert result.top[0].breed == expected.get(name, name)
        assert tab.breeds.verdict_label.text().startswith(result.top[0].breed)
    assert [t.breed for t in result.top] == ["beagle", "golden retriever", "Samoyed"]
    if not tensorflow_before:  # (an earlier test in this process may have imported it)
        assert "tensorflow" not in sys.modules
    # The choice is kept for the next start.
    assert [Path(m).name for m, _ in app_settings().value(MODELS_SETTING)] == ["own_classes.onnx"]


def test_an_own_model_of_other_classes_is_refused_by_name(qtbot, tab, tmp_path):
    model = own_model(
        tmp_path / "dog_or_not",
        {
            "dog": [asset("photos", "dogs", "Boxer_02426.jpg")],
            "strawberry": [asset("photos", "objects", "strawberry_jetson_strawberry_1.jpg")],
        },
    )
    tab.controller.add_own_model(model)
    panel = tab.model_status.panel
    qtbot.waitUntil(lambda: panel.isVisible(), timeout=60000)
    assert "own_classes.onnx could not be loaded" in panel.text()
    assert "dog, strawberry are not one of its 118 breeds" in panel.text()
    assert "Own model…" in panel.text()
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=60000)
    assert tab.controller.choice.model is None  # still the ImageNet dog classes
    tab.photos.open_paths([asset("photos", "dogs", "Boxer_02426.jpg")])
    _wait_result(qtbot, tab)
    assert tab.controller.result.top[0].breed == "boxer"


def test_a_photo_that_cannot_be_read_is_told_once(qtbot, tab: DogTab, tmp_path: Path) -> None:
    """The reason beside the photo; the status bar says only that there is no result."""
    status_bar = record_status_bar(tab)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    tab.photos.open_paths([broken])
    qtbot.waitUntil(lambda: bool(tab.controller.error), timeout=30000)
    assert places_saying(tab, "damaged or truncated", status_bar) == ["QLabel"]
    assert status_bar[-1] == "No result for broken.jpg."
