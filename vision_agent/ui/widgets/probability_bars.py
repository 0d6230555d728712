"""A pyqtgraph bar chart of class probabilities (ten digits, or the top-k classes with names)."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PyQt5.QtWidgets import QWidget

BAR_COLOR = (90, 130, 220)
BEST_COLOR = (230, 120, 30)


class ProbabilityBars(pg.PlotWidget):
    """Bars for `names` with heights `values` (0..1); the best bar is highlighted.

    `horizontal=True` lists long class names down the left axis, best on top.
    """

    def __init__(self, horizontal: bool = False, parent: QWidget | None = None) -> None:
        # no context menu: not even built (the view box's menu is a third of making a plot)
        super().__init__(parent=parent, background="w", enableMenu=False)
        self.horizontal = horizontal
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.getPlotItem().showGrid(x=horizontal, y=not horizontal, alpha=0.3)
        self._bars: pg.BarGraphItem | None = None
        self._bar_brush, self._best_brush = pg.mkBrush(BAR_COLOR), pg.mkBrush(BEST_COLOR)
        self._title: str | None = None
        self.names: list[str] = []
        self.values: list[float] = []

    def set_bars(self, names: Sequence[str], values: Sequence[float], title: str = "") -> None:
        """Show these bars; the one bar item is updated in place (a result redraws quickly)."""
        names, values = list(names), [float(v) for v in values]
        if title != self._title:
            self.setTitle(title or None, color="k", size="10pt")  # None: no title row
            self._title = title
        count_changed = len(values) != len(self.values)
        self.names, self.values = names, values
        if not values:  # no bars, and no names of the last result beside empty places
            if self._bars is not None:
                self.removeItem(self._bars)
                self._bars = None
            self.getAxis("left" if self.horizontal else "bottom").setTicks([[]])
            return
        best = max(range(len(values)), key=values.__getitem__)
        brushes = [self._best_brush if i == best else self._bar_brush for i in range(len(values))]
        positions = list(range(len(values)))
        if self.horizontal:
            positions = positions[::-1]
            shape = {"x0": 0, "y": positions, "height": 0.7, "width": values}
            axis = self.getAxis("left")
        else:
            shape = {"x": positions, "height": values, "width": 0.7}
            axis = self.getAxis("bottom")
        if self._bars is None:
            self._bars = pg.BarGraphItem(brushes=brushes, **shape)
            self.addItem(self._bars)
        else:
            self._bars.setOpts(brushes=brushes, **shape)
        axis.setTicks([list(zip(positions, names, strict=True))])
        if count_changed:
            span = (-0.6, len(values) - 0.4)
            if self.horizontal:
                self.setRange(xRange=(0, 1), yRange=span, padding=0)
            else:
                self.setRange(xRange=span, yRange=(0, 1), padding=0)
            self.disableAutoRange()

    def clear_bars(self) -> None:
        self.set_bars([], [])
