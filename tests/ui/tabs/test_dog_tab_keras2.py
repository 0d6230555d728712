"""The dog tab opens a course model saved by Keras 2 and its pickled names through the real file
dialogs, and shows Keras 2's top-5; a Lambda file is refused in the UI's language."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt5.QtCore import Qt, QTimer
from PyQt5.QtWidgets import QApplication, QFileDialog, QLineEdit

from tests.support import keras2_files as k2
from tests.support.paths import asset
from tests.ui.tabs.test_dog_tab import tab  # noqa: F401 (the dog tab, as the other tests)
from vision_agent.core.breed_names import readable_breed
from vision_agent.ui.tabs.dog_tab import DogTab


def type_into_next_file_dialogs(qtbot, *paths: Path) -> None:
    """Answer the next open dialogs as a user does: the path typed into the file name field,
    then Return."""
    pending = list(paths)

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QFileDialog) and dialog.isVisible():
            field = dialog.findChild(QLineEdit, "fileNameEdit")
            field.setText(str(pending.pop(0)))
            qtbot.keyClick(field, Qt.Key_Return)
        if pending:
            QTimer.singleShot(50, answer)

    QTimer.singleShot(50, answer)


def _open_model(qtbot, tab: DogTab, model: Path, names: Path) -> None:
    type_into_next_file_dialogs(qtbot, model, names)
    tab.choose_breed_model()  # File ▸ Open breed model…: both dialogs, then the model loads


def test_course_model_and_pickled_names_through_the_dialogs_show_keras_2s_top_5(
    qtbot, tab: DogTab, keras2_files: Path
) -> None:
    model = keras2_files / "cnn_for_stanford_dogs_densenet121.h5"
    _open_model(qtbot, tab, model, keras2_files / k2.NAMES_FILE)
    qtbot.waitUntil(lambda: tab.controller.choice.model == model, timeout=10000)
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=120000)
    assert "cnn_for_stanford_dogs_densenet121.h5" in tab.model_status.line.text()
    tab.photos.open_paths([asset(*k2.PHOTO)])
    qtbot.waitUntil(lambda: tab.controller.result is not None, timeout=60000)
    with np.load(keras2_files / "reference.npz") as reference:
        expected = reference[f"{model.name}/output"][0]
    order = np.argsort(-expected)[:5]
    assert tab.breeds.chart.names == [readable_breed(k2.BREEDS[i]) for i in order]
    np.testing.assert_allclose(tab.breeds.chart.values, expected[order], atol=1e-5)
    assert tab.breeds.verdict_label.text().startswith(readable_breed(k2.BREEDS[order[0]]))


def test_a_lambda_model_is_refused_in_korean(qtbot, tab: DogTab, keras2_files: Path) -> None:
    from vision_agent.i18n import set_language

    set_language("ko")
    try:
        _open_model(qtbot, tab, keras2_files / "lambda.h5", keras2_files / k2.NAMES_FILE)
        panel = tab.model_status.panel
        qtbot.waitUntil(lambda: "lambda.h5" in panel.text(), timeout=120000)
        text = panel.text()
        assert "Lambda" in text and "모델 파일의 코드는 실행하지 않습니다" in text
        assert "new_model.save('model.keras')" in text
        assert "Is the file complete" not in text
    finally:
        set_language("en")
    assert not (keras2_files / k2.MARKER).exists()


def test_every_keras_file_message_has_a_korean_translation() -> None:
    from vision_agent.core.keras_files import MESSAGES
    from vision_agent.i18n import missing_translations

    assert missing_translations(list(MESSAGES)) == []


def test_a_message_with_the_file_named_twice_is_translated() -> None:
    from vision_agent.core.keras_files import NOT_REBUILT
    from vision_agent.i18n import set_language
    from vision_agent.ui.model_problem_text import model_file_problem

    message = NOT_REBUILT.format(file="a.h5", version="2.15.0", reason="Unknown layer: 'X'")
    set_language("ko")
    try:
        translated = model_file_problem(message)
    finally:
        set_language("en")
    assert translated.startswith("a.h5(Keras 2.15.0로 저장됨)을(를) 열 수 없습니다: Unknown layer")
    assert translated.endswith("load_model('a.h5', compile=False); model.save('model.keras')")
    assert model_file_problem(message) == message  # English: as it is
