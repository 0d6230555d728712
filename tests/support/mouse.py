"""Real mouse drags for pytest-qt tests: press, moves with the button held, release."""

from __future__ import annotations

from PyQt5.QtCore import QEvent, QPoint, Qt
from PyQt5.QtGui import QMouseEvent
from PyQt5.QtWidgets import QApplication, QSlider, QStyle, QStyleOptionSlider, QWidget


def _send(widget: QWidget, kind: QEvent.Type, at: QPoint, buttons) -> None:
    button = Qt.NoButton if kind == QEvent.MouseMove else Qt.LeftButton
    event = QMouseEvent(kind, at, widget.mapToGlobal(at), button, buttons, Qt.NoModifier)
    QApplication.sendEvent(widget, event)


def drag(widget: QWidget, points: list[QPoint]) -> None:
    """Press the left button at the first point, move through the others, release at the last
    (no event processing in between: as fast as a hand that does not wait for the app)."""
    _send(widget, QEvent.MouseButtonPress, points[0], Qt.LeftButton)
    for point in points[1:]:
        _send(widget, QEvent.MouseMove, point, Qt.LeftButton)
    _send(widget, QEvent.MouseButtonRelease, points[-1], Qt.NoButton)


def slider_handle(slider: QSlider) -> QPoint:
    """The centre of a slider's handle, in the slider's coordinates."""
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    handle = slider.style().subControlRect(QStyle.CC_Slider, option, QStyle.SC_SliderHandle, slider)
    return handle.center()
