"""The Korean catalogs (resources/i18n/ko*.json) are merged into one: an English text translated
in two files must be translated the same way, or whichever loads last would win silently."""

import json
from pathlib import Path

from vision_agent.paths import resource


def conflicts(folder: Path) -> dict[str, dict[str, str]]:
    """{English: {file: Korean}} for every text two catalogs translate differently."""
    seen: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("ko*.json")):
        for english, korean in json.loads(path.read_text(encoding="utf-8")).items():
            seen.setdefault(english, {})[path.name] = korean
    return {e: by_file for e, by_file in seen.items() if len(set(by_file.values())) > 1}


def test_no_english_text_has_two_korean_translations():
    assert conflicts(resource("i18n")) == {}


def test_the_check_sees_a_conflict(tmp_path):
    (tmp_path / "ko_a.json").write_text('{"Saved {name}": "{name} 저장함"}', encoding="utf-8")
    (tmp_path / "ko_b.json").write_text('{"Saved {name}": "{name} 저장"}', encoding="utf-8")
    (tmp_path / "ko_c.json").write_text('{"Saved {name}": "{name} 저장"}', encoding="utf-8")
    assert conflicts(tmp_path) == {
        "Saved {name}": {
            "ko_a.json": "{name} 저장함",
            "ko_b.json": "{name} 저장",
            "ko_c.json": "{name} 저장",
        }
    }
