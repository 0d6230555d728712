"""The postal tab's pipeline: the digit model's service, the newest reading, a look inside.

The view sends drawings (`recognize`), says which box to look inside and whether to, and renders
what the signals bring back; the newest drawing wins, and a reading of a drawing the user has
since erased never arrives. A digit model that fails to load is refused and the one before it is
loaded again; a newly loaded model reads the newest drawing again.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal, pyqtSlot

from vision_agent.controllers.model_slot import (
    ModelChoice,
    ModelSlot,
    Pending,
    file_caption,
)
from vision_agent.core.handwriting_profile import HandwritingProfile
from vision_agent.core.postal import SHIPPED_MODEL, PostalReading, PostalRecognizer
from vision_agent.engine.recipes import digit_model_spec


class PostalController(QObject):
    """Owns the digit model's slot and what is asked of it.

    Signals:
        sig_recognized(object): the PostalReading of the newest drawing sent.
        sig_recognition_failed(str message): the model could not read it.
        sig_explained(object): a BoxExplanation of the chosen box of the newest drawing, while
            looking inside is on.
        sig_explain_failed(str message): the model could not explain the box.
    The model's state and refusals come from `slot.sig_status`.
    """

    sig_recognized = pyqtSignal(object)
    sig_recognition_failed = pyqtSignal(str)
    sig_explained = pyqtSignal(object)
    sig_explain_failed = pyqtSignal(str)

    def __init__(self, model_path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.slot = ModelSlot("postal", parent=self)
        self.slot.sig_loading.connect(self._on_loading)
        self.slot.sig_ready.connect(self._on_ready)
        self.service = self.slot.service
        self._start_path = Path(model_path or SHIPPED_MODEL)
        self.reading: PostalReading | None = None
        self._profile: HandwritingProfile | None = None
        self._drawing: np.ndarray | None = None  # the newest drawing sent to be read
        self._reading = Pending()
        self._box = -1  # the box chosen to look inside
        self._looking_inside = False
        self._explaining = Pending()

    @property
    def model_path(self) -> Path:
        """The digit model in use or being loaded (the one to load at start before that)."""
        shown = self.slot.shown
        return shown.key if shown is not None else self._start_path

    # --- the model ----------------------------------------------------------------------
    def load_model(self, path: Path) -> None:
        """Load this digit model (the current one comes back if it fails)."""
        path = Path(path)
        self.slot.load(ModelChoice(path, digit_model_spec(path), file_caption(path)))

    @pyqtSlot(object)
    def _on_loading(self, _choice: ModelChoice) -> None:
        # Calls asked before this load are asked again of the new model once it is ready.
        self._reading.discard()
        self._explaining.discard()
        if self._profile is not None:
            self.use_profile(self._profile)

    def use_profile(self, profile: HandwritingProfile) -> None:
        """Read with this handwriting profile's samples from now on."""
        self._profile = profile
        inputs, labels = profile.float_inputs(), profile.labels.astype(int)
        self.slot.call(PostalRecognizer.use_profile, inputs, labels)

    def teach(self, labels: dict[int, int]) -> np.ndarray | None:
        """The model learns these boxes of the current reading ({box: right label}); returns the
        boxes' 28×28 inputs, in box order (None: nothing to learn). Read the drawing again next."""
        if self.reading is None or not labels:
            return None
        inputs, answers = self.reading.taught_boxes(labels)
        self.slot.call(PostalRecognizer.teach, inputs[..., None], answers)
        return inputs

    def code_labels(self, code: str) -> dict[int, int] | None:
        """'That was: 48058' as {box: digit} for the boxes of the current reading that hold ink
        ('?' skips a box); None before any reading (see `PostalReading.taught_labels`)."""
        return None if self.reading is None else self.reading.taught_labels(code)

    @pyqtSlot(object)
    def _on_ready(self, _choice: ModelChoice) -> None:
        # Read the drawing with this model, unless that was asked while it loaded.
        if self._drawing is not None and not self._reading:
            self._ask_reading()
        if not self._explaining:
            self._explain()

    # --- reading ------------------------------------------------------------------------
    def recognize(self, drawing: np.ndarray) -> None:
        """Read this 200×520 drawing (it supersedes any drawing not read yet)."""
        self._drawing = drawing
        self._ask_reading()
        self._explain()

    def _ask_reading(self) -> None:
        reply = self.slot.call(PostalRecognizer.recognize, self._drawing, latest=True)
        self._reading.ask(reply, self._on_reading, self.sig_recognition_failed.emit)

    def forget_drawing(self) -> None:
        """The canvas is blank: no reading, no look inside, and none still on its way."""
        self._reading.discard()
        self._drawing = None
        self.reading = None
        self._explain()

    @pyqtSlot(object)
    def _on_reading(self, reading: PostalReading) -> None:
        self.reading = reading
        self.sig_recognized.emit(reading)

    # --- looking inside -----------------------------------------------------------------
    def look_inside(self, on: bool) -> None:
        """Explain the chosen box of the newest drawing from now on (asked of the model only
        while on: it costs a pass through every layer)."""
        self._looking_inside = on
        self._explain()

    def choose_box(self, box: int) -> None:
        """The box to look inside (-1: none)."""
        self._box = box
        self._explain()

    def explaining(self) -> bool:
        """Whether an explanation is on its way."""
        return bool(self._explaining)

    def _explain(self) -> None:
        """Ask for what each layer makes of the chosen box (the newest request wins)."""
        self._explaining.discard()
        if self._looking_inside and self._drawing is not None and self._box >= 0:
            reply = self.slot.call(PostalRecognizer.explain, self._drawing, self._box, latest=True)
            self._explaining.ask(reply, self.sig_explained.emit, self.sig_explain_failed.emit)

    def shutdown(self) -> None:
        self.slot.shutdown()
