"""The postal tab's chart: the chosen box's ten digit probabilities under a title that wraps."""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QLabel, QVBoxLayout, QWidget

from vision_agent.core.postal import PostalReading
from vision_agent.i18n import tr
from vision_agent.ui.widgets.probability_bars import ProbabilityBars

DIGITS = [str(d) for d in range(10)]


class DigitChart(QWidget):
    """A title label above the bars (the plot's own title would widen the plot past the widget
    in a narrow window, cutting off the last digits)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reading: PostalReading | None = None
        self.box = -1
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignCenter)
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.bars = ProbabilityBars(parent=self)
        self.bars.setMinimumSize(260, 170)  # readable beside the "Inside the network" panel
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.bars, 1)

    def show_box(self, reading: PostalReading | None, box: int) -> None:
        """The probabilities of `box` (-1: none chosen) in this reading."""
        self.reading, self.box = reading, box
        if reading is None or box < 0 or not reading.digits[box].probabilities:
            self.title.setText(tr("Probabilities (click a digit under a box)"))
            self.bars.set_bars(DIGITS, [0.0] * 10)
            return
        self.title.setText(tr("Box {n}: probabilities").format(n=box + 1))
        self.bars.set_bars(DIGITS, reading.digits[box].probabilities)

    def retranslate_ui(self) -> None:
        self.show_box(self.reading, self.box)
