"""The GUI thread never hashes a model file: the window with every tab shown and its model
loaded, Help ▸ Keyboard shortcuts, the dog-training dialog and the Models dialog, on the real
models of the search path (../shared/assets) and the shipped ones.

Presence checks on the GUI thread compare sizes only (`ModelStore.is_present`); hashes run in
the model services' threads when a model loads, and in `ModelChecks`' thread for the dialog.
"""

from __future__ import annotations

import threading

import pytest

from tests.support.model_server import repo_assets_dir
from tests.support.offline_window import every_tab_shown
from tests.support.settled import models_settled
from vision_agent.ui.dialogs.train_dogs import TrainDogsDialog
from vision_agent.ui.models_dialog import ModelsDialog

ASSETS = repo_assets_dir()


@pytest.mark.skipif(not ASSETS.is_dir(), reason="../shared/assets is absent")
def test_no_model_file_is_hashed_on_the_gui_thread(hashing_threads, qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", str(ASSETS))
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "cache"))
    window = every_tab_shown(qtbot)
    models_settled(qtbot, window, timeout=120_000)
    window.help_menu.show_shortcuts()
    training = TrainDogsDialog(window)
    qtbot.addWidget(training)
    training.show()
    models = ModelsDialog(parent=window)
    qtbot.addWidget(models)
    models.show()
    entries = models.store.registry.all_entries()
    qtbot.waitUntil(lambda: all(models.state(e.id) != "checking" for e in entries), timeout=60_000)
    assert models.state("res10_caffe_fp32") == "ready"
    assert hashing_threads, "nothing was hashed: the test saw nothing"
    assert threading.main_thread() not in hashing_threads
    models.close()
    training.close()
    window.close()
