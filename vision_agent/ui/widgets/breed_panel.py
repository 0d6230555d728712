"""The dog tab's right side: the verdict, the breed chart, Save image and Copy results."""

from __future__ import annotations

import re

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QFont
from PyQt5.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from vision_agent.core.dogs import UNSURE_BELOW, DogResult
from vision_agent.i18n import tr
from vision_agent.ui.widgets.labels_check import LabelsCheck
from vision_agent.ui.widgets.probability_bars import ProbabilityBars

ERROR_STYLE = "color: #b00020;"
NO_DOG_STYLE = "color: #c05000;"
# The recognizers describe their input in English (core/dogs.py, core/keras_breeds.py); the two
# descriptions that carry figures are matched here to be said in the UI's language.
_DESCRIPTIONS = (
    (
        re.compile(
            r"(?P<order>\w+) (?P<w>\d+)×(?P<h>\d+) \(shorter side (?P<side>\d+), centre crop\)"
        ),
        "{order} {w}×{h} (shorter side {side}, centre crop)",
    ),
    (
        re.compile(r"raw RGB 0\.\.255 \(the model has (?P<inside>.+) inside\)"),
        "raw RGB 0..255 (the model has {inside} inside)",
    ),
)


def input_text(how: str) -> str:
    """A recognizer's input description in the UI's language."""
    for pattern, text in _DESCRIPTIONS:
        if match := pattern.fullmatch(how):
            return tr(text).format(**match.groupdict())
    return tr(how)


class BreedPanel(QWidget):
    """What the recognizer said about the photo: a verdict line, details, the top-5 chart."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.verdict_label = QLabel(self)
        font = QFont()
        font.setPointSize(15)
        font.setBold(True)
        self.verdict_label.setFont(font)
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.detail_label = QLabel(self)
        self.detail_label.setWordWrap(True)
        self.labels_check = LabelsCheck("dogs/labels_shown", self)
        self.chart = ProbabilityBars(horizontal=True, parent=self)
        self.chart.setMinimumWidth(360)
        self.save_button = QPushButton(self)
        self.copy_button = QPushButton(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.detail_label)
        layout.addWidget(self.labels_check)
        layout.addWidget(self.chart, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.copy_button)
        layout.addLayout(buttons)

    def retranslate_ui(self) -> None:
        self.labels_check.retranslate_ui()
        self.save_button.setText(tr("Save image…"))
        self.copy_button.setText(tr("Copy results"))

    def show_busy(self, name: str) -> None:
        """A photo is being recognized (or a new recognizer loads): no answer of before stays."""
        self._verdict(tr("Recognizing {name}…").format(name=name))
        self.detail_label.setText("")
        self.chart.clear_bars()

    def show_error(self, title: str, message: str) -> None:
        self._verdict(title, ERROR_STYLE)
        self.detail_label.setText(message)
        self.chart.clear_bars()
        self._enable(None)

    def show_result(self, result: DogResult | None) -> None:
        self._enable(result)
        if result is None:
            self._verdict(tr("No photo yet"))
            self.detail_label.setText("")
            self.chart.clear_bars()
            return
        best = result.top[0]
        if result.is_dog is False:
            thing = result.seen or "?"
            verdict = tr("No dog found — this looks like: {thing}").format(thing=thing)
            self._verdict(verdict, NO_DOG_STYLE)
            detail = tr("Dog score {score:.1%}. If it were a dog, it would be a {breed}.").format(
                score=result.dog_score or 0.0, breed=best.breed
            )
            title = tr("Closest breeds")
        elif result.unsure:
            second = result.top[1] if len(result.top) > 1 else best
            verdict = tr("Not sure: {first} ({p1:.0%}) or {second} ({p2:.0%})?").format(
                first=best.breed, p1=best.probability, second=second.breed, p2=second.probability
            )
            self._verdict(verdict, NO_DOG_STYLE)
            detail = tr(
                "No breed stands out (the first has less than {share:.0%}): the alternatives are "
                "in the chart. Dog score {score:.1%}."
            ).format(share=UNSURE_BELOW, score=result.dog_score or 0.0)
            title = tr("Top-5 breeds")
        else:
            self._verdict(f"{best.breed}  {best.probability:.1%}")
            if result.dog_score is None:
                detail = tr("No ImageNet classifier here to check that it is a dog.")
            else:
                detail = tr("Dog score {score:.1%}").format(score=result.dog_score)
            title = tr("Top-5 breeds")
        how = tr("Input: {how}").format(how=input_text(result.preprocessing))
        self.detail_label.setText(f"{detail}\n{how}")
        self.chart.set_bars(
            [s.breed for s in result.top], [s.probability for s in result.top], title
        )

    def _enable(self, result: DogResult | None) -> None:
        self.save_button.setEnabled(result is not None and result.labels is not None)
        self.copy_button.setEnabled(result is not None)

    def _verdict(self, text: str, style: str = "") -> None:
        self.verdict_label.setText(text)
        self.verdict_label.setStyleSheet(style)
