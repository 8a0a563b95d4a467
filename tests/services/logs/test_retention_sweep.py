"""The provider's retention sweeper, run with a short period and a fake clock."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from kumo.config import Settings
from kumo.observe import logs as db
from kumo.runtime.api import LogEvent
from kumo.services.base import ServiceDeps
from kumo.services.logs.provider import LogsProvider
from kumo.storage.base import Tx
from kumo.storage.sqlite import SqliteStore

ACCOUNT, REGION, GROUP = "123456789012", "us-east-1", "/aws/lambda/swept"
DAY = 86_400_000
NOW = 1_800_000_000_000


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "kumo.sqlite")
    yield s
    s.close()


def test_sweeper_deletes_expired_events(store: SqliteStore, tmp_path: Path) -> None:
    events = [LogEvent(NOW - 40 * DAY, "expired"), LogEvent(NOW - DAY, "kept")]

    def seed(tx: Tx) -> None:
        db.put_log_events(tx, ACCOUNT, REGION, GROUP, "s", events)
        group = db.get_group(tx, ACCOUNT, REGION, GROUP)
        assert group is not None
        group.retention_days = 30
        db.put_group(tx, group)

    store.write(seed)
    provider = LogsProvider(ServiceDeps(store=store, settings=Settings(data_dir=tmp_path)))
    provider.sweep_interval = 0.01
    provider.clock = lambda: NOW

    async def run() -> None:
        await provider.start()
        for _ in range(200):
            if store.read(lambda tx: tx.count(db.EVENTS)) == 1:
                break
            await asyncio.sleep(0.01)
        await provider.stop()

    asyncio.run(run())
    remaining = store.read(lambda tx: [v[0] for _, v in tx.scan(db.EVENTS)])
    assert remaining == ["kept"]
