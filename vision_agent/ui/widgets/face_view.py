"""The face cam's picture: the annotated frame, and its figures in a box over its corner."""

from __future__ import annotations

from PyQt5.QtWidgets import QWidget

from vision_agent.controllers.faces import StreamStats
from vision_agent.core.faces import FaceDetection
from vision_agent.ui.face_texts import overlay_text
from vision_agent.ui.widgets.corner_label import CornerLabel
from vision_agent.ui.widgets.image_view import ImageView


class FaceView(ImageView):
    """An ImageView with a `CornerLabel` overlay: face count, then rates, photo size or pause."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.overlay = CornerLabel(self)
        self._stats: StreamStats | None = None
        self._paused = False
        self._stopped = False

    def show_detection(self, detection: FaceDetection, stats: StreamStats) -> None:
        self.set_image(detection.annotated)
        self._stats = stats
        self.retranslate_ui()

    def clear(self) -> None:
        self.set_image(None)
        self._stats = None
        self._stopped = False
        self.retranslate_ui()

    def set_stopped(self) -> None:
        """The source stopped or ended: the last frame stays, its rates go."""
        self._stopped = True
        self.retranslate_ui()

    def set_paused(self, paused: bool) -> None:
        self._paused = paused
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Write the overlay again (in the UI's language)."""
        image = self.image()
        if self._stats is None or image is None:
            self.overlay.setVisible(False)
            return
        size = image.width(), image.height()
        text = overlay_text(self._stats, *size, self._paused, self._stopped)
        self.overlay.show_text(text)
