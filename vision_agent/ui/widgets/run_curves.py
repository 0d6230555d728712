"""Accuracy and loss per epoch (pyqtgraph): the run in progress, train and validation, and the
validation curves of the runs picked for comparison, each in its own colour."""

from __future__ import annotations

import pyqtgraph as pg
from PyQt5.QtWidgets import QHBoxLayout, QWidget

from vision_agent.i18n import tr

OVERLAY_COLOURS = ("#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")


class RunCurves(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accuracy = pg.PlotWidget(self)
        self.loss = pg.PlotWidget(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for plot in (self.accuracy, self.loss):
            plot.setBackground("w")
            plot.showGrid(x=True, y=True, alpha=0.3)
            plot.addLegend(offset=(-10, 10))
            plot.setMinimumSize(260, 180)
            layout.addWidget(plot)
        self.accuracy.setYRange(0, 1.02)
        self._history: list[dict] = []
        self._overlays: list[tuple[str, list[dict]]] = []
        self._drawn: str | None = None  # what the plots show now (see `_redraw`)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.accuracy.setTitle(tr("Accuracy"))
        self.loss.setTitle(tr("Loss"))
        self.accuracy.setLabel("bottom", tr("epoch"))
        self.loss.setLabel("bottom", tr("epoch"))
        self._redraw()

    def show_history(self, history: list[dict], overlays: list[tuple[str, list[dict]]]) -> None:
        """`history`: the current run's epochs (EpochFigures.to_json()); `overlays`: (label,
        epochs) of the runs to compare."""
        self._history, self._overlays = history, overlays
        self._redraw()

    def curve_count(self) -> int:
        return len(self.accuracy.getPlotItem().listDataItems())

    def _redraw(self) -> None:
        """Draw the curves again, unless the plots already show these runs in this language
        (building the tab asked for the same empty plots eight times: 0.2-0.5 s)."""
        wanted = repr((tr("train"), tr("validation"), self._history, self._overlays))
        if wanted == self._drawn:
            return
        self._drawn = wanted
        for plot in (self.accuracy, self.loss):
            plot.clear()
        epochs = [h["epoch"] for h in self._history]
        for key, plot in (("accuracy", self.accuracy), ("loss", self.loss)):
            plot.plot(epochs, [h[f"train_{key}"] for h in self._history],
                      pen=pg.mkPen("#1f77b4", width=2), name=tr("train"))  # fmt: skip
            validated = [h for h in self._history if h[f"val_{key}"] is not None]
            plot.plot([h["epoch"] for h in validated], [h[f"val_{key}"] for h in validated],
                      pen=pg.mkPen("#ff7f0e", width=2), name=tr("validation"))  # fmt: skip
            for k, (label, runs) in enumerate(self._overlays):
                shown = [h for h in runs if h[f"val_{key}"] is not None]
                colour = OVERLAY_COLOURS[k % len(OVERLAY_COLOURS)]
                plot.plot([h["epoch"] for h in shown], [h[f"val_{key}"] for h in shown],
                          pen=pg.mkPen(colour, width=2, style=pg.QtCore.Qt.DashLine),
                          name=label)  # fmt: skip
