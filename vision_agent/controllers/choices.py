"""Choices every tab shares: which ImageNet classifier the user picked, which models are here.

The main window owns one `SharedChoices`; the ImageNet and dog tabs read and follow it, and the
Models dialog (or a tab's download panel) calls `models_changed()` after a download or an import
so that every tab can use the new model at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt5.QtCore import QObject, pyqtSignal

from vision_agent.controllers.model_slot import store_presence
from vision_agent.core.classify import DEFAULT_MODEL, MODEL_ALIASES
from vision_agent.core.settings import Settings
from vision_agent.models.store import ModelStore, default_store

CLASSIFIER_MODEL_KEY = "classifier/model"  # the ImageNet classifier the user chose (dog tab too)


class SharedChoices(QObject):
    """The ImageNet model choice (kept in the settings) and which registry models are present.

    Presence is checked in the model store (no download, no network) once per model and
    remembered until `models_changed()`.

    Signals:
        sig_imagenet_model_changed(str): the ImageNet classifier now in use (an alias of
            MODEL_ALIASES or the path of a user's Keras file).
        sig_models_changed(): models were downloaded or imported; ask `is_present` again.
    """

    sig_imagenet_model_changed = pyqtSignal(str)
    sig_models_changed = pyqtSignal()

    def __init__(
        self,
        settings: Settings,
        store: Callable[[], ModelStore] = default_store,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._store = store
        self._present: dict[str, bool] = {}

    def imagenet_model(self) -> str:
        """The user's choice when it can be used here; else the default (the shipped model) or
        the first built-in that is present (offline, the tab opens on a model it has)."""
        chosen = self._settings.value(CLASSIFIER_MODEL_KEY)
        if chosen in MODEL_ALIASES and self.is_present(MODEL_ALIASES[chosen]):
            return chosen
        if chosen and chosen not in MODEL_ALIASES and Path(chosen).is_file():
            return chosen
        present = [key for key, model_id in MODEL_ALIASES.items() if self.is_present(model_id)]
        if chosen in MODEL_ALIASES and not present:
            return chosen
        if DEFAULT_MODEL in present or not present:
            return DEFAULT_MODEL
        return present[0]

    def set_imagenet_model(self, model: str) -> None:
        """The user chose `model` (and it loaded): remember it and tell the other tabs."""
        self._settings.setValue(CLASSIFIER_MODEL_KEY, model)
        self.sig_imagenet_model_changed.emit(model)

    def is_present(self, model_id: str) -> bool:
        """Whether the registry model's files are on this computer (with the registry's sizes:
        no hashing, the model service checks the hash when it loads the model)."""
        if model_id not in self._present:
            self._present[model_id] = store_presence(model_id, self._store)
        return self._present[model_id]

    def models_changed(self) -> None:
        """Models were downloaded or imported: forget what was present and tell every tab."""
        self._present.clear()
        self.sig_models_changed.emit()
