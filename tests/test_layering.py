"""The layers stay apart: core is a leaf (no Qt, no hosting, no UI); the UI never imports
TensorFlow; services and controllers are widget-free.

Every import statement counts, including those inside functions (read from the source, so a
lazy import cannot slip through).
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "vision_agent"


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def offenders(layer: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        bad = sorted(
            m
            for m in imported_modules(path)
            if any(m == f or m.startswith(f + ".") for f in forbidden)
        )
        if bad:
            found[str(path.relative_to(PACKAGE))] = bad
    return found


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        (
            "core",
            (
                "PyQt5",
                "vision_agent.engine",
                "vision_agent.services",
                "vision_agent.ui",
                "vision_agent.controllers",
                "vision_agent.commands",
            ),
        ),
        ("models", ("PyQt5", "vision_agent.ui")),
        ("engine", ("vision_agent.ui",)),
        ("commands", ("vision_agent.ui",)),
        ("checks", ("vision_agent.ui",)),
        ("training", ("vision_agent.ui",)),
        ("ui", ("tensorflow", "keras", "tf2onnx")),
        ("services", ("PyQt5.QtWidgets", "PyQt5.QtGui", "vision_agent.ui")),
        ("controllers", ("PyQt5.QtWidgets", "PyQt5.QtGui", "vision_agent.ui")),
    ],
)
def test_layer_imports_nothing_above_it(layer, forbidden):
    assert (PACKAGE / layer / "__init__.py").is_file()
    assert offenders(layer, forbidden) == {}


def test_the_check_sees_a_lazy_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from PyQt5.QtCore import QObject\n    import keras\n")
    assert imported_modules(module) == {"PyQt5.QtCore", "keras"}
