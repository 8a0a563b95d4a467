"""Fixtures for the storage tests: a fresh embedded store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kumo.storage.sqlite import SqliteStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "kumo.db")
    yield s
    s.close()
