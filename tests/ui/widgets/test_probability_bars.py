"""A cleared chart shows nothing of the last result: no bars, no class names, no title."""

from __future__ import annotations

import sys

from vision_agent.ui.widgets.probability_bars import ProbabilityBars


def test_clearing_the_chart_takes_the_names_away_too(qtbot):
    chart = ProbabilityBars(horizontal=True)
    qtbot.addWidget(chart)
    chart.set_bars(["dalmatian", "Great Dane"], [0.6, 0.3], "Top-5 breeds")
    axis = chart.getAxis("left")
    assert [name for _, name in axis._tickLevels[0]] == ["dalmatian", "Great Dane"]
    chart.clear_bars()
    assert chart.names == [] and chart._bars is None
    assert all(not level for level in axis._tickLevels)


def test_the_chart_has_no_context_menu_and_builds_none(qtbot, monkeypatch):
    """Its menus are off; the view box's menu (a third of making a plot on the GUI thread) is
    never built either."""
    view_box_module = sys.modules["pyqtgraph.graphicsItems.ViewBox.ViewBox"]  # not the class
    built = []

    class CountedMenu(view_box_module.ViewBoxMenu):
        def __init__(self, view):
            built.append(view)
            super().__init__(view)

    monkeypatch.setattr(view_box_module, "ViewBoxMenu", CountedMenu)
    chart = ProbabilityBars()
    qtbot.addWidget(chart)
    plot = chart.getPlotItem()
    assert not plot.menuEnabled() and not plot.vb.menuEnabled()
    assert built == []
