"""The "My classes" tab, as a user drives it: classes named, photos dropped, Train pressed,
curves and a confusion matrix, Try it, a second run overlaid, Cancel, closing mid-training."""

import json
import multiprocessing

import pytest
from PyQt5.QtCore import QMimeData, QPoint, Qt, QUrl
from PyQt5.QtGui import QDropEvent
from PyQt5.QtWidgets import QMessageBox

from tests.support.class_folders import real_photos
from tests.support.colour_photos import colour_photos
from tests.support.paths import asset
from tests.support.questions import answer_the_question
from tests.support.told_once import places_saying, record_status_bar
from vision_agent.core.own_classes.choice import PLAIN
from vision_agent.ui.main_window import FIRST_SIZE
from vision_agent.ui.tabs.own_classes_tab import THUMB, OwnClassesTab

TRAINING_TIMEOUT_MS = 120_000


@pytest.fixture(autouse=True)
def _mobilenet_available():
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")


@pytest.fixture
def tab(qtbot, tmp_path):
    widget = OwnClassesTab(project=tmp_path / "project")
    qtbot.addWidget(widget)
    widget.show()
    widget.start()
    yield widget
    widget.shutdown()


def drop(widget, paths) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPoint(5, 5), Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier)
    widget.dropEvent(event)


def add_class(qtbot, tab, name: str, photos) -> None:
    qtbot.mouseClick(tab.add_class_button, Qt.LeftButton)
    item = tab.class_list.item(tab.class_list.currentRow())
    tab.class_list.closePersistentEditor(item)
    item.setText(name)  # what typing the name in the list does
    drop(tab, photos)


def train(qtbot, tab) -> None:
    with qtbot.waitSignal(tab.controller.sig_runs_changed, timeout=TRAINING_TIMEOUT_MS):
        qtbot.mouseClick(tab.train_button, Qt.LeftButton)


def test_classes_dropped_trained_tried_and_a_second_run_overlaid(qtbot, tab, tmp_path):
    for name in ("red", "blue"):
        add_class(qtbot, tab, name, colour_photos(tmp_path / name, name, 10))
    assert [c.name for c in tab.controller.classes] == ["red", "blue"]
    assert [len(c.photos) for c in tab.controller.classes] == [10, 10]
    qtbot.waitUntil(lambda: tab.network.summary is not None, timeout=60_000)
    assert tab.network.summary.trainable == (1280 + 1) * 2  # the new head, before training

    train(qtbot, tab)
    assert tab.confusion.counts() == [[2, 0], [0, 2]]
    accuracy_curves = tab.curves.accuracy.getPlotItem().listDataItems()
    assert len(accuracy_curves[0].getData()[0]) == tab.controller.request.epochs
    assert "100.0%" in tab.summary_label.text()
    assert tab.wrong_list.count() == 0

    probe = colour_photos(tmp_path / "probe", "red", 1, seed=9)[0]
    with qtbot.waitSignal(tab.controller.sig_tried, timeout=60_000):
        tab.try_path(probe)
    assert tab.try_label.text().startswith("red ")

    # A run's wrong photos are shown small, read in the model's thread, not the GUI's, each
    # with its caption whole under it (long class names wrap instead of running into the next
    # photo, where they were cut off).
    wrong = {"file": str(probe), "truth": "blue", "predicted": "red", "probability": 0.6}
    long = dict(wrong, truth="golden_retriever", predicted="Labrador_retriever")
    tab.controller.latest_run = dict(tab.controller.latest_run, wrong=[wrong, long])
    tab._show_runs()
    assert tab.wrong_list.item(0).text() == "blue → red"
    qtbot.waitUntil(lambda: not tab.wrong_list.item(1).icon().isNull(), timeout=30_000)
    tab.pages.setCurrentWidget(tab.wrong_list)
    first, second = (tab.wrong_list.visualItemRect(tab.wrong_list.item(k)) for k in (0, 1))
    assert not first.intersects(second)
    metrics = tab.wrong_list.fontMetrics()
    assert second.height() >= first.height() + metrics.lineSpacing()  # a caption line more
    assert second.width() >= metrics.horizontalAdvance("Labrador_retriever")  # a line each

    tab.epochs_spin.setValue(5)
    train(qtbot, tab)
    assert tab.runs_list.count() == 2
    first = tab.runs_list.item(1)  # newest first
    first.setCheckState(Qt.Checked)
    # the head's train and validation, the kept model's level line, run 1's validation
    assert tab.curves.curve_count() == 4
    assert len(curve(tab.curves.accuracy, "run 1").getData()[0]) == 20

    run_1 = tab.runs_list.visualItemRect(tab.runs_list.item(1)).center()
    qtbot.mouseClick(tab.runs_list.viewport(), Qt.LeftButton, pos=run_1)  # its results, model
    assert tab.curves.curve_count() == 4  # the click chose run 1, it did not untick it
    assert tab.summary_label.text().startswith("run 1 ")
    with qtbot.waitSignal(tab.controller.sig_tried, timeout=60_000):
        tab.try_path(probe)
    assert tab.try_label.text().startswith("red ") and tab.try_label.text().endswith("(run 1)")


def test_the_photo_tried_is_shown_with_its_top_classes_and_the_window_does_not_grow(
    qtbot, tab, tmp_path
):
    """Real photos: dogs against objects; a dog photo no run has seen is tried. It is shown
    (as read, with the top classes laid over it) on the "Tried" page, brought to the front;
    the tab asks for no more room than before it was shown (the window's first size holds:
    tests/ui/test_window_size.py)."""
    from vision_agent.core.classify import PHOTO_MAX_SIDE
    from vision_agent.core.imageio import read_image

    dogs, objects = real_photos("dogs"), real_photos("objects")
    add_class(qtbot, tab, "dog", dogs[:-1])
    add_class(qtbot, tab, "object", objects[:-1])
    train(qtbot, tab)
    assert tab.pages.currentIndex() == 0  # the runs and the confusion matrix
    needed = tab.minimumSizeHint()
    with qtbot.waitSignal(tab.controller.sig_tried, timeout=60_000):
        tab.try_path(dogs[-1])
    assert tab.pages.currentWidget() is tab.tried_page and tab.tried_view.isVisible()
    shown, photo = tab.tried_view.image(), read_image(dogs[-1], max_side=PHOTO_MAX_SIDE)
    assert (shown.width(), shown.height()) == (photo.shape[1], photo.shape[0])
    assert tab.tried_view.labels() is not None  # the top classes over the photo
    assert tab.try_label.text().startswith("dog ")
    tab.resize(FIRST_SIZE)  # as large as in the window (whose tab bar and menu it ignores)
    qtbot.waitUntil(lambda: tab.tried_view.image_rect().height() > 2 * THUMB)  # no thumbnail
    assert tab.minimumSizeHint() == needed


def test_runs_come_back_with_the_project(qtbot, tmp_path):
    first = OwnClassesTab(project=tmp_path / "project")
    qtbot.addWidget(first)
    first.start()
    for name in ("red", "blue"):
        first.controller.add_photos(
            first.controller.add_class(name), colour_photos(tmp_path / name, name, 6)
        )
    with qtbot.waitSignal(first.controller.sig_runs_changed, timeout=TRAINING_TIMEOUT_MS):
        first.controller.train()
    first.shutdown()
    again = OwnClassesTab(project=tmp_path / "project")
    qtbot.addWidget(again)
    again.start()
    assert [c.name for c in again.controller.classes] == ["red", "blue"]
    assert again.runs_list.count() == 1
    assert again.confusion.rowCount() == 2
    again.shutdown()


def features_started(tab) -> bool:
    """The training process is computing the photos' features (a few seconds for 200)."""
    return tab.controller.progress.startswith("Features of photo")


def test_cancel_stops_the_training_at_once(qtbot, tab, tmp_path):
    for name in ("red", "blue"):
        add_class(qtbot, tab, name, colour_photos(tmp_path / name, name, 100))
    qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: features_started(tab), timeout=TRAINING_TIMEOUT_MS)
    assert tab.controller.training and multiprocessing.active_children()
    qtbot.mouseClick(tab.cancel_button, Qt.LeftButton)
    assert multiprocessing.active_children() == []
    assert tab.train_button.isEnabled() and not tab.cancel_button.isEnabled()
    assert tab.runs_list.count() == 0


def test_closing_the_window_mid_training_leaves_no_process(qtbot, tmp_path, monkeypatch):
    from vision_agent.ui.main_window import TAB_KINDS, MainWindow
    from vision_agent.ui.settings import app_settings

    monkeypatch.setenv("VISION_AGENT_DATA_DIR", str(tmp_path / "data"))
    app_settings().setValue("window/tab", len(TAB_KINDS) - 1)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.start_tabs()
    tab = window.current_page()
    assert isinstance(tab, OwnClassesTab)
    for name in ("red", "blue"):
        add_class(qtbot, tab, name, colour_photos(tmp_path / name, name, 100))
    qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: features_started(tab), timeout=TRAINING_TIMEOUT_MS)
    assert tab.controller.training and multiprocessing.active_children()
    window.close()
    assert multiprocessing.active_children() == []


def test_held_camera_button_adds_a_burst_of_shots(qtbot, tab):
    from vision_agent.core.video_source import SourceSpec

    tab.camera_spec = SourceSpec.file(asset("photos", "video", "vtest_first150.avi"), loop=True)
    qtbot.mouseClick(tab.add_class_button, Qt.LeftButton)
    qtbot.mousePress(tab.burst_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(tab._burst) >= 3, timeout=20_000)
    qtbot.mouseRelease(tab.burst_button, Qt.LeftButton)
    photos = tab.controller.classes[0].photos
    assert len(photos) >= 3 and all(p.is_file() and p.parent.name == "shots" for p in photos)
    assert tab.photo_list.count() == len(photos)


def test_try_it_on_the_camera_classifies_its_frames(qtbot, tab, tmp_path):
    from vision_agent.core.video_source import SourceSpec

    for name in ("red", "blue"):
        add_class(qtbot, tab, name, colour_photos(tmp_path / name, name, 6))
    train(qtbot, tab)
    still = colour_photos(tmp_path / "camera", "blue", 1, seed=4)[0]
    tab.camera_spec = SourceSpec.file(still)  # a camera that shows one blue picture
    with qtbot.waitSignal(tab.controller.sig_tried, timeout=60_000):
        qtbot.mouseClick(tab.live_button, Qt.LeftButton)
    assert tab.try_label.text().startswith("blue ")
    assert tab.tried_view.image() is not None  # the frame tried, shown
    qtbot.mouseClick(tab.live_button, Qt.LeftButton)
    assert tab._live is None


def test_the_training_cores_messages_are_said_in_the_uis_language(qtbot, tab, tmp_path):
    from vision_agent.core.own_classes.messages import MESSAGES
    from vision_agent.i18n import missing_translations, set_language

    assert missing_translations(list(MESSAGES)) == []
    set_language("ko")
    add_class(qtbot, tab, "red", colour_photos(tmp_path / "red", "red", 4))
    broken = [tmp_path / f"broken_{k}.jpg" for k in range(3)]
    for path in broken:
        path.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    add_class(qtbot, tab, "broken", broken)
    status_bar = record_status_bar(tab)
    with qtbot.waitSignal(tab.controller.sig_error, timeout=TRAINING_TIMEOUT_MS) as error:
        qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    assert error.args == ["No readable photo in class broken."]  # the core's English
    assert tab.progress_label.text() == "분류 broken에 읽을 수 있는 사진이 없습니다."
    assert places_saying(tab, "읽을 수 있는 사진이 없습니다", status_bar) == ["QLabel"]  # once
    assert not any("No readable photo" in message for message in status_bar)  # no English


def test_a_photo_that_cannot_be_read_is_said_on_the_tried_page(qtbot, tab, tmp_path):
    """Tried after a good one: the picture goes, the reason stands where the answer stood, once,
    in the UI's language (it stayed "Classifying …" with the last photo, and the reason, in
    the core's English, went under Train)."""
    from vision_agent.i18n import set_language

    for name in ("red", "blue"):
        add_class(qtbot, tab, name, colour_photos(tmp_path / name, name, 6))
    train(qtbot, tab)
    good = colour_photos(tmp_path / "probe", "red", 1, seed=9)[0]
    with qtbot.waitSignal(tab.controller.sig_tried, timeout=60_000):
        tab.try_path(good)
    set_language("ko")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not an image at all")
    status_bar = record_status_bar(tab)
    with qtbot.waitSignal(tab.controller.sig_try_failed, timeout=60_000):
        tab.try_path(broken)
    assert "이 앱이 읽을 수 있는 이미지" in tab.try_label.text()
    assert tab.tried_view.image() is None and tab.pages.currentWidget() is tab.tried_page
    assert places_saying(tab, "이 앱이 읽을 수 있는 이미지", status_bar) == ["QLabel"]
    assert not any("not an image" in message for message in status_bar)


def curve(plot, name: str):
    return next(i for i in plot.getPlotItem().listDataItems() if i.name() == name)


def test_the_curves_say_they_are_the_heads_and_show_the_kept_models_figures(qtbot, tab, tmp_path):
    for name in ("red", "blue"):
        add_class(qtbot, tab, name, colour_photos(tmp_path / name, name, 10))
    train(qtbot, tab)
    run = tab.controller.latest_run
    assert run["kept"] == PLAIN  # every model right on every photo: a tie, the plain LR kept
    names = [i.name() for i in tab.curves.accuracy.getPlotItem().listDataItems()]
    assert names[:2] == ["head: train", "head: validation"]
    kept = "kept: plain LR"
    assert "the dotted line is the kept model" in tab.summary_label.text()
    accuracy = curve(tab.curves.accuracy, kept).getData()[1]
    loss = curve(tab.curves.loss, kept).getData()[1]
    assert list(accuracy) == [run["validation_accuracy"]] * 2  # a level line across the epochs
    assert list(loss) == [run["validation_loss"]] * 2
    assert run["validation_loss"] < 0.7

    qtbot.mouseClick(tab.train_button, Qt.LeftButton)  # the curves are the new run's now
    assert tab.controller.training
    assert "dotted line" not in tab.summary_label.text()
    tab.controller.cancel()
    assert "the dotted line is the kept model" in tab.summary_label.text()


def test_a_photo_is_taken_out_of_its_class_and_the_file_left_alone(qtbot, tab, tmp_path):
    photos = colour_photos(tmp_path / "red", "red", 3)
    add_class(qtbot, tab, "red", photos)
    assert not tab.remove_photo_button.isEnabled()  # no photo chosen
    tab.photo_list.item(1).setSelected(True)
    assert tab.remove_photo_button.isEnabled()
    qtbot.mouseClick(tab.remove_photo_button, Qt.LeftButton)
    kept = [photos[0].resolve(), photos[2].resolve()]
    assert tab.controller.classes[0].photos == kept
    assert tab.photo_list.count() == 2 and tab.photos_label.text() == "2 photos in red"
    saved = json.loads((tmp_path / "project" / "project.json").read_text(encoding="utf-8"))
    assert saved["classes"][0]["photos"] == [str(p) for p in kept]
    assert photos[1].is_file()  # photos are referenced, never deleted


def test_a_run_is_deleted_from_the_tab_the_project_file_and_its_folder(qtbot, tab, tmp_path):
    for name in ("red", "blue"):
        add_class(qtbot, tab, name, colour_photos(tmp_path / name, name, 6))
    tab.epochs_spin.setValue(3)
    train(qtbot, tab)
    train(qtbot, tab)
    project = tmp_path / "project"
    assert (project / "runs" / "run-002").is_dir() and tab.runs_list.count() == 2
    tab.runs_list.item(0).setCheckState(Qt.Checked)  # run 2 overlaid, and shown
    asked: list[str] = []
    answer_the_question(qtbot, QMessageBox.No, asked)
    qtbot.mouseClick(tab.delete_run_button, Qt.LeftButton)
    assert asked == ["Delete run 2 and its model?"] and tab.runs_list.count() == 2

    answer_the_question(qtbot, QMessageBox.Yes, asked)
    qtbot.mouseClick(tab.delete_run_button, Qt.LeftButton)
    assert tab.runs_list.count() == 1 and tab.runs_list.item(0).data(Qt.UserRole) == 1
    saved = json.loads((project / "project.json").read_text(encoding="utf-8"))
    assert [r["number"] for r in saved["runs"]] == [1]
    assert not (project / "runs" / "run-002").exists() and (project / "runs" / "run-001").is_dir()
    assert tab.summary_label.text().startswith("run 1 ")
    assert tab.controller.overlaid == set()
    probe = colour_photos(tmp_path / "probe", "red", 1, seed=9)[0]
    with qtbot.waitSignal(tab.controller.sig_tried, timeout=60_000):
        tab.try_path(probe)
    assert tab.try_label.text().endswith("(run 1)")

    answer_the_question(qtbot, QMessageBox.Yes, asked)
    qtbot.mouseClick(tab.delete_run_button, Qt.LeftButton)
    assert tab.runs_list.count() == 0 and tab.summary_label.text() == "No run yet."
    assert not tab.delete_run_button.isEnabled()
    tab.try_path(probe)
    assert tab.try_label.text() == "Train a model first." and tab.tried_view.image() is None
    train(qtbot, tab)  # numbering goes on from the runs the project still has
    assert tab.controller.latest_run["number"] == 1


def test_file_open_adds_photos_to_a_class(qtbot, tab, tmp_path, monkeypatch):
    """File ▸ Add photos… (Ctrl+O) with no class yet: a class is made and the photos go in."""
    from PyQt5.QtWidgets import QFileDialog, QMenu

    photos = colour_photos(tmp_path / "red", "red", 3)
    chosen = ([str(p) for p in photos], "")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: chosen))
    menu = QMenu()
    tab.fill_file_menu(menu)
    menu.actions()[0].trigger()
    assert [len(entry.photos) for entry in tab.controller.classes] == [3]
