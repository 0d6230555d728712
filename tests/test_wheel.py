"""The wheel ships every file of resources/, and the installed package finds them (paths.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from vision_agent import paths

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("vision_agent", "resources", "pyproject.toml", "setup.py", "README.md")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, str]:
    """A wheel built by pip from a copy of the sources (no stale build/ folder can leak in)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    for name in SOURCES:
        if (REPO / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(REPO / name, source / name, ignore=ignore)
        else:
            shutil.copy2(REPO / name, source / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(root / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    [path] = (root / "dist").glob("vision_agent-*.whl")
    return path, built.stdout + built.stderr


def test_the_wheel_holds_every_resource_and_module(wheel):
    path, _output = wheel
    names = set(zipfile.ZipFile(path).namelist())
    resources = [p for p in (REPO / "resources").rglob("*") if p.is_file()]
    assert len(resources) >= 10
    missing = [
        str(p.relative_to(REPO))
        for p in resources
        if "vision_agent/resources/" + p.relative_to(REPO / "resources").as_posix() not in names
    ]
    assert not missing, f"not in {path.name}: {missing}"
    modules = [p.relative_to(REPO).as_posix() for p in (REPO / "vision_agent").rglob("*.py")]
    assert not [m for m in modules if m not in names]


def test_building_the_wheel_prints_no_setuptools_warning(wheel):
    _path, output = wheel
    assert "Warning" not in output and "!!" not in output, output[-3000:]


def test_the_installed_package_finds_its_resources(wheel, tmp_path):
    """Installed (here: into a target folder), from a folder outside the checkout."""
    path, _output = wheel
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    script = (
        "import vision_agent.paths as p, vision_agent.i18n as i;"
        "from vision_agent.models.registry import default_registry;"
        "i.set_language('ko');"
        "print(p.resources_dir());"
        "print(len(default_registry().ids()));"
        "print(i.tr('Postal code'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "VISION_AGENT_REGISTRY"}
    env["PYTHONPATH"] = str(target)
    shown = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=True,
    )
    folder, models, korean = shown.stdout.splitlines()
    assert Path(folder) == target / "vision_agent" / "resources"
    assert int(models) >= 5
    assert korean != "Postal code" and korean.strip()


def test_a_checkout_uses_the_resources_folder_at_the_top():
    assert paths.resources_dir() == REPO / "resources"


def test_a_frozen_app_uses_the_bundled_resources(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resource("models", "registry.json") == tmp_path / "resources" / "models" / (
        "registry.json"
    )


def test_ci_checks_the_installed_wheel_and_sdist():
    run = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    check = (REPO / ".ci" / "check-install").read_text(encoding="utf-8")
    assert "\n.ci/check-install\n" in run
    for step in ("-m build", "--self-test", " postal ", "models list", "set_language('ko')"):
        assert step in check
    assert 'check "$(ls "$WORK"/dist/vision_agent-*.whl)"' in check
    assert 'check "$(ls "$WORK"/dist/vision_agent-*.tar.gz)"' in check
