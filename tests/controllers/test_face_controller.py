"""The face cam's controller without widgets: what is shown, pause, ended videos, model choice."""

from __future__ import annotations

import pytest

from tests.support.paths import asset
from vision_agent.controllers.faces import FaceCamController, choice_of, model_name
from vision_agent.core.video_source import SourceSpec

GROUP = ("photos", "faces", "t1_insightface_group.jpg")


@pytest.fixture
def controller(qtbot):
    asset("face_detector", "res10_300x300_ssd_iter_140000.caffemodel")
    ctrl = FaceCamController()
    with qtbot.waitSignal(ctrl.slot.sig_ready):
        ctrl.load_model("res10-caffe")
    yield ctrl
    ctrl.shutdown()


def test_a_photo_is_shown_once_with_its_faces_and_no_rates(qtbot, controller):
    with qtbot.waitSignal(controller.sig_shown, timeout=10000) as shown:
        controller.start_source(SourceSpec.file(asset(*GROUP)))
    detection, stats = shown.args
    assert stats.still and stats.faces == len(detection.faces) == 6
    assert controller.shown is detection


def test_a_new_source_clears_what_is_shown(qtbot, controller):
    # what is shown is what the tab's snapshot saves (tests/ui/tabs/test_face_tab.py)
    with qtbot.waitSignal(controller.sig_shown, timeout=10000):
        controller.start_source(SourceSpec.file(asset(*GROUP)))
    with qtbot.waitSignal(controller.sig_cleared, timeout=1000):
        controller.start_source(SourceSpec.camera(99))
    assert controller.shown is None
    photo = asset("photos", "faces", "grace_hopper_matplotlib.jpg")
    with qtbot.waitSignal(controller.sig_shown, timeout=10000) as shown:
        controller.start_source(SourceSpec.file(photo))
    assert controller.shown is shown.args[0]


def test_pause_is_announced_and_stop_ends_it(qtbot, controller):
    video = asset("photos", "video", "Megamind.avi")
    with qtbot.waitSignal(controller.sig_shown, timeout=15000):
        controller.start_source(SourceSpec.file(video, loop=True))
    with qtbot.waitSignal(controller.sig_paused) as paused:
        controller.pause(True)
    assert paused.args == [True] and controller.is_paused()
    with qtbot.assertNotEmitted(controller.sig_paused):
        controller.pause(True)  # already paused: nothing to say
    with qtbot.waitSignal(controller.sig_paused) as paused:
        controller.stop_source()
    assert paused.args == [False] and not controller.is_running()


def test_a_video_that_plays_to_its_end_is_finished_not_damaged(qtbot, controller):
    video = asset("photos", "video", "Megamind.avi")
    with qtbot.waitSignal(controller.sig_source_ended, timeout=60000) as ended:
        controller.start_source(SourceSpec.file(video, fps=0))
    assert ended.args[0].reason == "finished" and not ended.args[0].damaged
    assert ended.args[0].frames == 270


def test_a_model_that_fails_to_load_gives_way_to_the_previous_one(qtbot, controller, tmp_path):
    bogus = tmp_path / "bogus.onnx"
    bogus.write_bytes(b"not a model")
    with qtbot.waitSignal(controller.slot.sig_refused, timeout=15000) as refused:
        controller.load_model(str(bogus))
    refusal = refused.args[0]
    assert refusal.key == str(bogus) and "bogus.onnx" in refusal.message
    assert refusal.missing_id is None and controller.model_choice == "res10-caffe"
    qtbot.waitUntil(lambda: controller.service.state == "ready", timeout=15000)
    with qtbot.waitSignal(controller.sig_shown, timeout=10000):
        controller.start_source(SourceSpec.file(asset(*GROUP)))


def test_a_missing_model_is_not_loaded_and_the_one_in_use_stays(qtbot, controller):
    """res10 fp16 is neither shipped nor in ../shared/assets: offline, it is missing."""
    with qtbot.waitSignal(controller.slot.sig_refused, timeout=15000) as refused:
        controller.load_model("res10-caffe-fp16")
    assert refused.args[0].missing_id == "res10_caffe_fp16"
    assert controller.model_choice == "res10-caffe" and controller.slot.is_ready()
    assert controller.slot.status().kept.key == "res10-caffe"


def test_a_failed_first_model_is_reported_as_the_model_state(qtbot, tmp_path):
    bogus = tmp_path / "bogus.pb"
    bogus.write_bytes(b"not a model")
    ctrl = FaceCamController()
    try:
        with qtbot.waitSignal(ctrl.slot.sig_refused, timeout=15000) as refused:
            ctrl.load_model(str(bogus))
        status = ctrl.slot.status()
        assert status.choice is None and status.kept is None  # nothing to go on with
        assert status.refusal == refused.args[0] and "bogus.pb" in status.refusal.message
    finally:
        ctrl.shutdown()


def test_registry_ids_and_files_have_the_names_the_user_knows():
    assert choice_of("res10_tf_uint8") == "res10-tf"
    assert model_name("res10-tf") == "SSD face detector (ResNet-10, TensorFlow uint8)"
    assert model_name("/somewhere/my_detector.onnx") == "my_detector.onnx"
