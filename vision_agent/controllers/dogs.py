"""The dog tab's pipeline: which breed recognizer, a photo in, the five likeliest breeds out.

Recognizers: the ImageNet classifier chosen in the ImageNet tab (followed through
`SharedChoices`), restricted to its dog classes, or a Keras breed model with its class-name file
(the course's `.h5` and pickled list, or one trained in the Train dialog). The photo is read,
recognized and annotated in the model service.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PyQt5.QtCore import QObject, pyqtSignal, pyqtSlot

from vision_agent.controllers.choices import SharedChoices
from vision_agent.core.dogs import DogResult, classifier_model_id
from vision_agent.core.settings import Settings
from vision_agent.engine.recipes import imagenet_dog_spec, keras_breed_spec
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.i18n import tr
from vision_agent.services.model_service import ModelService, ModelState, Reply

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
    """Owns the dog service, the recognizer choices (kept in the settings) and the last answer.

    Signals:
        sig_model_changed(): the recognizer, its state or the missing-model message changed.
        sig_result_changed(): a photo is being recognized, was, or could not be.
        sig_choice_failed(str, str): a breed model did not load (title, why); it left the list.
        sig_status(str): a line for the status bar.
    """

    sig_model_changed = pyqtSignal()
    sig_result_changed = pyqtSignal()
    sig_choice_failed = pyqtSignal(str, str)
    sig_status = pyqtSignal(str)

    def __init__(
        self, choices: SharedChoices, settings: Settings, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.shared = choices
        self._settings = settings
        self.service = ModelService("dogs", self)
        self.service.sig_state_changed.connect(self._on_state_changed)
        self.choices: list[BreedModelChoice] = [BreedModelChoice(), *self._saved_models()]
        self.choice = self.choices[0]
        self.classifier = classifier_model_id(choices.imagenet_model())
        self.spec: RecognizerSpec | None = None
        self.problem = ""  # why the recognizer failed to load
        self.photo: Path | None = None
        self.result: DogResult | None = None
        self.error = ""  # why the photo could not be recognized
        self._started = False
        self._pending: Reply | None = None
        choices.sig_imagenet_model_changed.connect(self._on_classifier_changed)
        choices.sig_models_changed.connect(self._on_models_changed)

    # --- recognizers ------------------------------------------------------------------------
    def start(self) -> None:
        self._started = True
        self._load_choice()

    def _load_choice(self) -> None:
        choice = self.choice
        if choice.model is None:
            self.spec = imagenet_dog_spec(self.classifier)
        else:
            self.spec = keras_breed_spec(choice.model, choice.classes, self.classifier)
        self.problem = ""
        self.service.load(self.spec)
        self.sig_model_changed.emit()
        if self.photo is not None:
            self.recognize(self.photo)

    def select_choice(self, choice: BreedModelChoice) -> None:
        if choice not in self.choices:
            self.choices.append(choice)
            self._save_models()
        self.choice = choice
        if self._started:
            self._load_choice()  # which says the model changed
        else:
            self.sig_model_changed.emit()

    def use_imagenet(self) -> None:
        self.select_choice(self.choices[0])

    def add_breed_model(self, model: Path, classes: Path) -> None:
        """Make a Keras breed model selectable and use it (the Train dialog calls this)."""
        self.select_choice(BreedModelChoice(Path(model), Path(classes)))

    @pyqtSlot(str)
    def _on_classifier_changed(self, model: str) -> None:
        """The ImageNet tab now uses another classifier: so does the dog recognizer."""
        classifier = classifier_model_id(model)
        if classifier != self.classifier:
            self.classifier = classifier
            if self._started:
                self._load_choice()

    @pyqtSlot()
    def _on_models_changed(self) -> None:
        """A download or an import: a missing recognizer can load now."""
        if self._started and self.service.state == ModelState.MISSING:
            self._load_choice()
        else:
            self.sig_model_changed.emit()

    def _saved_models(self) -> list[BreedModelChoice]:
        pairs = self._settings.value(MODELS_SETTING)
        saved = [BreedModelChoice(Path(m), Path(c)) for m, c in pairs]
        return [c for c in saved if c.model.is_file() and c.classes.is_file()]

    def _save_models(self) -> None:
        pairs = [[str(c.model), str(c.classes)] for c in self.choices if c.model is not None]
        self._settings.setValue(MODELS_SETTING, pairs)

    @pyqtSlot(str, str)
    def _on_state_changed(self, state: str, detail: str) -> None:
        self.problem = detail if state == ModelState.FAILED else ""
        if state == ModelState.FAILED and self.choice.model is not None:
            self._drop_failed_choice(detail)
            return
        self.sig_model_changed.emit()
        text = self.model_name()
        if state == ModelState.READY:
            self.sig_status.emit(tr("Recognizer: {name}").format(name=text))

    def _drop_failed_choice(self, message: str) -> None:
        """A breed model that does not load leaves the list; the ImageNet recognizer takes over."""
        failed = self.choice
        self.choices.remove(failed)
        self._save_models()
        self.choice = self.choices[0]
        self._discard_pending()
        self.result = None
        self.sig_choice_failed.emit(tr("Cannot use {name}").format(name=failed.label()), message)
        self._load_choice()

    def model_name(self) -> str:
        name = self.choice.label()
        return f"{name} — {self.classifier}" if self.choice.model is None else name

    def missing_model_id(self) -> str | None:
        """The registry model that is not on this computer, or None when nothing is missing
        (the missing-model panel says what it is and how to get it)."""
        if self.service.state != ModelState.MISSING or self.spec is None:
            return None
        return self.spec.model_id or None

    # --- photos -----------------------------------------------------------------------------
    def recognize(self, path: Path) -> None:
        self.photo, self.error = Path(path), ""
        self._pending = self.service.call("recognize_file", str(path), latest=True).then(
            self._on_result, self._on_error
        )
        self.sig_result_changed.emit()

    def is_busy(self) -> bool:
        return self._pending is not None

    def show_error(self, message: str) -> None:
        """A photo that cannot be recognized (e.g. dropped text file): say why."""
        self._discard_pending()
        self.result, self.error = None, message
        self.sig_result_changed.emit()
        self.sig_status.emit(self.status_text())

    def _discard_pending(self) -> None:
        if self._pending is not None:
            self._pending.discard()
            self._pending = None

    @pyqtSlot(object)
    def _on_result(self, result: DogResult) -> None:
        self._pending = None
        self.result = result
        self.sig_result_changed.emit()
        self.sig_status.emit(self.status_text())

    def status_text(self) -> str:
        """The status line for the photo on screen, in the UI's language (again after a switch)."""
        if self.error:
            return self.error.splitlines()[0]
        if self.result is None:
            return ""
        name = self.photo.name if self.photo else ""
        return tr("Recognized {name} in {ms:.0f} ms").format(name=name, ms=self.result.latency_ms)

    @pyqtSlot(str)
    def _on_error(self, message: str) -> None:
        self._pending = None
        self.show_error(message)

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
        self.service.shutdown()
