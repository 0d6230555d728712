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
        super().__init__(parent=parent, background="w")
        self.horizontal = horizontal
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.getPlotItem().showGrid(x=horizontal, y=not horizontal, alpha=0.3)
        self._items: list[pg.GraphicsObject] = []
        self.names: list[str] = []
        self.values: list[float] = []

    def set_bars(self, names: Sequence[str], values: Sequence[float], title: str = "") -> None:
        for item in self._items:
            self.removeItem(item)
        self._items.clear()
        self.names, self.values = list(names), [float(v) for v in values]
        self.setTitle(title, color="k", size="10pt")
        if not self.values:
            return
        best = max(range(len(self.values)), key=self.values.__getitem__)
        brushes = [pg.mkBrush(BEST_COLOR if i == best else BAR_COLOR) for i in range(len(values))]
        positions = list(range(len(self.values)))
        if self.horizontal:
            positions = positions[::-1]
            bars = pg.BarGraphItem(
                x0=0, y=positions, height=0.7, width=self.values, brushes=brushes
            )
            self.getAxis("left").setTicks([list(zip(positions, self.names, strict=True))])
        else:
            bars = pg.BarGraphItem(x=positions, height=self.values, width=0.7, brushes=brushes)
            self.getAxis("bottom").setTicks([list(zip(positions, self.names, strict=True))])
        self.addItem(bars)
        self._items.append(bars)
        span = (-0.6, len(self.values) - 0.4)
        if self.horizontal:
            self.setRange(xRange=(0, 1), yRange=span, padding=0)
        else:
            self.setRange(xRange=span, yRange=(0, 1), padding=0)
        self.disableAutoRange()

    def clear_bars(self) -> None:
        self.set_bars([], [])
