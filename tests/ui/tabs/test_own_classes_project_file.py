"""A "My classes" project file that is valid JSON but not the shape the app writes (edited by
hand, written by another version, half synced) is refused with one line that names the file,
and the tab opens empty and working: it never raises inside the tab (KeyError, TypeError) and
never overwrites the file."""

from __future__ import annotations

import json

import pytest

from tests.support.own_classes_runs import RUN
from tests.support.paths import asset
from vision_agent.core.errors import UserError
from vision_agent.core.own_classes.project import PROJECT_FILE, load_project
from vision_agent.ui.tabs.own_classes_tab import OwnClassesTab

BROKEN_RUNS = {
    "keys missing": {"number": 1},
    "number as text": RUN | {"number": "one"},
    "photos as a list": RUN | {"photos": [6, 6]},
    "matrix as text": RUN | {"confusion_matrix": "x"},
    "matrix the wrong size": RUN | {"confusion_matrix": [[1, 0]]},
    "classes not names": RUN | {"classes": [1, 2]},
    "an epoch without figures": RUN | {"history": [{"epoch": 1}]},
    "a wrong photo without a file": RUN | {"wrong": [{"file": 3}]},
    "a model path as a number": RUN | {"files": {"model": 5}},
    "seconds as text": RUN | {"seconds": "fast"},
}
BROKEN_CLASSES = {
    "photos as one text": [{"name": "red", "photos": "abc.jpg"}],
    "a class as a text": ["red"],
}


def _write(folder, runs=(RUN,), classes=()) -> bytes:
    folder.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"version": 1, "classes": list(classes), "runs": list(runs)}).encode()
    (folder / PROJECT_FILE).write_bytes(data)
    return data


def test_the_shape_the_app_writes_is_read(tmp_path):
    _write(tmp_path, classes=[{"name": "red", "photos": ["a.jpg"]}])
    project = load_project(tmp_path)
    assert [c.name for c in project.classes] == ["red"]
    assert project.runs == [RUN]


@pytest.mark.parametrize("case", [*BROKEN_RUNS, *BROKEN_CLASSES])
def test_a_project_file_of_another_shape_is_refused_in_one_line(tmp_path, case):
    if case in BROKEN_RUNS:
        _write(tmp_path, runs=[RUN | {"number": 2}, BROKEN_RUNS[case]])
    else:
        _write(tmp_path, classes=BROKEN_CLASSES[case])
    with pytest.raises(UserError) as refused:
        load_project(tmp_path)
    message = str(refused.value)
    assert str(tmp_path / PROJECT_FILE) in message and "\n" not in message


@pytest.mark.parametrize("case", list(BROKEN_RUNS))
def test_the_tab_opens_on_such_a_file_says_so_and_leaves_it_alone(qtbot, tmp_path, case):
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    folder = tmp_path / "project"
    data = _write(folder, runs=[BROKEN_RUNS[case]])
    tab = OwnClassesTab(project=folder)
    qtbot.addWidget(tab)
    tab.show()
    tab.start()
    assert tab.runs_list.count() == 0
    assert tab.controller.add_class("green") is not None  # the tab works on, unsaved
    assert (folder / PROJECT_FILE).read_bytes() == data
    tab.shutdown()
