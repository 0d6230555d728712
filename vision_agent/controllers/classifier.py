"""The ImageNet tab's pipeline: photo in, top-5 out, Grad-CAM on request, model choice.

Photos are read in a reader service, classified in the model's service (ResNet50 in a child
process, ONNX/Caffe models in the service thread); a newer photo supersedes the one in flight
(latest wins), so results never lag behind what is on screen. A model that fails to load never
replaces the one in use: the previous model is loaded again and the failure is kept as a
problem for the view to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PyQt5.QtCore import QObject, QTimer, pyqtSignal, pyqtSlot

from vision_agent.controllers.choices import SharedChoices
from vision_agent.core.classify import PHOTO_MAX_SIDE, Classification, resolve_model_id
from vision_agent.core.errors import UserError
from vision_agent.core.gradcam import overlay_heatmap
from vision_agent.core.keras_files import is_keras_model
from vision_agent.core.photo_reader import PHOTO_READER_FACTORY
from vision_agent.engine.recipes import classifier_spec
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.i18n import tr
from vision_agent.services.model_service import ModelService, ModelState, Reply

TOP = 5
KERAS_MODELS = ("resnet50",)
# A new photo appears with its labels when they come quickly; when they take longer than this
# (a model still loading, a slow model), the photo is shown alone meanwhile. Not painting it
# twice also leaves both cores to the model while it runs.
PHOTO_ALONE_AFTER_MS = 150

ModelKey = tuple[str, Path | None]  # (alias or Keras file path, weights file or None)


def model_choices() -> list[tuple[str, str]]:
    """(key, caption) of the built-in models, in the order the model list shows them."""
    return [
        ("resnet50", tr("ResNet50 (Keras)")),
        ("mobilenet_v2", tr("MobileNetV2 int8 (ONNX)")),
        ("googlenet", tr("GoogLeNet (Caffe)")),
    ]


def is_keras(model: str) -> bool:
    return model in KERAS_MODELS or is_keras_model(model)


@dataclass(frozen=True)
class ModelProblem:
    """A model the user asked for and could not have: missing (a registry id) or refused."""

    key: ModelKey
    message: str = ""
    missing_id: str | None = None


class ClassifierController(QObject):
    """Owns the classifier and reader services and what the tab shows.

    Signals:
        sig_photo_changed(): photo, result or heat changed: render them.
        sig_model_loading(): a model is being loaded (its layers change).
        sig_model_changed(): the model in use, its state or a model problem changed.
        sig_photo_failed(str): the photo could not be read (why).
        sig_status(str): a line for the status bar.
    """

    sig_photo_changed = pyqtSignal()
    sig_model_loading = pyqtSignal()
    sig_model_changed = pyqtSignal()
    sig_photo_failed = pyqtSignal(str)
    sig_status = pyqtSignal(str)

    def __init__(
        self, choices: SharedChoices, model: str | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.choices = choices
        self.service = ModelService("classifier", self)
        self.service.sig_state_changed.connect(self._on_state_changed)
        self.reader = ModelService("photo-reader", self)
        self.model = model or choices.imagenet_model()  # in use (or to be loaded at start)
        self.weights: Path | None = None
        self.problem: ModelProblem | None = None
        self.photo: np.ndarray | None = None
        self.photo_name = ""
        self.result: Classification | None = None
        self.heat: np.ndarray | None = None
        self.gradcam_wanted = False
        self.gradcam_class: int | None = None
        self._candidate: ModelKey | None = None
        self._remember_candidate = False
        self._loaded = False  # a model has been ready: a failed one can fall back to it
        self._pending_name = ""
        self._pending_read: Reply | None = None
        self._pending_classify: Reply | None = None
        self._pending_cam: Reply | None = None
        self._photo_alone_timer = QTimer(self)
        self._photo_alone_timer.setSingleShot(True)
        self._photo_alone_timer.timeout.connect(self._photo_alone)
        self.photo_alone = False  # the photo is shown without labels while they are slow
        choices.sig_models_changed.connect(self._on_models_changed)

    # --- model --------------------------------------------------------------------------
    def start(self) -> None:
        self.load_model(self.model, self.weights, chosen=False)

    def load_model(self, model: str, weights: Path | None = None, chosen: bool = True) -> None:
        """Load a built-in model (never downloaded here) or a user's file; `chosen`: the user
        picked it, so it becomes the shared choice once it works."""
        key = (model, weights)
        try:
            spec = classifier_spec(model, weights, download=False)
        except UserError as exc:
            self._set_problem(ModelProblem(key, str(exc)))
            return
        model_id = resolve_model_id(model) if weights is None else None
        if model_id is not None and not self.choices.is_present(model_id):
            self._set_problem(ModelProblem(key, missing_id=model_id))
            return
        self.problem = None
        self._candidate, self._remember_candidate = key, chosen
        self._load(spec)

    def _load(self, spec: RecognizerSpec) -> None:
        self.result, self.heat = None, None
        self._discard_model_replies()
        self.service.load(spec)
        self.sig_model_loading.emit()
        self.sig_model_changed.emit()
        self.sig_photo_changed.emit()  # the photo without the previous model's labels
        self.classify()

    def _set_problem(self, problem: ModelProblem) -> None:
        self.problem = problem
        self.sig_model_changed.emit()

    def loading_key(self) -> ModelKey:
        """The model being loaded, else the one in use."""
        return self._candidate or (self.model, self.weights)

    def is_keras_model(self) -> bool:
        """Whether the model in use is a Keras model (Grad-CAM needs one)."""
        return is_keras(self.model)

    @pyqtSlot(str, str)
    def _on_state_changed(self, state: str, detail: str) -> None:
        if state == ModelState.READY:
            if self._candidate is not None:
                (self.model, self.weights), self._candidate = self._candidate, None
                if self._remember_candidate and self.weights is None:
                    self.choices.set_imagenet_model(self.model)
            self._loaded = True
            if self.gradcam_wanted and not self.is_keras_model():
                self.gradcam_wanted = False
                self.sig_photo_changed.emit()
        elif state in (ModelState.FAILED, ModelState.MISSING):
            failed = self.loading_key()
            missing_id = resolve_model_id(failed[0]) if state == ModelState.MISSING else None
            self.problem = ModelProblem(failed, detail, missing_id)
            self._candidate = None
            if self._loaded and failed != (self.model, self.weights):
                self._load(classifier_spec(self.model, self.weights, download=False))
                return
        self.sig_model_changed.emit()

    @pyqtSlot()
    def _on_models_changed(self) -> None:
        """A model arrived: the one the user asked for is loaded now."""
        problem = self.problem
        if (
            problem is not None
            and problem.missing_id
            and self.choices.is_present(problem.missing_id)
        ):
            self.load_model(*problem.key)
        else:
            self.sig_model_changed.emit()  # the model list marks what is present

    def caption(self, key: ModelKey) -> str:
        model, weights = key
        captions = dict(model_choices())
        caption = captions.get(model, Path(model).name)
        return caption + (f" + {weights.name}" if weights else "")

    def model_status(self) -> tuple[str, str, str]:
        """(state, model name, problem) for the model line (see model_state_text)."""
        state, problem = self.service.state, self.problem
        key = self.loading_key()
        if state == ModelState.IDLE and problem is not None:  # nothing loaded: say why
            state = ModelState.MISSING if problem.missing_id else ModelState.FAILED
            key = problem.key
        return state, self.caption(key), problem.message if problem is not None else ""

    def model_note(self, state: str) -> str:
        """What the model line adds: the last answer's time, or why loading takes a while."""
        if state == ModelState.READY and self.result is not None:
            return "  ·  " + tr("{ms:.1f} ms").format(ms=self.result.latency_ms)
        if state == ModelState.LOADING and is_keras(self.loading_key()[0]):
            return " " + tr("(starting TensorFlow takes a few seconds)")
        return ""

    def kept_caption(self) -> str | None:
        """The model the tab goes on with while the chosen one cannot be used (None if none)."""
        problem = self.problem
        if problem is None or not self._loaded or problem.key == (self.model, self.weights):
            return None
        return self.caption((self.model, self.weights))

    def _discard_model_replies(self) -> None:
        for reply in (self._pending_classify, self._pending_cam):
            if reply is not None:
                reply.discard()
        self._pending_classify = self._pending_cam = None

    # --- photos -------------------------------------------------------------------------
    def open_photo(self, path: Path) -> None:
        """Read the photo in the reader thread; it is shown and classified when read."""
        if self.reader.state == ModelState.IDLE:
            self.reader.load(RecognizerSpec(PHOTO_READER_FACTORY, label="photo reader"))
        self._pending_name = path.name
        self._pending_read = self.reader.call("read", str(path), PHOTO_MAX_SIDE, latest=True).then(
            self._on_photo_read, self._on_photo_error
        )
        self.sig_status.emit(tr("Opening {name}…").format(name=path.name))

    def show_photo(self, rgb: np.ndarray, name: str) -> None:
        """Classify the photo; the view keeps the old one until the labels come or
        PHOTO_ALONE_AFTER_MS passes (repainting now would compete with the model)."""
        if self._pending_read is not None:
            self._pending_read.discard()
            self._pending_read = None
        self.photo, self.photo_name = rgb, name
        self.result, self.heat = None, None
        self.photo_alone = False
        if self._pending_cam is not None:
            self._pending_cam.discard()
            self._pending_cam = None
        self._photo_alone_timer.start(PHOTO_ALONE_AFTER_MS)
        self.classify()

    def is_busy(self) -> bool:
        """A photo is being read or classified, or a heat map computed."""
        return any(
            r is not None for r in (self._pending_read, self._pending_classify, self._pending_cam)
        )

    @pyqtSlot(object)
    def _on_photo_read(self, rgb: np.ndarray) -> None:
        self._pending_read = None
        self.show_photo(rgb, self._pending_name)

    @pyqtSlot(str)
    def _on_photo_error(self, message: str) -> None:
        self._pending_read = None
        self.photo, self.photo_name = None, self._pending_name
        self.result, self.heat = None, None
        self._discard_model_replies()
        self.sig_photo_failed.emit(message)
        self.sig_status.emit(message)

    def _photo_alone(self) -> None:
        if self.photo is not None and self.result is None:
            self.photo_alone = True
            self.sig_photo_changed.emit()

    # --- classification -----------------------------------------------------------------
    def classify(self) -> None:
        if self.photo is None:
            return
        self._pending_classify = self.service.call(
            "classify", self.photo, TOP, True, latest=True
        ).then(self._on_classified, self._on_classify_failed)
        if self.service.state == ModelState.LOADING:
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
        self._pending_cam = self.service.call(
            "gradcam", self.photo, self.gradcam_class, latest=True
        ).then(self._on_gradcam, self._on_gradcam_failed)
        self.sig_status.emit(tr("Computing Grad-CAM…"))

    @pyqtSlot(object)
    def _on_classified(self, result: Classification) -> None:
        self._pending_classify = None
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
        self._pending_cam = None
        self.heat = heat
        self.sig_photo_changed.emit()
        self.sig_status.emit(tr("Grad-CAM ready."))

    @pyqtSlot(str)
    def _on_classify_failed(self, message: str) -> None:
        self._pending_classify = None
        self.sig_status.emit(tr("Classification failed: {m}").format(m=message))

    @pyqtSlot(str)
    def _on_gradcam_failed(self, message: str) -> None:
        self._pending_cam = None
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
        self.service.shutdown()
