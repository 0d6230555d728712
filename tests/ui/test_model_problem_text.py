"""A model store's command-line message, shown where there is no missing-model panel (the My
classes tab's network picture), is said in the UI's language with the registry's name."""

import pytest

from tests.support.offline_window import empty_model_folders
from vision_agent import i18n
from vision_agent.models.store import ModelMissingError, ModelStore
from vision_agent.ui.model_problem_text import model_problem


@pytest.fixture
def store_message(tmp_path, monkeypatch) -> str:
    empty_model_folders(tmp_path, monkeypatch)
    with pytest.raises(ModelMissingError, match="is not on this computer") as refused:
        ModelStore().local_files("resnet50_imagenet")
    return str(refused.value)


def test_store_refusal_worded_in_both_languages(store_message):
    try:
        i18n.set_language("en")
        english = model_problem(store_message)
        assert english.startswith("ResNet50") and "View ▸ Models…" in english
        assert "vision-agent models" not in english  # the CLI's advice is not the window's
        i18n.set_language("ko")
        korean = model_problem(store_message)
        assert "이 컴퓨터에 없습니다" in korean and "보기 ▸ 모델…" in korean
    finally:
        i18n.set_language("en")


def test_other_messages_kept_as_they_are():
    assert model_problem("something else went wrong") == "something else went wrong"
