"""A model list that says which models are on this computer and what a download would take."""

from __future__ import annotations

from collections.abc import Callable

from PyQt5.QtCore import QSignalBlocker, QSize, Qt
from PyQt5.QtWidgets import QComboBox, QWidget

from vision_agent.i18n import tr
from vision_agent.models.registry import default_registry
from vision_agent.ui.model_problem_text import size_text

# (key, caption, registry id or None for a user's file)
ModelItem = tuple[str, str, str | None]


def needs_download_caption(caption: str, model_id: str) -> str:
    size = size_text(default_registry().get(model_id))
    if size != "?":
        return tr("{name} — download {size}").format(name=caption, size=size)
    return tr("{name} — download needed").format(name=caption)


class NarrowableCombo(QComboBox):
    """A list as wide as its longest name when there is room, which lets the window be narrower
    than that name (the name is then cut at the right): a long model name never widens the tab
    past the window (the window grew when the face tab or the ImageNet tab was first shown)."""

    NARROWEST_CHARACTERS = 22

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        narrowest = self.fontMetrics().averageCharWidth() * self.NARROWEST_CHARACTERS
        return QSize(min(hint.width(), narrowest), hint.height())


class ModelCombo(NarrowableCombo):
    """Models by key; a registry model that is not present is marked with its download size.

    Only a click focuses it: the arrow keys of the tab browse photos, never switch models.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.ClickFocus)
        self.setSizeAdjustPolicy(QComboBox.AdjustToContents)

    def fill(self, items: list[ModelItem], current: str, is_present: Callable[[str], bool]) -> None:
        with QSignalBlocker(self):
            self.clear()
            for key, caption, model_id in items:
                if model_id is not None and not is_present(model_id):
                    caption = needs_download_caption(caption, model_id)
                self.addItem(caption, key)
            self.setCurrentIndex(max(0, self.findData(current)))
