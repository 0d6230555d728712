"""Accuracy and loss per epoch (pyqtgraph): the run in progress, train and validation, and the
validation curves of the runs picked for comparison, each in its own colour."""

from __future__ import annotations

from html import escape

import pyqtgraph as pg
from PyQt5.QtCore import Qt, QTimer, pyqtSlot
from PyQt5.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from vision_agent.i18n import tr

PLOT_WIDTH = 200  # each plot at its narrowest: two fit beside the tab's other columns
TRAIN_COLOUR, VALIDATION_COLOUR, KEPT_COLOUR = "#1f77b4", "#ff7f0e", "#000000"
OVERLAY_COLOURS = ("#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def _dotted_line(colour: str) -> dict:
    """A line with a dot on each epoch (the first epoch is seen before there is a line)."""
    return {"pen": pg.mkPen(colour, width=2), "symbol": "o", "symbolSize": 5,
            "symbolBrush": colour, "symbolPen": colour}  # fmt: skip


class RunCurves(QWidget):
    """Two plots, accuracy and loss, and one legend line under them (inside a plot of this size a
    legend hid most of the dots). Making a pyqtgraph plot takes 10-20 ms of the GUI thread,
    and so does drawing its curves: the widget is made without them, and each plot, then their
    titles and curves (what was given before), come in their own later turns of the event loop
    (asking for `accuracy` or `loss` does it all at once)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(2 * PLOT_WIDTH, 180)  # the plots' room, before they are made
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self._layout = QHBoxLayout()
        column.addLayout(self._layout, 1)
        self.legend = QLabel(self)
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.RichText)
        column.addWidget(self.legend)
        self._plots: list[pg.PlotWidget] = []
        self._complete = False  # both plots made, with their titles and curves
        self._history: list[dict] = []
        self._overlays: list[tuple[str, list[dict]]] = []
        self._kept: tuple[str, float, float | None] | None = None
        self._drawn: str | None = None  # what the plots show now (see `_redraw`)
        QTimer.singleShot(1, self._make_next_plot)

    @property
    def accuracy(self) -> pg.PlotWidget:
        return self._plot(0)

    @property
    def loss(self) -> pg.PlotWidget:
        return self._plot(1)

    def _plot(self, index: int) -> pg.PlotWidget:
        while not self._complete:
            self._make_next_plot(later=False)
        return self._plots[index]

    @pyqtSlot()
    def _make_next_plot(self, later: bool = True) -> None:
        if len(self._plots) < 2:
            self._add_plot()
        elif not self._complete:
            self._complete = True
            self.retranslate_ui()
        if later and not self._complete:
            QTimer.singleShot(1, self._make_next_plot)

    def _add_plot(self) -> None:
        plot = pg.PlotWidget(self)
        plot.setBackground("w")
        plot.showGrid(x=True, y=True, alpha=0.3)
        plot.setMinimumSize(PLOT_WIDTH, 160)
        self._layout.addWidget(plot)
        self._plots.append(plot)
        if len(self._plots) == 1:
            plot.setYRange(0, 1.02)

    def retranslate_ui(self) -> None:
        if not self._complete:
            return  # said when the plots are made
        self.accuracy.setTitle(tr("Accuracy"))
        self.loss.setTitle(tr("Loss"))
        self.accuracy.setLabel("bottom", tr("epoch"))
        self.loss.setLabel("bottom", tr("epoch"))
        self._redraw()

    def show_history(
        self,
        history: list[dict],
        overlays: list[tuple[str, list[dict]]],
        kept: tuple[str, float, float | None] | None = None,
    ) -> None:
        """`history`: the current run's epochs (EpochFigures.to_json()); `overlays`: (label,
        epochs) of the runs to compare; `kept`: where the run kept another model than the one
        whose epochs these are, its (label, validation accuracy, validation loss), drawn as a
        level line and the epochs' curves named as the softmax head's."""
        self._history, self._overlays, self._kept = history, overlays, kept
        if self._complete:
            self._redraw()

    def curve_count(self) -> int:
        return len(self.accuracy.getPlotItem().listDataItems())

    def _redraw(self) -> None:
        """Draw the curves again, unless the plots already show these runs in this language
        (building the tab asked for the same empty plots eight times: 0.2-0.5 s)."""
        train, validation = tr("train"), tr("validation")
        if self._kept is not None:  # the epochs are the softmax head's, not the kept model's
            train, validation = tr("head: train"), tr("head: validation")
        wanted = repr((train, validation, self._history, self._overlays, self._kept))
        if wanted == self._drawn:
            return
        self._drawn = wanted
        for plot in (self.accuracy, self.loss):
            plot.clear()
        epochs = [h["epoch"] for h in self._history]
        named = {train: (TRAIN_COLOUR, "●━"), validation: (VALIDATION_COLOUR, "●━")}
        for index, (key, plot) in enumerate((("accuracy", self.accuracy), ("loss", self.loss))):
            # a dot on each epoch: the first one is seen before there is a line
            plot.plot(epochs, [h[f"train_{key}"] for h in self._history], name=train,
                      **_dotted_line(TRAIN_COLOUR))  # fmt: skip
            validated = [h for h in self._history if h[f"val_{key}"] is not None]
            plot.plot([h["epoch"] for h in validated], [h[f"val_{key}"] for h in validated],
                      name=validation, **_dotted_line(VALIDATION_COLOUR))  # fmt: skip
            if self._kept is not None and self._kept[1 + index] is not None and epochs:
                level = self._kept[1 + index]
                plot.plot([epochs[0], epochs[-1]], [level, level], name=self._kept[0],
                          pen=pg.mkPen(KEPT_COLOUR, width=2, style=Qt.DotLine))  # fmt: skip
                named[self._kept[0]] = (KEPT_COLOUR, "┈┈")
            for k, (label, runs) in enumerate(self._overlays):
                shown = [h for h in runs if h[f"val_{key}"] is not None]
                colour = OVERLAY_COLOURS[k % len(OVERLAY_COLOURS)]
                plot.plot([h["epoch"] for h in shown], [h[f"val_{key}"] for h in shown],
                          pen=pg.mkPen(colour, width=2, style=Qt.DashLine),
                          name=label)  # fmt: skip
                named[label] = (colour, "╍╍")
        self.legend.setText(
            " &nbsp; ".join(
                f'<span style="color:{colour}">{mark}</span>&nbsp;{escape(name)}'
                for name, (colour, mark) in named.items()
            )
        )
