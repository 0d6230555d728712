"""A cleared chart shows nothing of the last result: no bars, no class names, no title."""

from __future__ import annotations

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
