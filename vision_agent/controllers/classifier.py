"""The ImageNet tab's pipeline: photo in, top-5 out, Grad-CAM on request, model choice.

Photos are read in a reader service, classified in the model's service (ResNet50 in a child
process, ONNX/Caffe models in the service thread); a newer photo supersedes the one in flight
(latest wins), so results never lag behind what is on screen. A model that fails to load never
replaces the one in use: the previous model is loaded again and the failure is kept as a
problem for the view to show.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt5.QtCore import QObject, QTimer, pyqtSignal, pyqtSlot

from vision_agent.controllers.choices import SharedChoices
from vision_agent.controllers.model_slot import (
    ModelChoice,
    ModelSlot,
    ModelState,
    Pending,
    Refusal,
    file_caption,
    registry_caption,
)
from vision_agent.controllers.photo_status import no_result
from vision_agent.core.classify import PHOTO_MAX_SIDE, Classification, ImageClassifier
from vision_agent.core.errors import UserError
from vision_agent.core.gradcam import overlay_heatmap
from vision_agent.core.keras_files import is_keras_model
from vision_agent.core.photo_reader import PhotoReader
from vision_agent.engine.recipes import classifier_spec
from vision_agent.engine.registry_models import resolve_model_id
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.i18n import tr
from vision_agent.services.model_service import ModelService

TOP = 5
KERAS_MODELS = ("resnet50",)
# A new photo appears with its labels when they come quickly; when they take longer than this
# (a model still loading, a slow model), the photo is shown alone meanwhile. Not painting it
# twice also leaves both cores to the model while it runs.
PHOTO_ALONE_AFTER_MS = 150

ModelKey = tuple[str, Path | None]  # (alias or Keras file path, weights file or None)


def is_keras(model: str) -> bool:
    return model in KERAS_MODELS or is_keras_model(model)


def model_choice(key: ModelKey) -> ModelChoice:
    """How the tab hosts and names a model: a built-in (by alias) with its own or the user's
    weights, or a user's Keras file. UserError when it cannot be hosted."""
    model, weights = key
    spec = classifier_spec(model, weights)
    model_id = resolve_model_id(model)
    if model_id is None:
        return ModelChoice(key, spec, file_caption(model))
    if weights is None:
        return ModelChoice(key, spec, registry_caption(model_id), model_id)
    name, weights_name = registry_caption(model_id), Path(weights).name
    return ModelChoice(key, spec, lambda: f"{name()} + {weights_name}")


class ClassifierController(QObject):
    """Owns the classifier's model slot, the photo reader and what the tab shows.

    Signals:
        sig_photo_changed(): photo, result or heat changed: render them.
        sig_photo_failed(str): the photo could not be read (why).
        sig_status(str): a line for the status bar.
    The model's state and problems come from `slot.sig_status`.
    """

    sig_photo_changed = pyqtSignal()
    sig_photo_failed = pyqtSignal(str)
    sig_status = pyqtSignal(str)

    def __init__(
        self, choices: SharedChoices, model: str | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.choices = choices
        self.slot = ModelSlot("classifier", choices.is_present, self)
        self.slot.sig_loading.connect(self._on_loading)
        self.slot.sig_ready.connect(self._on_ready)
        self.service = self.slot.service
        self.reader = ModelService("photo-reader", self)
        self._start_key: ModelKey = (model or choices.imagenet_model(), None)
        self._chosen: ModelKey | None = None  # the user's pick, remembered once it loads
        self.photo: np.ndarray | None = None
        self.photo_name = ""
        self.result: Classification | None = None
        self.heat: np.ndarray | None = None
        self.gradcam_wanted = False
        self.gradcam_class: int | None = None
        self._pending_name = ""
        self._read, self._classify, self._cam = Pending(), Pending(), Pending()
        self._photo_alone_timer = QTimer(self)
        self._photo_alone_timer.setSingleShot(True)
        self._photo_alone_timer.timeout.connect(self._photo_alone)
        self.photo_alone = False  # the photo is shown without labels while they are slow
        choices.sig_models_changed.connect(self._on_models_changed)

    # --- model --------------------------------------------------------------------------
    @property
    def model(self) -> str:
        """The model in use (until a new one works), else the one being loaded, else the one to
        load at start: an alias or a Keras file's path."""
        choice = self.slot.current or self.slot.shown
        return (choice.key if choice is not None else self._start_key)[0]

    def start(self) -> None:
        self._load(self._start_key, chosen=False)

    def load_model(self, model: str, weights: Path | None = None) -> None:
        """The user picked a built-in model (never downloaded here) or a file: it becomes the
        shared choice once it works."""
        self._load((model, Path(weights) if weights else None), chosen=True)

    def _load(self, key: ModelKey, chosen: bool) -> None:
        try:
            choice = model_choice(key)
        except UserError as exc:
            self.slot.refuse(Refusal(key, file_caption(key[0]), str(exc)))
            return
        self._chosen = key if chosen else None
        self.slot.load(choice)
        if self.slot.is_ready():  # the model in use was picked again: nothing to load
            self._on_ready(choice)

    @pyqtSlot(object)
    def _on_loading(self, _choice: ModelChoice) -> None:
        self.result, self.heat = None, None
        self._classify.discard()
        self._cam.discard()
        self.sig_photo_changed.emit()  # the photo without the previous model's labels
        self.classify()

    @pyqtSlot(object)
    def _on_ready(self, choice: ModelChoice) -> None:
        if choice.key == self._chosen and choice.key[1] is None:
            self.choices.set_imagenet_model(choice.key[0])
        self._chosen = None
        if self.gradcam_wanted and not self.is_keras_model():
            self.gradcam_wanted = False
            self.sig_photo_changed.emit()

    def is_keras_model(self) -> bool:
        """Whether the model in use is a Keras model (Grad-CAM needs one)."""
        return is_keras(self.model)

    @pyqtSlot()
    def _on_models_changed(self) -> None:
        """A model arrived: the one the user asked for is loaded now."""
        refusal = self.slot.refusal
        missing = refusal.missing_id if refusal is not None else None
        if missing and self.choices.is_present(missing):
            self.load_model(*refusal.key)
        else:
            self.slot.sig_status.emit(self.slot.status())  # the model list marks what is present

    def model_note(self) -> str:
        """What the model line adds: the last answer's time, or why loading takes a while."""
        state = self.slot.state
        if state == ModelState.READY and self.result is not None:
            return "  ·  " + tr("{ms:.1f} ms").format(ms=self.result.latency_ms)
        shown = self.slot.shown
        if state == ModelState.LOADING and shown is not None and is_keras(shown.key[0]):
            return " " + tr("(starting TensorFlow takes a few seconds)")
        return ""

    # --- photos -------------------------------------------------------------------------
    def open_photo(self, path: Path) -> None:
        """Read the photo in the reader thread; it is shown and classified when read."""
        if self.reader.state == ModelState.IDLE:
            self.reader.load(RecognizerSpec(PhotoReader, label="photo reader"))
        self._pending_name = path.name
        reply = self.reader.call(PhotoReader.read, str(path), PHOTO_MAX_SIDE, latest=True)
        self._read.ask(reply, self._on_photo_read, self._on_photo_error)
        self.sig_status.emit(tr("Opening {name}…").format(name=path.name))

    def show_photo(self, rgb: np.ndarray, name: str) -> None:
        """Classify the photo; the view keeps the old one until the labels come or
        PHOTO_ALONE_AFTER_MS passes (repainting now would compete with the model)."""
        self._read.discard()
        self._cam.discard()
        self.photo, self.photo_name = rgb, name
        self.result, self.heat = None, None
        self.photo_alone = False
        self._photo_alone_timer.start(PHOTO_ALONE_AFTER_MS)
        self.classify()

    def is_busy(self) -> bool:
        """A photo is being read or classified, or a heat map computed."""
        return any((self._read, self._classify, self._cam))

    @pyqtSlot(object)
    def _on_photo_read(self, rgb: np.ndarray) -> None:
        self.show_photo(rgb, self._pending_name)

    @pyqtSlot(str)
    def _on_photo_error(self, message: str) -> None:
        self.photo, self.photo_name = None, self._pending_name
        self.result, self.heat = None, None
        self._classify.discard()
        self._cam.discard()
        self.sig_photo_failed.emit(message)  # the view says why, in the photo's place
        self.sig_status.emit(no_result(self._pending_name))

    def _photo_alone(self) -> None:
        if self.photo is not None and self.result is None:
            self.photo_alone = True
            self.sig_photo_changed.emit()

    # --- classification -----------------------------------------------------------------
    def classify(self) -> None:
        if self.photo is None:
            return
        reply = self.slot.call(ImageClassifier.classify, self.photo, TOP, True, latest=True)
        self._classify.ask(reply, self._on_classified, self._on_classify_failed)
        if self.slot.state == ModelState.LOADING:
            self.sig_status.emit(tr("Waiting for the model to load…"))

    def set_gradcam(self, wanted: bool, class_index: int | None) -> None:
        """Show the heat map for `class_index` (one of the top-5), computing it when needed."""
        changed = class_index != self.gradcam_class
        self.gradcam_wanted, self.gradcam_class = wanted, class_index
        if changed:
            self.heat = None
        if wanted and self.heat is None:
            self._request_gradcam()
        self.sig_photo_changed.emit()

    def _request_gradcam(self) -> None:
        wanted = self.gradcam_wanted and self.is_keras_model()
        if self.photo is None or self.result is None or not wanted or self.gradcam_class is None:
            return
        reply = self.slot.call(ImageClassifier.gradcam, self.photo, self.gradcam_class, latest=True)
        self._cam.ask(reply, self._on_gradcam, self._on_gradcam_failed)
        self.sig_status.emit(tr("Computing Grad-CAM…"))

    @pyqtSlot(object)
    def _on_classified(self, result: Classification) -> None:
        self._photo_alone_timer.stop()
        self.result, self.heat = result, None
        self.gradcam_class = result.top[0].index
        self.sig_photo_changed.emit()  # the view shows the result and its time on the model line
        top = result.top[0]
        self.sig_status.emit(
            tr("{name}: {label} ({p:.1%}) in {ms:.1f} ms").format(
                name=self.photo_name, label=top.label, p=top.probability, ms=result.latency_ms
            )
        )
        self._request_gradcam()

    @pyqtSlot(object)
    def _on_gradcam(self, heat: np.ndarray) -> None:
        self.heat = heat
        self.sig_photo_changed.emit()
        self.sig_status.emit(tr("Grad-CAM ready."))

    @pyqtSlot(str)
    def _on_classify_failed(self, message: str) -> None:
        self.sig_status.emit(tr("Classification failed: {m}").format(m=message))

    @pyqtSlot(str)
    def _on_gradcam_failed(self, message: str) -> None:
        self.gradcam_wanted = False
        self.sig_photo_changed.emit()
        self.sig_status.emit(tr("Classification failed: {m}").format(m=message))

    # --- output -------------------------------------------------------------------------
    def annotated_image(self, opacity: float) -> np.ndarray | None:
        """The photo with its labels, and the Grad-CAM overlay when shown."""
        if self.photo is None or self.result is None:
            return None
        image = self.photo
        if self.heat is not None and self.gradcam_wanted:
            image = overlay_heatmap(image, self.heat, opacity)
        return self.result.annotated(image)

    def results_text(self) -> str:
        return "" if self.result is None else f"{self.photo_name}\n{self.result.as_text()}"

    def shutdown(self) -> None:
        self.reader.shutdown()
        self.slot.shutdown()
