"""The postal-code drawing canvas: 520×200 white paper, five guide boxes, black ink, undo/redo."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from PyQt5.QtCore import QPoint, QPointF, QRect, Qt, pyqtSignal
from PyQt5.QtGui import QColor, QFocusEvent, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PyQt5.QtWidgets import QSizePolicy, QWidget

from vision_agent.core.postal import BOX_COUNT, CANVAS_HEIGHT, CANVAS_WIDTH, box_rect
from vision_agent.ui.qimage import gray_to_qimage, qimage_to_gray

DEFAULT_PEN_WIDTH = 8  # brush radius 4, as in the course
GUIDE_COLOR = QColor(120, 150, 220)
SELECTED_COLOR = QColor(230, 120, 30)

Stroke = tuple[int, list[QPointF]]  # pen width, points
Snapshot = tuple[QImage, tuple[Stroke, ...]]  # the drawing: a base picture and strokes on it


class DrawingCanvas(QWidget):
    """Draw with the left mouse button; guides are shown but are not part of the drawing.

    Every edit (a stroke, erasing, a drawing put in) can be undone and redone; a new edit after
    an undo drops what could be redone.

    Signals:
        sig_stroke_finished(): the user released the mouse after a stroke.
        sig_changed(): the drawing changed (stroke, undo, clear, or a loaded drawing).
    """

    sig_stroke_finished = pyqtSignal()
    sig_changed = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(CANVAS_WIDTH, CANVAS_HEIGHT)
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        self.setCursor(Qt.CrossCursor)
        self.setAttribute(Qt.WA_OpaquePaintEvent)
        self.pen_width = DEFAULT_PEN_WIDTH
        self.selected_box: int | None = None
        self._base = self._blank()
        self._strokes: list[Stroke] = []
        self._undo: list[Snapshot] = []
        self._redo: list[Snapshot] = []
        self._ink = self._blank()
        self._drawing = False

    @staticmethod
    def _blank() -> QImage:
        image = QImage(CANVAS_WIDTH, CANVAS_HEIGHT, QImage.Format_Grayscale8)
        image.fill(255)
        return image

    # --- drawing state -------------------------------------------------------------------
    def has_ink(self) -> bool:
        return bool(self._strokes) or self._base_has_ink()

    def _base_has_ink(self) -> bool:
        return bool((qimage_to_gray(self._base) < 250).any())

    def set_pen_width(self, width: int) -> None:
        self.pen_width = width

    def stroke_count(self) -> int:
        return len(self._strokes)

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def clear(self) -> None:
        """Erase everything (an edit that can be undone; erasing blank paper is none)."""
        if self.has_ink():
            self._replace(self._blank())

    def set_drawing(self, gray: np.ndarray) -> None:
        """Replace the drawing with a 200×520 grayscale image (an edit that can be undone)."""
        if gray.shape != (CANVAS_HEIGHT, CANVAS_WIDTH):
            raise ValueError(f"drawing must be {CANVAS_WIDTH}×{CANVAS_HEIGHT}")
        self._replace(gray_to_qimage(gray))

    def undo(self) -> bool:
        """Go back one edit; False when there is none."""
        return self._step(self._undo, self._redo)

    def redo(self) -> bool:
        """Do again the edit undone last; False when there is none."""
        return self._step(self._redo, self._undo)

    def _snapshot(self) -> Snapshot:
        return self._base, tuple(self._strokes)

    def _remember(self) -> None:
        """Called before an edit: the drawing as it was goes on the undo stack."""
        self._undo.append(self._snapshot())
        self._redo.clear()

    def _replace(self, base: QImage) -> None:
        self._remember()
        self._base = base
        self._strokes = []
        self._redraw()

    def _step(self, source: list[Snapshot], target: list[Snapshot]) -> bool:
        if not source:
            return False
        target.append(self._snapshot())
        self._base, strokes = source.pop()
        self._strokes = list(strokes)
        self._redraw()
        return True

    def drawing_gray(self) -> np.ndarray:
        """The drawing (without guides) as a 200×520 uint8 array, white paper, black ink."""
        return qimage_to_gray(self._ink)

    def select_box(self, index: int | None) -> None:
        self.selected_box = index
        self.update()

    # --- painting -----------------------------------------------------------------------
    def _pen(self) -> QPen:
        return QPen(Qt.black, self.pen_width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin)

    def _paint_stroke(self, painter: QPainter, width: int, points: list[QPointF]) -> None:
        painter.setPen(QPen(Qt.black, width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
        if len(points) == 1:
            painter.drawPoint(points[0])
        else:
            for a, b in pairwise(points):
                painter.drawLine(a, b)

    def _redraw(self) -> None:
        self._ink = self._base.copy()
        painter = QPainter(self._ink)
        painter.setRenderHint(QPainter.Antialiasing)
        for width, points in self._strokes:
            self._paint_stroke(painter, width, points)
        painter.end()
        self.update()
        self.sig_changed.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawImage(0, 0, self._ink)
        for i in range(BOX_COUNT):
            x, y, w, h = box_rect(i)
            selected = i == self.selected_box
            painter.setPen(QPen(SELECTED_COLOR if selected else GUIDE_COLOR, 2 if selected else 1))
            painter.drawRect(QRect(x, y, w - 1, h - 1))
        if self.hasFocus():  # the keys E, S, R... go here: a frame shows it, as on every control
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
        painter.end()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    # --- mouse --------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.LeftButton:
            return
        self.setFocus(Qt.MouseFocusReason)  # the course's E/S/R/Q keys work right after drawing
        self._drawing = True
        self._remember()
        self._strokes.append((self.pen_width, [QPointF(event.pos())]))
        self._extend_ink(QPoint(event.pos()), QPoint(event.pos()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not self._drawing or not (event.buttons() & Qt.LeftButton):
            return
        points = self._strokes[-1][1]
        previous = points[-1].toPoint()
        points.append(QPointF(event.pos()))
        self._extend_ink(previous, QPoint(event.pos()))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.LeftButton or not self._drawing:
            return
        self._drawing = False
        self.sig_changed.emit()
        self.sig_stroke_finished.emit()

    def _extend_ink(self, a: QPoint, b: QPoint) -> None:
        painter = QPainter(self._ink)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(self._pen())
        if a == b:
            painter.drawPoint(a)
        else:
            painter.drawLine(a, b)
        painter.end()
        margin = self.pen_width + 2
        self.update(QRect(a, b).normalized().adjusted(-margin, -margin, margin, margin))
