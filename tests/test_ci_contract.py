"""CI runs exactly the README's test command and fails when no tests are collected."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = ".venv/bin/python -m pytest -q"
    assert f"\n{command}\n" in readme
    assert f"\n{command}\n" in ci


def test_ci_treats_no_tests_as_failure():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert '"$status" -eq 5' in ci and "exit 1" in ci
