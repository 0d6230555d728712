"""A picture of a network's stages in a row: trained ones coloured, frozen ones grey, each with
its parameter count, and the trainable/frozen totals below (Keras's counts)."""

from __future__ import annotations

from PyQt5.QtCore import QRectF, QSize, Qt
from PyQt5.QtGui import QColor, QPainter, QPaintEvent
from PyQt5.QtWidgets import QSizePolicy, QWidget

from vision_agent.i18n import tr

TRAINED = QColor(70, 130, 220)
FROZEN = QColor(190, 190, 190)


def compact(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1e6:.1f}M"
    if count >= 1_000:
        return f"{count / 1e3:.0f}k"
    return str(count)


class NetworkStages(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = None  # NetworkSummary
        self.message = ""
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setMinimumHeight(96)

    def sizeHint(self) -> QSize:
        return QSize(480, 96)

    def set_summary(self, summary, message: str = "") -> None:
        self.summary, self.message = summary, message
        self.setToolTip(self.totals_text())
        self.update()

    def totals_text(self) -> str:
        if self.summary is None:
            return self.message
        return tr("Trainable: {trained} parameters · frozen: {frozen}").format(
            trained=f"{self.summary.trainable:,}", frozen=f"{self.summary.non_trainable:,}"
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        width, height = self.width(), self.height()
        text_height = 22
        if self.summary is None or not self.summary.stages:
            painter.drawText(self.rect(), Qt.AlignCenter | Qt.TextWordWrap, self.message)
            return
        stages = self.summary.stages
        gap = 3.0
        box_width = max(8.0, (width - gap * (len(stages) - 1)) / len(stages))
        box_height = height - text_height - 4
        font = painter.font()
        font.setPointSizeF(max(6.0, min(9.0, box_width / 6)))
        painter.setFont(font)
        for k, stage in enumerate(stages):
            box = QRectF(k * (box_width + gap), 0, box_width, box_height)
            painter.setPen(Qt.NoPen)
            painter.setBrush(TRAINED if stage.trainable else FROZEN)
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(Qt.white if stage.trainable else Qt.black)
            text = f"{stage_label(stage.name)}\n{compact(stage.parameters)}"
            if box_width >= box_height:  # room to write across
                painter.drawText(box, Qt.AlignCenter | Qt.TextWordWrap, text)
                continue
            painter.save()
            painter.translate(box.center())
            painter.rotate(-90)
            painter.drawText(
                QRectF(-box_height / 2, -box_width / 2, box_height, box_width),
                Qt.AlignCenter | Qt.TextWordWrap,
                text,
            )
            painter.restore()
        painter.setPen(self.palette().windowText().color())
        painter.drawText(
            QRectF(0, height - text_height, width, text_height),
            Qt.AlignLeft | Qt.AlignVCenter,
            self.totals_text(),
        )


def stage_label(name: str) -> str:
    """A stage's name as drawn: the backbone's own block names as they are, the part the app
    adds ("new head") in the UI's language."""
    return tr(name.replace("_", " "))
