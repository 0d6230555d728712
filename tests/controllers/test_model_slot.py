"""The model slot on its own: real face models (OpenCV, in the service's thread), a real model
store, and the status a view renders."""

from __future__ import annotations

import os

import pytest

from tests.support.offline_window import no_models_here
from tests.support.paths import asset
from vision_agent.controllers.faces import model_choice
from vision_agent.controllers.model_slot import ModelSlot, ModelState
from vision_agent.models.registry import get

TIMEOUT = 15000


@pytest.fixture
def slot(qtbot):
    asset("face_detector", "res10_300x300_ssd_iter_140000.caffemodel")
    slot = ModelSlot("test")
    yield slot
    slot.shutdown()


def ready(qtbot, slot: ModelSlot, key: str) -> None:
    qtbot.waitUntil(lambda: slot.is_ready() and slot.current.key == key, timeout=TIMEOUT)


def test_a_missing_pick_is_said_once_kept_model_named_and_dismissed(qtbot, slot):
    statuses = []
    slot.sig_status.connect(statuses.append)
    slot.load(model_choice("res10-caffe"))
    ready(qtbot, slot, "res10-caffe")
    loads = slot.service.state
    assert not slot.load(model_choice("res10-caffe-fp16"))  # not on this computer
    assert slot.service.state == loads == ModelState.READY  # nothing was asked of the service
    status = statuses[-1]
    assert status.refusal.missing_id == "res10_caffe_fp16" and status.kept.key == "res10-caffe"
    assert status.state == ModelState.READY and status.choice.key == "res10-caffe"
    slot.load(model_choice("res10-caffe"))  # the model in use again closes the refusal
    assert statuses[-1].refusal is None and slot.is_ready()
    slot.load(model_choice("res10-caffe-fp16"))
    slot.dismiss()
    assert statuses[-1].refusal is None


def test_a_failed_pick_brings_the_previous_model_back(qtbot, slot, tmp_path):
    slot.load(model_choice("res10-caffe"))
    ready(qtbot, slot, "res10-caffe")
    bogus = tmp_path / "bogus.onnx"
    bogus.write_bytes(b"not a model")
    with qtbot.waitSignal(slot.sig_refused, timeout=TIMEOUT) as refused:
        slot.load(model_choice(str(bogus)))
    assert refused.args[0].key == str(bogus) and "bogus.onnx" in refused.args[0].message
    with qtbot.waitSignal(slot.sig_ready, timeout=TIMEOUT) as back:
        pass
    assert back.args[0].key == "res10-caffe"
    status = slot.status()
    assert status.kept.key == "res10-caffe" and status.refusal.key == str(bogus)


def test_presence_is_the_size_and_the_hash_is_checked_when_loading(qtbot, tmp_path, monkeypatch):
    """A file of the right size but the wrong bytes passes the cheap check (no hashing in the
    window's thread); the load in the service's thread finds it damaged."""
    no_models_here(tmp_path, monkeypatch)
    entry = get("res10_tf_uint8")
    folder = tmp_path / "cache" / entry.id
    folder.mkdir(parents=True)
    for f in entry.files.values():
        (folder / f.name).write_bytes(os.urandom(f.size or 10))
    slot = ModelSlot("test")
    try:
        with qtbot.waitSignal(slot.sig_refused, timeout=TIMEOUT) as refused:
            assert slot.load(model_choice("res10-tf"))  # present: asked of the service
        refusal = refused.args[0]
        assert refusal.missing_id == "res10_tf_uint8" and refusal.corrupt
        assert slot.status().choice is None  # nothing before it to go on with
    finally:
        slot.shutdown()
