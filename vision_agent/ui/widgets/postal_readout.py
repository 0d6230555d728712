"""The readout under the postal canvas: what each box reads, the code and its region.

Signals:
    sig_box_chosen(int): the user clicked the button under this box.
    sig_corrected(int box, int label): the user said what that box held (a digit, or
        NOT_A_DIGIT_LABEL) from the menu a click on a read box opens.
"""

from __future__ import annotations

from PyQt5.QtCore import QPoint, Qt, pyqtSignal
from PyQt5.QtGui import QFocusEvent, QFont, QFontMetrics, QKeyEvent
from PyQt5.QtWidgets import QAction, QButtonGroup, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from vision_agent.core.digit_status import DigitStatus
from vision_agent.core.handwriting_profile import NOT_A_DIGIT_LABEL
from vision_agent.core.postal import BOX_COUNT, BOX_LEFT, BOX_SIZE, DigitReading, PostalReading
from vision_agent.i18n import language, tr

STATUS_COLORS = {
    DigitStatus.OK: "#000000",
    DigitStatus.UNSURE: "#c05000",
    DigitStatus.BLANK: "#999999",
    DigitStatus.NOT_DIGIT: "#b00020",
}


def _bold_font(points: int) -> QFont:
    font = QFont()
    font.setPointSize(points)
    font.setBold(True)
    return font


def _every_box_takes_tab(group: QButtonGroup) -> None:
    for button in group.buttons():
        button.setFocusPolicy(Qt.StrongFocus)


class _BoxButton(QToolButton):
    """A box's reading: a click, Space or Enter opens its correction menu; Tab reaches every
    box (not only the chosen one, as an exclusive group would have it)."""

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)  # in a button group this takes Tab from the other boxes
        _every_box_takes_tab(self.group())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter):
            self.click()
        else:
            super().keyPressEvent(event)


class PostalReadout(QWidget):
    """One button under each box of a canvas `width` pixels wide, then the code and its region."""

    sig_box_chosen = pyqtSignal(int)
    sig_corrected = pyqtSignal(int, int)

    def __init__(self, width: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reading: PostalReading | None = None
        row = QWidget(self)
        row.setFixedSize(width, 56)
        self.box_buttons = QButtonGroup(self)
        self.box_buttons.setExclusive(False)  # kept exclusive by _check: every box takes Tab
        for i in range(BOX_COUNT):
            button = _BoxButton(row)
            button.setCheckable(True)
            button.setFont(_bold_font(15))
            button.setToolButtonStyle(Qt.ToolButtonTextOnly)
            button.setGeometry(BOX_LEFT + BOX_SIZE * i + 4, 2, BOX_SIZE - 8, 52)
            self.box_buttons.addButton(button, i)
        _every_box_takes_tab(self.box_buttons)
        self.box_buttons.idClicked.connect(self._on_box_clicked)
        self.correction_menu = QMenu(self)
        self.correction_menu.triggered.connect(self._on_correction_chosen)
        self._correcting: int | None = None
        self.code_label = QLabel(self)
        self.code_label.setFont(_bold_font(18))
        self.code_label.setTextFormat(Qt.RichText)
        self.code_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.region_label = QLabel(self)
        self.warning_label = QLabel(self)
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(f"color: {STATUS_COLORS[DigitStatus.UNSURE]};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (row, self.code_label, self.region_label, self.warning_label):
            layout.addWidget(widget)

    def retranslate_ui(self) -> None:
        self.correction_menu.clear()
        self.correction_menu.addSection(tr("It was:"))
        for label in range(NOT_A_DIGIT_LABEL + 1):
            text = str(label) if label < NOT_A_DIGIT_LABEL else tr("Not a digit")
            self.correction_menu.addAction(text).setData(label)
        self.show_reading(self.reading)

    def checked_box(self) -> int:
        """The chosen box, or -1."""
        checked = [self.box_buttons.id(b) for b in self.box_buttons.buttons() if b.isChecked()]
        return checked[0] if checked else -1

    def choose_least_confident(self) -> int | None:
        """Choose the box whose digit the model is least sure of (None: no digit read)."""
        reading = self.reading
        filled = [] if reading is None else reading.digits
        confidences = [(d.confidence, i) for i, d in enumerate(filled) if d.digit is not None]
        if not confidences:
            return None
        index = min(confidences)[1]
        self._check(index)
        return index

    def _check(self, index: int) -> None:
        for button in self.box_buttons.buttons():
            button.setChecked(self.box_buttons.id(button) == index)
        _every_box_takes_tab(self.box_buttons)

    def _on_box_clicked(self, index: int) -> None:
        self._check(index)
        self.sig_box_chosen.emit(index)
        if self.reading is None or self.reading.digits[index].status is DigitStatus.BLANK:
            return
        self._correcting = index
        button = self.box_buttons.button(index)
        self.correction_menu.popup(button.mapToGlobal(QPoint(0, button.height())))

    def _on_correction_chosen(self, action: QAction) -> None:
        if self._correcting is not None and action.data() is not None:
            self.sig_corrected.emit(self._correcting, int(action.data()))
        self._correcting = None

    def show_reading(self, reading: PostalReading | None) -> None:
        self.reading = reading
        for i in range(BOX_COUNT):
            button = self.box_buttons.button(i)
            if reading is None:
                button.setText("")
                button.setToolTip("")
                button.setStyleSheet("")
                continue
            digit = reading.digits[i]
            text, tip = _box_texts(digit)
            button.setFont(_fitting_font(text, button.width() - 10))
            button.setText(text)
            button.setToolTip(tip)
            button.setStyleSheet(f"color: {STATUS_COLORS[digit.status]};")
        self.warning_label.setText(ink_warning(reading))
        self.warning_label.setVisible(bool(self.warning_label.text()))
        if reading is None:
            self.code_label.setText(tr("Postal code: -----"))
            self.region_label.setText("")
            return
        marked = "".join(
            mark
            if d.status is DigitStatus.OK
            else f'<span style="color:{STATUS_COLORS[d.status]}">{mark}</span>'
            for d, mark in zip(reading.digits, reading.marked_code, strict=True)
        )
        self.code_label.setText(tr("Postal code: {code}").format(code=marked))
        self.region_label.setText(_region_text(reading))


def _fitting_font(text: str, width: int) -> QFont:
    """The box font (bold, 15 pt), smaller until every line of `text` fits `width` pixels: "no
    digit" whole, never "no …it"."""
    font = _bold_font(15)
    while font.pointSize() > 8:
        if max(QFontMetrics(font).horizontalAdvance(line) for line in text.split("\n")) <= width:
            break
        font.setPointSize(font.pointSize() - 1)
    return font


def _box_texts(digit: DigitReading) -> tuple[str, str]:
    """The text under a box and its tooltip, by the reading's status."""
    if digit.status is DigitStatus.BLANK:
        return tr("blank"), ""
    if digit.status is DigitStatus.NOT_DIGIT:
        return tr("no digit") + f"\n{digit.confidence:.0%}", tr(
            "This does not look like a digit: erase it and write it again."
        )
    if digit.status is DigitStatus.UNSURE:
        (first, p1), (second, p2) = digit.alternatives
        text = tr("{a} or {b}?").format(a=first, b=second) + f"\n{p1 * 100:.0f}/{p2:.0%}"
        tip = tr("Unsure: {a} ({pa:.0%}) or {b} ({pb:.0%}). Check this digit.").format(
            a=first, pa=p1, b=second, pb=p2
        )
        if digit.crosses_edge:
            tip = tr("This digit crosses its box's edge: only the part inside the box is read.")
        return text, tip
    if digit.by_profile:
        return f"{digit.digit} ✎\n{digit.confidence:.0%}", tr("Read with your handwriting profile.")
    return f"{digit.digit}\n{digit.confidence:.0%}", ""


def ink_warning(reading: PostalReading | None) -> str:
    """What the reading left out or read only in part: ink outside the boxes, digits across a
    box's edge ('' when neither)."""
    if reading is None:
        return ""
    warnings = []
    if reading.ink_outside:
        warnings.append(tr("Ink outside the five boxes is not read."))
    if reading.crossing_boxes:
        boxes = ", ".join(str(i + 1) for i in reading.crossing_boxes)
        warnings.append(
            tr(
                "A digit crosses a box's edge (box {boxes}): write each digit inside its box."
            ).format(boxes=boxes)
        )
    return " ".join(warnings)


def _region_text(reading: PostalReading) -> str:
    if any(d.status is DigitStatus.NOT_DIGIT for d in reading.digits):
        return tr("Some boxes hold no digit.")
    if "?" in reading.code:
        return tr("Some boxes are blank.")
    if not reading.marked_code[:2].isdigit():
        return tr("The region waits for the unsure first two digits: check them.")
    name = reading.region_name(language())
    if name is None:
        return tr(
            "{prefix} is not a region's prefix (reserved, or the five northern provinces)."
        ).format(prefix=reading.code[:2])
    return name
