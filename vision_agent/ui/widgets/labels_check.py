"""The check box that shows or hides the labels drawn over a photo, remembered in the settings.

The labels (the top-5 panel) sit over the photo's top-left corner and can hide the subject; the
student turns them off here or with L, and the tab opens the same way next time.
"""

from __future__ import annotations

from PyQt5.QtWidgets import QCheckBox, QWidget

from vision_agent.i18n import tr
from vision_agent.ui.settings import app_settings


class LabelsCheck(QCheckBox):
    """Checked while the labels are laid over the photo; the state is the setting `key`
    (a row of core/settings.KEYS), read at start and written on each change."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key = key
        self.setChecked(bool(app_settings().value(key)))
        self.toggled.connect(self._remember)

    def retranslate_ui(self) -> None:
        self.setText(tr("Top-5 labels on the photo"))
        self.setToolTip(tr("Show or hide the labels on the photo") + " (L)")

    def _remember(self, shown: bool) -> None:
        app_settings().setValue(self._key, shown)
