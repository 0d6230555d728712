"""CI runs exactly the README's test command and fails when no tests are collected; the READMEs
are for users: short, both languages, every link leads to a file that exists."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEST_COMMAND = '.venv/bin/pip install -e ".[dev]" && .venv/bin/python -m pytest -q'


@pytest.mark.parametrize("name", ["README.md", "README.ko.md"])
def test_the_readme_test_command_installs_the_test_tools_and_ci_runs_it(name):
    readme = (REPO / name).read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert f"\n{TEST_COMMAND}\n" in readme
    assert 'pip install -q -e ".[dev]"' in ci
    assert "\n.venv/bin/python -m pytest -q\n" in ci


def test_ci_treats_no_tests_as_failure():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert '"$status" -eq 5' in ci and "exit 1" in ci


@pytest.mark.parametrize("name", ["README.md", "README.ko.md"])
def test_readme_is_short_and_its_links_exist(name):
    text = (REPO / name).read_text(encoding="utf-8")
    assert len(text) < 12_000
    assert "REPOSITORY_URL" not in text
    targets = re.findall(r"\]\(([^)#\s]+)", text)
    assert targets
    missing = [t for t in targets if not t.startswith("http") and not (REPO / t).exists()]
    assert missing == []


def test_the_two_readmes_have_the_same_sections():
    def headings(name: str) -> list[str]:
        text = (REPO / name).read_text(encoding="utf-8")
        return [line.split(" ")[0] for line in text.splitlines() if line.startswith("#")]

    assert headings("README.md") == headings("README.ko.md")


def test_the_licence_file_matches_the_package_metadata():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = "MIT"' in pyproject
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
