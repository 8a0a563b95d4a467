"""Docs are code: generated documents and the README cannot drift from what kumo does."""

from __future__ import annotations

import re
from pathlib import Path

import click

from kumo.cli.main import main
from kumo.services.coverage import coverage_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_coverage_document_is_current() -> None:
    committed = (ROOT / "docs" / "coverage.md").read_text()
    assert committed == coverage_markdown(), (
        "docs/coverage.md is stale: run `python -m kumo.services.coverage > docs/coverage.md`"
    )


def test_every_cli_command_and_option_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    assert isinstance(main, click.Group)
    for name, command in main.commands.items():
        assert f"kumo {name}" in readme, f"`kumo {name}` is not documented in README.md"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in readme, f"`kumo {name} {opt}` is not documented in README.md"


def test_quick_start_commands_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "./scripts/up" in readme
    assert "./scripts/test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./scripts/test" in ci


def test_every_environment_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    used: set[str] = set()
    for path in (ROOT / "src" / "kumo").rglob("*.py"):
        used.update(re.findall(r"\bKUMO_[A-Z][A-Z0-9_]*\b", path.read_text()))
    missing = sorted(name for name in used if name not in readme)
    assert missing == [], f"environment settings not documented in README.md: {missing}"
