"""A frame a student can see around the control that has the keyboard focus.

The platform's style marks focus faintly or not at all (Fusion tints a button's edge); this
proxy draws a 2-pixel frame in the highlight colour around focused buttons, check boxes, tool
buttons, sliders, drop-down lists and spin boxes, on top of the style's own drawing.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QPainter, QPen
from PyQt5.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

FRAMED_CONTROLS = (QStyle.CE_PushButton, QStyle.CE_CheckBox, QStyle.CE_RadioButton)
FRAMED_COMPLEX = (QStyle.CC_ToolButton, QStyle.CC_Slider, QStyle.CC_ComboBox, QStyle.CC_SpinBox)


class FocusFrameStyle(QProxyStyle):
    def drawControl(
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawControl(element, option, painter, widget)
        if element in FRAMED_CONTROLS:
            _frame(option, painter)

    def drawComplexControl(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawComplexControl(control, option, painter, widget)
        if control in FRAMED_COMPLEX:
            _frame(option, painter)


def _frame(option: QStyleOption, painter: QPainter) -> None:
    if not option.state & QStyle.State_HasFocus:
        return
    painter.save()
    painter.setRenderHint(QPainter.Antialiasing, False)
    painter.setPen(QPen(option.palette.highlight().color(), 2))
    painter.setBrush(Qt.NoBrush)
    painter.drawRect(option.rect.adjusted(1, 1, -1, -1))
    painter.restore()


def show_focus_frames(app: QApplication) -> None:
    """Use the frame in every window of `app` (once)."""
    if not isinstance(app.style(), FocusFrameStyle):
        app.setStyle(FocusFrameStyle(app.style().objectName()))
