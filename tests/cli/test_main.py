"""The ``kumo`` command, run against the in-process kumo."""

from __future__ import annotations

from click.testing import CliRunner

from kumo import __version__
from kumo.cli.main import main
from tests.conftest import RunningKumo


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])

    assert result.exit_code == 0
    assert __version__ in result.output


def test_status_shows_running_kumo(kumo: RunningKumo) -> None:
    result = CliRunner().invoke(main, ["status", "--endpoint", kumo.url])

    assert result.exit_code == 0, result.output
    assert "is running" in result.output
    assert "sts" in result.output


def test_status_reports_unreachable_endpoint() -> None:
    result = CliRunner().invoke(main, ["status", "--endpoint", "http://127.0.0.1:9"])

    assert result.exit_code == 1
    assert "not reachable" in result.output


def test_reset_without_confirmation_changes_nothing(kumo: RunningKumo) -> None:
    result = CliRunner().invoke(main, ["reset", "--endpoint", kumo.url], input="n\n")

    assert result.exit_code != 0


def test_reset_with_yes(kumo: RunningKumo) -> None:
    result = CliRunner().invoke(main, ["reset", "--endpoint", kumo.url, "--yes"])

    assert result.exit_code == 0, result.output
    assert "wiped" in result.output
