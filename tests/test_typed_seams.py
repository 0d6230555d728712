"""Where data crosses threads the seams keep their types: a model service is asked for the
recognizer's method itself (`service.call(PostalRecognizer.recognize, …)`), never for a method
named by a string, and a recipe holds its factory, not an import path in a string."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# `.call("name"`, `call_service_once(spec, "name"`, `serves_in_process("name"`, and a
# RecognizerSpec given a "module:attribute" string.
NAMED = re.compile(
    r"""\.call\(\s*["']|call_service_once\([^,()]+,\s*["']|serves_in_process\(\s*["']"""
    r"""|RecognizerSpec\(\s*(factory=)?\s*["']"""
)


def python_files() -> list[Path]:
    return [
        p for folder in ("vision_agent", "bench", "tests") for p in (REPO / folder).rglob("*.py")
    ]


def named_seams(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [
        f"{path.relative_to(REPO)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
        for m in NAMED.finditer(text)
    ]


def test_no_method_or_factory_is_named_by_a_string():
    this = Path(__file__).resolve()
    found = [hit for path in python_files() if path.resolve() != this for hit in named_seams(path)]
    assert found == []


def test_the_check_sees_each_way_of_naming_a_method(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'service.call("recognize", canvas)\n'
        "call_service_once(spec, 'detect', frame)\n"
        'service.serves_in_process("classify")\n'
        'RecognizerSpec(factory="vision_agent.core.postal:PostalRecognizer.from_file")\n'
        "service.call(PostalRecognizer.recognize, canvas)\n"
    )
    assert len(named_seams_in(sample)) == 4


def named_seams_in(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [m.group(0) for m in NAMED.finditer(text)]
