"""The run curves are drawn again only when the runs or the language changed (building the My
classes tab asked for the same empty plots eight times, about 0.2-0.5 s on the GUI thread)."""

from __future__ import annotations

import pyqtgraph as pg

from vision_agent.i18n import set_language
from vision_agent.ui.widgets.run_curves import RunCurves


def epoch(n: int) -> dict:
    return {
        "epoch": n,
        "train_accuracy": 0.5 + n / 10,
        "val_accuracy": 0.4 + n / 10,
        "train_loss": 1.0 / n,
        "val_loss": 1.2 / n,
    }


def test_the_same_runs_shown_again_keep_their_curves_and_new_ones_are_drawn(qtbot):
    set_language("en")
    curves = RunCurves()
    qtbot.addWidget(curves)
    history = [epoch(1)]
    curves.show_history(history, [])
    drawn = curves.accuracy.getPlotItem().listDataItems()
    assert len(drawn) == 2
    curves.show_history(list(history), [])
    curves.retranslate_ui()
    assert curves.accuracy.getPlotItem().listDataItems() == drawn  # the very same items

    history.append(epoch(2))  # the caller's list grew: a new epoch is drawn
    curves.show_history(history, [])
    redrawn = curves.accuracy.getPlotItem().listDataItems()
    assert redrawn != drawn and len(redrawn[0].xData) == 2
    curves.show_history(history, [("run 1", [epoch(1)])])
    assert curves.curve_count() == 3
    english = curves.accuracy.getPlotItem().listDataItems()
    try:
        set_language("ko")  # the legend's words change: drawn again
        curves.retranslate_ui()
        assert curves.accuracy.getPlotItem().listDataItems() != english
    finally:
        set_language("en")


def test_the_plots_are_made_one_per_turn_of_the_event_loop_and_show_what_came_before(qtbot):
    """Making a pyqtgraph plot takes 10-20 ms of the GUI thread: the widget is made without
    them, each comes in its own later turn, and the runs given meanwhile are drawn."""
    set_language("en")
    curves = RunCurves()
    qtbot.addWidget(curves)
    assert curves.findChildren(pg.PlotWidget) == []
    curves.show_history([epoch(1), epoch(2)], [("run 1", [epoch(1)])])
    qtbot.waitUntil(lambda: len(curves.findChildren(pg.PlotWidget)) == 2, timeout=5_000)
    assert curves.curve_count() == 3
    assert curves.loss.getPlotItem().titleLabel.text == "Loss"
    assert curves.accuracy.getPlotItem().listDataItems()[0].xData.tolist() == [1, 2]


def test_asking_for_a_plot_makes_it_at_once(qtbot):
    curves = RunCurves()
    qtbot.addWidget(curves)
    assert curves.loss.getPlotItem().titleLabel.text == "Loss"
    assert len(curves.findChildren(pg.PlotWidget)) == 2
