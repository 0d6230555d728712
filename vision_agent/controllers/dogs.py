"""The dog tab's pipeline: which breed recognizer, a photo in, the five likeliest breeds out.

Recognizers: the ImageNet classifier chosen in the ImageNet tab (followed through
`SharedChoices`), restricted to its dog classes, a Keras breed model with its class-name file
(the course's `.h5` and pickled list, or one trained in the Train dialog), or a "My classes"
model of breeds (`.onnx` with `classes.json` beside it; onnxruntime, no TensorFlow). The photo
is read, recognized and annotated in the model service.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PyQt5.QtCore import QObject, pyqtSignal, pyqtSlot

from vision_agent.controllers.choices import SharedChoices
from vision_agent.controllers.model_slot import (
    ModelChoice,
    ModelSlot,
    Pending,
    Refusal,
    registry_caption,
)
from vision_agent.controllers.photo_status import no_result
from vision_agent.core.dogs import BreedRecognizer, DogResult
from vision_agent.core.own_classes.export import CLASSES_FILE
from vision_agent.core.settings import Settings
from vision_agent.engine.recipes import imagenet_dog_spec, keras_breed_spec, own_breed_spec
from vision_agent.engine.registry_models import classifier_model_id
from vision_agent.i18n import tr

MODELS_SETTING = "dogs/breed_models"


@dataclass(frozen=True)
class BreedModelChoice:
    """A Keras breed model and its class names (None for the ImageNet recognizer)."""

    model: Path | None = None
    classes: Path | None = None

    def label(self) -> str:
        if self.model is None:
            return tr("ImageNet dog classes (no training)")
        return self.model.name


class DogController(QObject):
    """Owns the dog recognizer's slot, the recognizer choices (kept in the settings) and the last
    answer.

    Signals:
        sig_model_changed(): the recognizer choices or the one in use changed.
        sig_result_changed(): a photo is being recognized, was, or could not be.
        sig_status(str): a line for the status bar.
    The recognizer's state and refusals come from `slot.sig_status`; a breed model that does
    not load leaves the list.
    """

    sig_model_changed = pyqtSignal()
    sig_result_changed = pyqtSignal()
    sig_status = pyqtSignal(str)

    def __init__(
        self, choices: SharedChoices, settings: Settings, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.shared = choices
        self._settings = settings
        self.slot = ModelSlot("dogs", choices.is_present, self)
        self.slot.sig_ready.connect(self._on_ready)
        self.slot.sig_refused.connect(self._on_refused)
        self.service = self.slot.service
        self.choices: list[BreedModelChoice] = [BreedModelChoice(), *self._saved_models()]
        self._picked = self.choices[0]  # before the start, or while nothing could load
        self.classifier = classifier_model_id(choices.imagenet_model())
        self.photo: Path | None = None
        self.result: DogResult | None = None
        self.error = ""  # why the photo could not be recognized
        self._started = False
        self._pending = Pending()
        choices.sig_imagenet_model_changed.connect(self._on_classifier_changed)
        choices.sig_models_changed.connect(self._on_models_changed)

    # --- recognizers ------------------------------------------------------------------------
    @property
    def choice(self) -> BreedModelChoice:
        """The recognizer in use or being loaded."""
        shown = self.slot.shown
        return shown.key[0] if shown is not None else self._picked

    def start(self) -> None:
        self._started = True
        self._load(self._picked)

    def _model_choice(self, choice: BreedModelChoice) -> ModelChoice:
        key = (choice, self.classifier)
        if choice.model is None:
            name = registry_caption(self.classifier)
            caption = lambda: f"{choice.label()} — {name()}"  # noqa: E731
            return ModelChoice(key, imagenet_dog_spec(self.classifier), caption, self.classifier)
        if choice.model.suffix.lower() == ".onnx":
            spec = own_breed_spec(choice.model, self.classifier)
        else:
            spec = keras_breed_spec(choice.model, choice.classes, self.classifier)
        return ModelChoice(key, spec, choice.label)

    def _load(self, choice: BreedModelChoice, by_user: bool = True) -> None:
        self._picked = choice
        model_choice = self._model_choice(choice)
        if by_user:
            self.slot.load(model_choice)
        else:
            self.slot.reload(model_choice)
        self.sig_model_changed.emit()
        if self.photo is not None:
            self.recognize(self.photo)

    def select_choice(self, choice: BreedModelChoice) -> None:
        if choice not in self.choices:
            self.choices.append(choice)
            self._save_models()
        if self._started:
            self._load(choice)
        else:
            self._picked = choice
            self.sig_model_changed.emit()

    def use_imagenet(self) -> None:
        self.select_choice(self.choices[0])

    def add_breed_model(self, model: str | Path, classes: str | Path) -> None:
        """Make a Keras breed model selectable and use it (the Train dialog calls this)."""
        self.select_choice(BreedModelChoice(Path(model), Path(classes)))

    def add_own_model(self, model: Path) -> None:
        """Make a "My classes" model of breeds selectable and use it (its class names are the
        `classes.json` beside it; a model of other classes is refused when it loads)."""
        self.add_breed_model(Path(model), Path(model).parent / CLASSES_FILE)

    @pyqtSlot(str)
    def _on_classifier_changed(self, model: str) -> None:
        """The ImageNet tab now uses another classifier: so does the dog recognizer."""
        classifier = classifier_model_id(model)
        if classifier != self.classifier:
            self.classifier = classifier
            if self._started:
                self._load(self.choice, by_user=False)

    @pyqtSlot()
    def _on_models_changed(self) -> None:
        """A download or an import: a missing recognizer can load now."""
        refusal = self.slot.refusal
        missing = refusal.missing_id if refusal is not None else None
        if self._started and missing and self.shared.is_present(missing):
            self._load(refusal.key[0])
        else:
            self.sig_model_changed.emit()

    def _saved_models(self) -> list[BreedModelChoice]:
        pairs = self._settings.value(MODELS_SETTING)
        saved = [BreedModelChoice(Path(m), Path(c)) for m, c in pairs]
        return [c for c in saved if c.model.is_file() and c.classes.is_file()]

    def _save_models(self) -> None:
        pairs = [[str(c.model), str(c.classes)] for c in self.choices if c.model is not None]
        self._settings.setValue(MODELS_SETTING, pairs)

    @pyqtSlot(object)
    def _on_ready(self, choice: ModelChoice) -> None:
        self.sig_model_changed.emit()
        self.sig_status.emit(tr("Recognizer: {name}").format(name=choice.caption()))

    @pyqtSlot(object)
    def _on_refused(self, refusal: Refusal) -> None:
        """A breed model that does not load leaves the list; the previous recognizer (else the
        ImageNet one) takes over."""
        failed = refusal.key[0]
        if failed.model is not None and failed in self.choices:
            self.choices.remove(failed)
            self._save_models()
            self._pending.discard()
            self.result = None
            if self.slot.current is None:
                self._load(self.choices[0], by_user=False)
        self.sig_model_changed.emit()

    # --- photos -----------------------------------------------------------------------------
    def recognize(self, path: Path) -> None:
        self.photo, self.error = Path(path), ""
        reply = self.slot.call(BreedRecognizer.recognize_file, str(path), latest=True)
        self._pending.ask(reply, self._on_result, self.show_error)
        self.sig_result_changed.emit()

    def is_busy(self) -> bool:
        return bool(self._pending)

    def show_error(self, message: str) -> None:
        """A photo that cannot be recognized (e.g. dropped text file): say why."""
        self._pending.discard()
        self.result, self.error = None, message
        self.sig_result_changed.emit()
        self.sig_status.emit(self.status_text())

    @pyqtSlot(object)
    def _on_result(self, result: DogResult) -> None:
        self.result = result
        self.sig_result_changed.emit()
        self.sig_status.emit(self.status_text())

    def status_text(self) -> str:
        """The status line for the photo on screen, in the UI's language (again after a switch)."""
        if self.error:  # the result panel says why
            return no_result(self.photo.name if self.photo else "")
        if self.result is None:
            return ""
        name = self.photo.name if self.photo else ""
        return tr("Recognized {name} in {ms:.0f} ms").format(name=name, ms=self.result.latency_ms)

    def results_text(self) -> str:
        """Plain text for the clipboard: the photo, then one "breed<TAB>probability" per line."""
        result = self.result
        if result is None:
            return ""
        lines = [
            self.photo.name if self.photo else "",
            f"{result.model} ({result.latency_ms:.1f} ms)",
        ]
        lines += [f"{s.breed}\t{s.probability:.4f}" for s in result.top]
        if result.dog_score is not None:
            lines.append(f"dog score\t{result.dog_score:.4f}")
        return "\n".join(lines)

    def shutdown(self) -> None:
        self.slot.shutdown()
