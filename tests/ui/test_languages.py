"""Every tab rendered in both languages, with a result on screen: in English no Hangul anywhere
(widgets, menus, status bar, text drawn into the pictures, text that widgets and charts paint
themselves); in Korean no English sentence except
names (classes, breeds, models, files), which stay English where no Korean list exists; and after
switching back, no Korean left. Qt's own dialogs follow the language too."""

from __future__ import annotations

import re

import cv2
import pytest
from PyQt5.QtCore import QAbstractItemModel, QAbstractListModel, Qt
from PyQt5.QtGui import QPainter
from PyQt5.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGraphicsTextItem,
    QGraphicsView,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QWidget,
)

from tests.support.paths import asset
from tests.ui.tabs.test_postal_tab import write_digit
from vision_agent.controllers.choices import CLASSIFIER_MODEL_KEY
from vision_agent.core.video_source import SourceSpec
from vision_agent.i18n import set_language
from vision_agent.paths import resource
from vision_agent.ui.main_window import TAB_KINDS, MainWindow
from vision_agent.ui.settings import app_settings

HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
# Two English words in a row: a sentence or a phrase left untranslated.
ENGLISH_PHRASE = re.compile(r"[A-Za-z]{2,}(?:[ ,'’-]+[A-Za-z]{2,})+")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
LANGUAGE_MENU = ("Language / 언어", "한국어", "English")  # names each language by itself


def names_that_stay_english() -> list[str]:
    """Class and breed names (no licensed Korean list was found), and a method's name."""
    labels = resource("labels", "imagenet_classes.txt").read_text(encoding="utf-8").splitlines()
    names = {name for label in labels for name in label.split(", ") if name}
    return sorted(names | {"Grad-CAM"}, key=len, reverse=True)  # and a method's name


NAMES = names_that_stay_english()


def strip_names(text: str, extra: tuple[str, ...]) -> str:
    text = re.sub(r"<[^>]+>", " ", text)  # rich text markup
    text = re.sub(r"\S*[/\\]\S*", " ", text)  # folders and files
    for name in (*extra, *NAMES):
        if name in text:
            text = text.replace(name, " ")
    return text


def widget_texts(window: MainWindow) -> list[str]:
    """What the user can read now: window title, tabs, menus, status bar, visible controls."""
    texts = [window.windowTitle(), window.statusBar().currentMessage()]
    texts += [window.tabs.tabText(i) for i in range(window.tabs.count())]
    menus = [a.menu() for a in window.menuBar().actions() if a.menu()]
    while menus:
        menu: QMenu = menus.pop()
        texts.append(menu.title())
        for action in menu.actions():
            texts.append(action.text())
            if action.menu():
                menus.append(action.menu())
    return [t for t in texts + child_texts(window) if t and t not in LANGUAGE_MENU]


def item_texts(model: QAbstractItemModel) -> list[str]:
    """The cells and headers a list, table or tree shows (top-level rows)."""
    rows = model.rowCount()
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount()
    texts = [model.headerData(c, Qt.Horizontal) for c in range(columns)]
    texts += [model.index(r, c).data() for r in range(rows) for c in range(columns)]
    return [t for t in texts if isinstance(t, str)]


def child_texts(root: QWidget) -> list[str]:
    """The texts of the visible controls inside `root`: labels, buttons, lists, fields, boxes."""
    texts = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            texts += item_texts(widget.model())
        texts.append(widget.toolTip())
    return texts


@pytest.fixture
def drawn(monkeypatch) -> list[str]:
    """Every text drawn into a picture (OpenCV's putText, in any thread)."""
    texts: list[str] = []
    put_text = cv2.putText

    def recording(image, text, *args, **kwargs):
        texts.append(text)
        return put_text(image, text, *args, **kwargs)

    monkeypatch.setattr(cv2, "putText", recording)
    return texts


@pytest.fixture
def painted(monkeypatch) -> list[str]:
    """Every text a widget paints itself with QPainter.drawText (custom paintEvents, the charts'
    axes), in any thread; the window is rendered for it in `texts_on_every_tab`."""
    texts: list[str] = []
    draw_text = QPainter.drawText

    def recording(painter, *args):
        texts.extend(a for a in args if isinstance(a, str))
        return draw_text(painter, *args)

    monkeypatch.setattr(QPainter, "drawText", recording)
    return texts


def scene_texts(window: QWidget) -> list[str]:
    """The texts of the charts' scenes (titles, axis labels, legends): graphics text items."""
    texts = []
    for view in window.findChildren(QGraphicsView):
        if view.isVisible() and view.scene() is not None:
            items = view.scene().items()
            texts += [i.toPlainText() for i in items if isinstance(i, QGraphicsTextItem)]
    return texts


def scene_texts_of(window: MainWindow, tab: str) -> list[str]:
    window.tabs.setCurrentIndex(TAB_INDEX[tab])
    return scene_texts(window)


TAB_INDEX = {kind.class_name: i for i, kind in enumerate(TAB_KINDS)}


def fill_every_tab(qtbot, window: MainWindow) -> None:
    """A result on the four course tabs: a drawn code, a dog and a cat, a photo, faces."""
    index = TAB_INDEX
    window.tabs.setCurrentIndex(index["PostalTab"])
    postal = window.postal_tab()
    qtbot.waitUntil(lambda: postal.controller.service.state == "ready", timeout=15000)
    postal.erase()
    for box, digit in enumerate((1, 7, 1, 0, 1)):
        write_digit(postal.canvas, box, digit)
    postal.recognize()
    qtbot.waitUntil(lambda: postal.reading is not None, timeout=15000)

    window.tabs.setCurrentIndex(index["DogTab"])
    dogs = window.current_page()
    for photo in (("objects", "tabby_cat_jetson_cat_1.jpg"), ("dogs", "Beagle_01141.jpg")):
        dogs.photos.open_paths([asset("photos", *photo)])
        qtbot.waitUntil(lambda: dogs.controller.result is not None, timeout=60000)
        qtbot.waitUntil(lambda: not dogs.controller.is_busy(), timeout=60000)
    dogs.photos.open_paths([asset("photos", "objects", "tabby_cat_jetson_cat_1.jpg")])
    qtbot.waitUntil(lambda: not dogs.controller.is_busy(), timeout=60000)

    window.tabs.setCurrentIndex(index["ClassifierTab"])
    classifier = window.current_page()
    classifier.photos.open_paths([asset("photos", "objects", "banana_jetson_banana_0.jpg")])
    qtbot.waitUntil(lambda: classifier.controller.result is not None, timeout=60000)

    window.tabs.setCurrentIndex(index["FaceCamTab"])
    faces = window.current_page()
    qtbot.waitUntil(lambda: faces.controller.service.state == "ready", timeout=30000)
    faces.open_source(SourceSpec.file(asset("photos", "faces", "t1_insightface_group.jpg")))
    qtbot.waitUntil(lambda: faces.controller.shown is not None, timeout=15000)


def texts_on_every_tab(qtbot, window: MainWindow) -> list[str]:
    """What each tab shows: its widgets' texts and the texts its charts hold; each tab is
    rendered, so what it paints lands in `painted` (charts paint their axes once and keep the
    picture: the test reads `painted` from the start of each language)."""
    texts: list[str] = []
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        qtbot.wait(50)
        texts += widget_texts(window) + scene_texts(window)
        window.grab()  # every visible widget paints itself now
    return texts


def test_every_tab_in_both_languages(qtbot, drawn, painted):
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    asset("face_detector", "res10_300x300_ssd_iter_140000.caffemodel")
    set_language("en")
    app_settings().setValue(CLASSIFIER_MODEL_KEY, "mobilenet_v2")
    app_settings().setValue("window/tab", 0)
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.start_tabs()
    try:
        window.switch_language("en")
        fill_every_tab(qtbot, window)
        english = texts_on_every_tab(qtbot, window) + drawn + painted
        assert [t for t in english if HANGUL.search(t)] == []
        # the recorders see what the charts paint: the breeds on the dog chart's axis, its title
        breeds = window.page(TAB_INDEX["DogTab"]).controller.result.top
        assert {b.breed for b in breeds} <= set(painted)
        assert "Closest breeds" in scene_texts_of(window, "DogTab")

        drawn.clear()
        painted.clear()
        window.language_actions["ko"].trigger()
        fill_every_tab(qtbot, window)  # new results: their pictures are drawn in Korean mode
        korean = texts_on_every_tab(qtbot, window) + drawn + painted
        # drawn into the pictures (no Hangul glyphs there): names and figures only
        words = [t for t in drawn if ENGLISH_WORD.search(strip_names(t, ()))]
        assert words == []
        files = ("tabby_cat_jetson_cat_1.jpg", "banana_jetson_banana_0.jpg",
                 "t1_insightface_group.jpg", "Beagle_01141.jpg")  # fmt: skip
        faces = window.page(TAB_INDEX["FaceCamTab"])
        models = tuple(faces.detector_bar.combo.itemText(i) for i in range(3))
        left = [t for t in korean if ENGLISH_PHRASE.search(strip_names(t, files + models))]
        assert left == []

        painted.clear()
        window.language_actions["en"].trigger()
        back = texts_on_every_tab(qtbot, window) + painted
        assert [t for t in back if HANGUL.search(t)] == []
    finally:
        window.close()
        set_language("en")
        app_settings().remove(CLASSIFIER_MODEL_KEY)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_empty_photo_views_paint_their_hint_in_the_ui_language(qtbot, painted, language):
    """Before any photo the photo tabs paint a hint into the view (no label holds it)."""
    from vision_agent.ui.tabs.classifier_tab import ClassifierTab
    from vision_agent.ui.tabs.dog_tab import DogTab
    from vision_agent.ui.tabs.face_tab import FaceCamTab

    set_language(language)
    try:
        for kind in (DogTab, ClassifierTab, FaceCamTab):
            tab = kind()
            qtbot.addWidget(tab)
            tab.resize(1000, 600)
            tab.show()
            painted.clear()
            tab.grab()
            hints = [t for t in painted if t == tab.view.placeholder()]
            assert hints, kind.__name__  # the recorder saw the hint painted
            if language == "ko":
                assert all(HANGUL.search(t) for t in hints)
                assert [t for t in hints if ENGLISH_PHRASE.search(strip_names(t, ()))] == []
            else:
                assert [t for t in painted if HANGUL.search(t)] == []
            tab.shutdown()
    finally:
        set_language("en")


def test_the_dialogs_of_the_tabs_speak_korean(qtbot, painted):
    """The dog tab's Train dialog (with its curves) and View → Models…, opened in Korean."""
    from vision_agent.ui.dialogs.train_dogs import TrainDogsDialog
    from vision_agent.ui.models_dialog import ModelsDialog

    # a dataset's name, and the face detector's file formats inside its model names
    NAMED = ("Stanford Dogs", "Caffe fp32", "Caffe fp16", "TensorFlow uint8")
    made = {  # the curves are made at once when asked for; the states once files are checked
        TrainDogsDialog: lambda d: bool(d.curves.loss.getPlotItem().titleLabel.text),
        ModelsDialog: lambda d: not d.checks.is_running(),
    }
    set_language("ko")
    try:
        for kind in (TrainDogsDialog, ModelsDialog):
            dialog = kind()
            qtbot.addWidget(dialog)
            dialog.show()
            qtbot.waitUntil(lambda: made[kind](dialog), timeout=30_000)  # noqa: B023
            painted.clear()
            dialog.grab()
            texts = [dialog.windowTitle(), *child_texts(dialog), *scene_texts(dialog), *painted]
            left = [t for t in texts if t and ENGLISH_PHRASE.search(strip_names(t, NAMED))]
            assert left == [], (kind.__name__, left)
            # the curves' titles, axes and legends hold no names: not one English word there
            words = [t for t in scene_texts(dialog) if ENGLISH_WORD.search(t)]
            assert words == [], (kind.__name__, words)
            dialog.close()
    finally:
        set_language("en")


def test_qt_dialogs_speak_the_ui_language(qtbot):
    set_language("en")
    window = MainWindow()
    qtbot.addWidget(window)

    def dialog_texts() -> list[str]:
        dialog = QFileDialog(window, "x")
        dialog.setOption(QFileDialog.DontUseNativeDialog)
        widgets = dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)
        texts = [w.text() for w in widgets]
        dialog.deleteLater()
        return [t for t in texts if t]

    try:
        window.switch_language("ko")
        assert any(HANGUL.search(t) for t in dialog_texts())
        window.switch_language("en")
        assert not any(HANGUL.search(t) for t in dialog_texts())
    finally:
        window.switch_language("en")
        window.close()


def test_the_network_picture_of_my_classes_names_the_new_head_in_korean():
    from vision_agent.ui.widgets.network_stages import stage_label

    set_language("ko")
    try:
        assert stage_label("new head") == "새 분류기"
        assert stage_label("block_16") == "block 16"  # the backbone's own names stay
    finally:
        set_language("en")
    assert stage_label("new head") == "new head"
