"""The layers stay apart, by rank: each layer imports only its own rank or lower ones.

    core (0) < models (1) < engine (2) < services, training (3)
        < controllers, commands, checks (4) < ui (5)

and beside the ranks: core is Qt-free, services and controllers are widget-free, the UI never
imports TensorFlow, and ui/widgets and ui/dialogs never import services (they talk to
controllers). Every import statement counts, including those inside functions (read from the
source, so a lazy import cannot slip through).
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "vision_agent"
RANKS = {
    "core": 0,
    "models": 1,
    "engine": 2,
    "services": 3,
    "training": 3,
    "controllers": 4,
    "commands": 4,
    "checks": 4,
    "ui": 5,
}


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def files(layer: str, root: Path = PACKAGE) -> list[Path]:
    return sorted((root / layer).rglob("*.py"))


def within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def rank_breaks(layer: str, root: Path = PACKAGE) -> dict[str, set[str]]:
    """{file: modules of a higher rank it imports}."""
    found = {}
    for path in files(layer, root):
        above = {
            m
            for m in imported_modules(path)
            if m.startswith("vision_agent.") and RANKS.get(m.split(".")[1], -1) > RANKS[layer]
        }
        if above:
            found[path.relative_to(root).as_posix()] = above
    return found


@pytest.mark.parametrize("layer", sorted(RANKS))
def test_each_layer_imports_only_its_rank_or_lower(layer):
    assert (PACKAGE / layer / "__init__.py").is_file()
    assert rank_breaks(layer) == {}


@pytest.mark.parametrize(
    ("folders", "forbidden"),
    [
        (("core",), ("PyQt5",)),
        (("models",), ("PyQt5",)),
        (("services", "controllers"), ("PyQt5.QtWidgets", "PyQt5.QtGui")),
        (("ui",), ("tensorflow", "keras", "tf2onnx")),
        (("ui/widgets", "ui/dialogs"), ("vision_agent.services",)),
    ],
)
def test_what_a_layer_never_imports(folders, forbidden):
    found = {
        str(path.relative_to(PACKAGE)): sorted(
            m for m in imported_modules(path) if within(m, forbidden)
        )
        for folder in folders
        for path in files(folder)
    }
    assert {f: m for f, m in found.items() if m} == {}


def test_the_check_sees_a_lazy_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from PyQt5.QtCore import QObject\n    import keras\n")
    assert imported_modules(module) == {"PyQt5.QtCore", "keras"}


def test_the_check_sees_a_reintroduced_break(tmp_path):
    """A core module that finds its model in the store (as core/classify.py did) is a break."""
    module = tmp_path / "core" / "own_classes" / "m.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "from vision_agent.core.errors import UserError\n"
        "def cache():\n"
        "    from vision_agent.models.store import default_store\n"
        "    return default_store().cache_dir\n"
    )
    assert rank_breaks("core", tmp_path) == {"core/own_classes/m.py": {"vision_agent.models.store"}}
    assert rank_breaks("models", tmp_path) == {}
