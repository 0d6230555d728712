"""The dog-breed tab (견종 인식): open a dog photo, see the five likeliest breeds.

Recognizers: the ImageNet classifier chosen in the classifier tab, restricted to its dog classes
(works with no training), or a Keras breed model with its class-name file (the course's `.h5` and
pickled list, or one trained in the Train dialog). The photo is read, recognized and annotated
in the model service; this tab only shows the result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from PyQt5.QtCore import Qt, pyqtSlot
from PyQt5.QtGui import QFont, QKeySequence, QShowEvent
from PyQt5.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vision_agent.core.breed_names import CLASS_NAMES_FILE_FILTER
from vision_agent.core.dogs import DogResult, classifier_model_id
from vision_agent.core.imageio import is_image_path
from vision_agent.core.keras_breeds import BREED_MODEL_FILE_FILTER
from vision_agent.engine.recipes import imagenet_dog_spec, keras_breed_spec
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.i18n import tr
from vision_agent.services.model_service import ModelService, Reply
from vision_agent.ui.settings import (
    CLASSIFIER_MODEL_KEY,
    app_settings,
    ask_open_path,
    remember_folder,
)
from vision_agent.ui.tabs.base import VisionTab, add_menu_actions, add_shortcuts
from vision_agent.ui.widgets.image_view import IMAGE_FILE_FILTER, ImageView
from vision_agent.ui.widgets.model_download_panel import ModelDownloadPanel
from vision_agent.ui.widgets.probability_bars import ProbabilityBars

MODELS_SETTING = "dogs/breed_models"
ERROR_STYLE = "color: #b00020;"
NO_DOG_STYLE = "color: #c05000;"


@dataclass(frozen=True)
class BreedModelChoice:
    """A Keras breed model and its class names (None for the ImageNet recognizer)."""

    model: Path | None = None
    classes: Path | None = None

    def label(self) -> str:
        if self.model is None:
            return tr("ImageNet dog classes (no training)")
        return self.model.name


def shared_classifier() -> str:
    """The ImageNet classifier chosen in the classifier tab (a registry id)."""
    return classifier_model_id(app_settings().value(CLASSIFIER_MODEL_KEY, "", type=str))


class DogTab(VisionTab):
    """Photo with the top-5 breeds drawn on it, a verdict line and a probability chart."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = ModelService("dogs", self)
        self.service.sig_state_changed.connect(self.on_model_state_changed)
        self.choices: list[BreedModelChoice] = [BreedModelChoice(), *self._saved_models()]
        self.choice = self.choices[0]
        self._classifier = shared_classifier()
        self._started = False
        self._spec: RecognizerSpec | None = None
        self._photo: Path | None = None
        self._pending_request: Reply | None = None
        self._train_dialog = None
        self.result: DogResult | None = None
        self._build_ui()
        self.retranslate_ui()

    # --- layout -------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self.open_photo_dialog)
        self.train_button = QPushButton(self)
        self.train_button.clicked.connect(self.show_train_dialog)
        self.model_caption = QLabel(self)
        self.model_combo = QComboBox(self)
        self.model_combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.model_combo.activated.connect(self._on_combo_activated)

        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.train_button)
        top.addStretch(1)
        top.addWidget(self.model_caption)
        top.addWidget(self.model_combo)

        self.view = ImageView(self)
        self.view.sig_files_dropped.connect(self.on_files_dropped)

        self.verdict_label = QLabel(self)
        font = QFont()
        font.setPointSize(15)
        font.setBold(True)
        self.verdict_label.setFont(font)
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.detail_label = QLabel(self)
        self.detail_label.setWordWrap(True)
        self.chart = ProbabilityBars(horizontal=True, parent=self)
        self.chart.setMinimumWidth(360)
        self.model_label = QLabel(self)
        self.model_label.setWordWrap(True)
        self.model_label.setStyleSheet("color: #555;")

        right = QVBoxLayout()
        right.addWidget(self.verdict_label)
        right.addWidget(self.detail_label)
        right.addWidget(self.chart, 1)
        right.addWidget(self.model_label)
        body = QHBoxLayout()
        body.addWidget(self.view, 3)
        body.addLayout(right, 2)
        self.download_panel = ModelDownloadPanel(self)
        self.download_panel.sig_downloaded.connect(self._on_model_downloaded)
        self.download_panel.sig_use_another_model.connect(self.model_combo.showPopup)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        layout.addWidget(self.download_panel)

        self._shortcuts = add_shortcuts(self, (("Q", "Quit", self.sig_quit_requested.emit),))

    def title(self) -> str:
        return tr("Dog breed")

    def retranslate_ui(self) -> None:
        self.open_button.setText(tr("Open dog photo…"))
        self.train_button.setText(tr("Train…"))
        self.model_caption.setText(tr("Recognizer:"))
        self.view.set_placeholder(tr("Open a dog photo, or drop one here."))
        self.download_panel.retranslate_ui()
        self._fill_combo()
        self._show_model_state()
        self._show_result()
        if self._train_dialog is not None:
            self._train_dialog.retranslate_ui()

    def fill_file_menu(self, menu: QMenu) -> None:
        add_menu_actions(
            menu,
            (
                (tr("Open dog photo…"), QKeySequence.Open, self.open_photo_dialog),
                (tr("Open breed model…"), None, self.choose_breed_model),
                (tr("Use the ImageNet recognizer (no training)"), None, self.use_imagenet),
                (tr("Train a breed model…"), None, self.show_train_dialog),
            ),
        )

    # --- recognizers ----------------------------------------------------------------------
    def start(self) -> None:
        self._started = True
        self._load_choice()

    def showEvent(self, event: QShowEvent) -> None:
        """Follow a classifier changed in the classifier tab while this tab was hidden."""
        super().showEvent(event)
        classifier = shared_classifier()
        if classifier != self._classifier:
            self._classifier = classifier
            if self._started:
                self._load_choice()

    def _load_choice(self) -> None:
        choice = self.choice
        if choice.model is None:
            spec = imagenet_dog_spec(self._classifier)
        else:
            spec = keras_breed_spec(choice.model, choice.classes, self._classifier)
        self._spec = spec
        self.download_panel.clear()
        self.service.load(spec)
        self._show_model_state()
        if self._photo is not None:
            self.recognize(self._photo)

    def select_choice(self, choice: BreedModelChoice) -> None:
        if choice not in self.choices:
            self.choices.append(choice)
            self._save_models()
        self.choice = choice
        self._fill_combo()
        if self._started:
            self._load_choice()

    def use_imagenet(self) -> None:
        self.select_choice(self.choices[0])

    def add_breed_model(self, model: Path, classes: Path) -> None:
        """Make a Keras breed model selectable and use it (the Train dialog calls this)."""
        self.select_choice(BreedModelChoice(Path(model), Path(classes)))

    def choose_breed_model(self) -> None:
        model = ask_open_path(self, tr("Open breed model"), "dog_models", BREED_MODEL_FILE_FILTER)
        if model is None:
            return
        classes, _ = QFileDialog.getOpenFileName(
            self,
            tr("Open the class names of {name}").format(name=Path(model).name),
            str(Path(model).parent),
            CLASS_NAMES_FILE_FILTER,
        )
        if classes:
            self.add_breed_model(model, Path(classes))

    def _on_combo_activated(self, index: int) -> None:
        if 0 <= index < len(self.choices) and self.choices[index] != self.choice:
            self.select_choice(self.choices[index])

    def _fill_combo(self) -> None:
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        for choice in self.choices:
            self.model_combo.addItem(choice.label())
            if choice.model is not None:
                tip = f"{choice.model}\n{choice.classes}"
                self.model_combo.setItemData(self.model_combo.count() - 1, tip, Qt.ToolTipRole)
        self.model_combo.setCurrentIndex(self.choices.index(self.choice))
        self.model_combo.blockSignals(False)

    def _saved_models(self) -> list[BreedModelChoice]:
        try:
            pairs = json.loads(app_settings().value(MODELS_SETTING, "[]", type=str))
            saved = [BreedModelChoice(Path(m), Path(c)) for m, c in pairs]
        except (ValueError, TypeError):
            return []
        return [c for c in saved if c.model.is_file() and c.classes.is_file()]

    def _save_models(self) -> None:
        pairs = [[str(c.model), str(c.classes)] for c in self.choices if c.model is not None]
        app_settings().setValue(MODELS_SETTING, json.dumps(pairs))

    @pyqtSlot(str, str)
    def on_model_state_changed(self, state: str, detail: str) -> None:
        self._show_model_state(detail if state == "failed" else "")
        if state == "missing":
            self.download_panel.show_missing(self._spec and self._spec.model_id, detail)
        if state == "failed" and self.choice.model is not None:
            self._drop_failed_choice(detail)

    @pyqtSlot(str)
    def _on_model_downloaded(self, model_id: str) -> None:
        if self._started and self._spec is not None and model_id == self._spec.model_id:
            self._load_choice()

    def _show_model_state(self, problem: str = "") -> None:
        state = self.service.state
        name = self.choice.label()
        if self.choice.model is None:
            name = f"{name} — {self._classifier}"
        if state == "ready":
            text, style = tr("Recognizer: {name}").format(name=name), ""
        elif state == "failed":
            text = tr("Recognizer {name} could not be loaded: {problem}").format(
                name=name, problem=problem or tr("see the message")
            )
            style = ERROR_STYLE
        elif state == "missing":
            text = tr("The model for {name} is not on this computer.").format(name=name)
            style = ERROR_STYLE
        elif state == "loading":
            text, style = tr("Loading {name}…").format(name=name), ""
        else:
            text, style = "", ""
        self.model_label.setText(text)
        self.model_label.setStyleSheet(style or "color: #555;")
        if text:
            self.sig_status_message.emit(text.splitlines()[0])

    # --- photos -----------------------------------------------------------------------------
    def open_photo_dialog(self) -> None:
        path = ask_open_path(self, tr("Open dog photo"), "dog_photos", IMAGE_FILE_FILTER)
        if path:
            self.open_photo(path)

    def open_photo(self, path: Path) -> None:
        remember_folder("dog_photos", str(path))
        self.recognize(path)

    @pyqtSlot(list)
    def on_files_dropped(self, paths: list) -> None:
        images = [Path(p) for p in paths if is_image_path(p)]
        if images:
            self.open_photo(images[0])
        else:
            self._show_error(tr("Drop an image file (JPEG, PNG, BMP, WebP, TIFF)."))

    def recognize(self, path: Path) -> None:
        self._photo = path
        self._pending_request = self.service.call("recognize_file", str(path), latest=True).then(
            self.on_result, self.on_error
        )
        self.verdict_label.setText(tr("Recognizing {name}…").format(name=path.name))
        self.verdict_label.setStyleSheet("")
        self.detail_label.setText("")

    @pyqtSlot(object)
    def on_result(self, result: DogResult) -> None:
        self._pending_request = None
        self.result = result
        self.view.set_image(result.annotated)
        self._show_result()
        self.sig_status_message.emit(
            tr("Recognized {name} in {ms:.0f} ms").format(
                name=self._photo.name if self._photo else "", ms=result.latency_ms
            )
        )

    @pyqtSlot(str)
    def on_error(self, message: str) -> None:
        self._pending_request = None
        self.result = None
        self.view.set_image(None)
        self._show_error(message)

    def _drop_failed_choice(self, message: str) -> None:
        """A breed model that does not load leaves the list; the ImageNet recognizer takes over."""
        failed = self.choice
        self.choices.remove(failed)
        self._save_models()
        self.choice = self.choices[0]
        self._fill_combo()
        if self._pending_request is not None:
            self._pending_request.discard()
            self._pending_request = None
        self._show_error(message, tr("Cannot use {name}").format(name=failed.label()))
        self._load_choice()

    def _show_error(self, message: str, title: str = "") -> None:
        self.verdict_label.setText(title or tr("Cannot recognize this photo"))
        self.verdict_label.setStyleSheet(ERROR_STYLE)
        self.detail_label.setText(message)
        self.chart.clear_bars()
        self.sig_status_message.emit(message.splitlines()[0] if message else "")

    def _show_result(self) -> None:
        result = self.result
        if result is None:
            if self._pending_request is None and not self.detail_label.text():
                self.verdict_label.setText(tr("No photo yet"))
                self.verdict_label.setStyleSheet("")
                self.chart.clear_bars()
            return
        best = result.top[0]
        if result.is_dog is False:
            self.verdict_label.setText(
                tr("No dog found — this looks like: {thing}").format(thing=result.seen or "?")
            )
            self.verdict_label.setStyleSheet(NO_DOG_STYLE)
            detail = tr("Dog score {score:.1%}. If it were a dog, it would be a {breed}.").format(
                score=result.dog_score or 0.0, breed=best.breed
            )
            title = tr("Closest breeds")
        else:
            self.verdict_label.setText(f"{best.breed}  {best.probability:.1%}")
            self.verdict_label.setStyleSheet("")
            if result.dog_score is None:
                detail = tr("No ImageNet classifier here to check that it is a dog.")
            else:
                detail = tr("Dog score {score:.1%}").format(score=result.dog_score)
            title = tr("Top-5 breeds")
        self.detail_label.setText(
            detail + "\n" + tr("Input: {how}").format(how=result.preprocessing)
        )
        self.chart.set_bars(
            [s.breed for s in result.top], [s.probability for s in result.top], title
        )

    # --- training ---------------------------------------------------------------------------
    def show_train_dialog(self) -> None:
        if self._train_dialog is None:
            from vision_agent.ui.dialogs.train_dogs import TrainDogsDialog

            self._train_dialog = TrainDogsDialog(self)
            self._train_dialog.sig_model_trained.connect(self._on_model_trained)
        self._train_dialog.show()
        self._train_dialog.raise_()

    @pyqtSlot(str, str)
    def _on_model_trained(self, model: str, classes: str) -> None:
        self.add_breed_model(Path(model), Path(classes))

    def shutdown(self) -> None:
        self.download_panel.shutdown()
        if self._train_dialog is not None:
            self._train_dialog.shutdown()
        self.service.shutdown()
