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


def test_no_legend_covers_a_typical_runs_points(qtbot):
    """Accuracy rises to 1.0 and loss falls to 0 over 20 epochs, with a kept model's level line:
    no legend inside a plot hides any of the dots (one in each plot's top right corner hid most of
    them at the tab's size), and the legend under the plots names every curve."""
    from PyQt5.QtCore import QPointF

    set_language("en")
    curves = RunCurves()
    qtbot.addWidget(curves)
    curves.resize(410, 180)  # the My classes tab's plots at the window's first size
    history = [
        {"epoch": n, "train_accuracy": min(1.0, 0.8 + n / 50), "val_accuracy": 0.9,
         "train_loss": 0.2 / n, "val_loss": 0.4 / n ** 0.5}
        for n in range(1, 21)
    ]  # fmt: skip
    curves.show_history(history, [], kept=("kept: plain LR", 0.9, 0.12))
    curves.show()
    qtbot.waitExposed(curves)
    covered = []
    for plot in (curves.accuracy, curves.loss):
        item = plot.getPlotItem()
        legend = item.legend
        if legend is None:
            continue
        qtbot.waitUntil(lambda vb=item.vb: vb.sceneBoundingRect().width() > 100)  # laid out
        qtbot.waitUntil(lambda shown=legend: shown.sceneBoundingRect().height() > 40)  # 3 rows
        area = legend.sceneBoundingRect()
        for data in item.listDataItems():
            for x, y in zip(data.xData, data.yData, strict=True):
                if area.contains(item.vb.mapViewToScene(QPointF(x, y))):
                    covered.append((plot is curves.accuracy, data.name(), x))
    assert covered == []
    words = curves.legend.text()  # the one legend, under the plots: every curve by its colour
    for name, colour in (("head: train", "#1f77b4"), ("kept: plain LR", "#000000")):
        assert name in words and colour in words
