"""The log store without the wire: the runtime's sink, reads, the retention sweep, EMF."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kumo.observe import logs as db
from kumo.observe.derive import emf_metrics
from kumo.observe.log_reads import filter_events, read_stream, sweep_expired
from kumo.observe.metrics import aggregate, iter_datapoints, iter_metrics
from kumo.runtime.api import LogEvent
from kumo.storage.base import Tx
from kumo.storage.sqlite import SqliteStore

ACCOUNT, REGION, GROUP = "123456789012", "us-east-1", "/aws/lambda/fn"
FIXTURES = Path(__file__).parent / "fixtures"
DAY = 86_400_000
STREAM = "2024/01/01/[$LATEST]a"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "kumo.sqlite")
    yield s
    s.close()


def sink_write(store: SqliteStore, stream: str, events: list[LogEvent]) -> None:
    asyncio.run(db.StoreLogSink(store)(ACCOUNT, REGION, GROUP, stream, events))


def test_sink_creates_group_and_stream(store: SqliteStore) -> None:
    sink_write(store, STREAM, [LogEvent(2000, "END"), LogEvent(1000, "START")])
    group = store.read(lambda tx: db.get_group(tx, ACCOUNT, REGION, GROUP))
    assert group is not None
    assert group.stored_bytes == len("START") + len("END")
    stream = store.read(lambda tx: db.get_stream(tx, ACCOUNT, REGION, GROUP, STREAM))
    assert stream is not None
    assert (stream.first_event_timestamp, stream.last_event_timestamp) == (1000, 2000)
    assert stream.last_ingestion_time is not None
    page = store.read(
        lambda tx: read_stream(
            tx, ACCOUNT, REGION, GROUP, STREAM,
            start_time=None, end_time=None, limit=100, from_head=True,
        )
    )  # fmt: skip
    assert [e.message for e in page.events] == ["START", "END"]
    # a second batch appends to the same stream
    sink_write(store, STREAM, [LogEvent(3000, "REPORT")])
    stream = store.read(lambda tx: db.get_stream(tx, ACCOUNT, REGION, GROUP, STREAM))
    assert stream is not None and stream.last_event_timestamp == 3000


def test_filter_merges_streams_by_time(store: SqliteStore) -> None:
    sink_write(store, "a", [LogEvent(1, "a1"), LogEvent(3, "a3")])
    sink_write(store, "b", [LogEvent(2, "b2"), LogEvent(4, "b4")])
    for streams in (None, ["a", "b"]):
        page = store.read(
            lambda tx, s=streams: filter_events(
                tx, ACCOUNT, REGION, GROUP, start_time=None, end_time=None,
                streams=s, stream_prefix=None, matches=lambda m: True, limit=100,
            )
        )  # fmt: skip
        assert [e.message for e in page.events] == ["a1", "b2", "a3", "b4"]
        assert page.resume is None


def test_filter_by_stream_prefix(store: SqliteStore) -> None:
    sink_write(store, "app-1", [LogEvent(1, "a1"), LogEvent(4, "a4")])
    sink_write(store, "app-2", [LogEvent(2, "b2")])
    sink_write(store, "other", [LogEvent(3, "o3")])
    for prefix, expected in (("app-", ["a1", "b2", "a4"]), ("none", []), ("o", ["o3"])):
        page = store.read(
            lambda tx, p=prefix: filter_events(
                tx, ACCOUNT, REGION, GROUP, start_time=None, end_time=None,
                streams=None, stream_prefix=p, matches=lambda m: True, limit=100,
            )
        )  # fmt: skip
        assert [e.message for e in page.events] == expected


def test_filter_scan_budget_returns_a_continuation(store: SqliteStore) -> None:
    sink_write(store, "a", [LogEvent(i, f"m{i}") for i in range(10)])
    seen: list[str] = []
    resume = None
    for _ in range(20):
        page = store.read(
            lambda tx, r=resume: filter_events(
                tx, ACCOUNT, REGION, GROUP, start_time=None, end_time=None,
                streams=None, stream_prefix=None, matches=lambda m: m.endswith(("3", "7")),
                limit=100, resume=r, budget=4,
            )
        )  # fmt: skip
        seen += [e.message for e in page.events]
        resume = page.resume
        if resume is None:
            break
    assert seen == ["m3", "m7"]


def test_retention_sweep_with_a_fake_now(store: SqliteStore) -> None:
    now = 1_700_000_000_000
    sink_write(store, "a", [LogEvent(now - 10 * DAY, "old"), LogEvent(now - 2 * DAY, "recent")])
    sink_write(store, "b", [LogEvent(now - 9 * DAY, "old b")])

    def set_retention(tx: Tx) -> None:
        group = db.get_group(tx, ACCOUNT, REGION, GROUP)
        assert group is not None
        group.retention_days = 7
        db.put_group(tx, group)

    store.write(set_retention)
    assert sweep_expired(store, now) == 2
    assert sweep_expired(store, now) == 0
    page = store.read(
        lambda tx: filter_events(
            tx, ACCOUNT, REGION, GROUP, start_time=None, end_time=None,
            streams=None, stream_prefix=None, matches=lambda m: True, limit=100,
        )
    )  # fmt: skip
    assert [e.message for e in page.events] == ["recent"]
    group = store.read(lambda tx: db.get_group(tx, ACCOUNT, REGION, GROUP))
    assert group is not None and group.stored_bytes == len("recent")
    assert store.read(lambda tx: tx.count(db.EVENTS)) == 1


def test_groups_without_retention_are_not_swept(store: SqliteStore) -> None:
    sink_write(store, "a", [LogEvent(0, "ancient")])
    assert sweep_expired(store, 1_700_000_000_000) == 0


def test_emf_line_becomes_metrics(store: SqliteStore) -> None:
    line = (FIXTURES / "emf_powertools.json").read_text().strip()
    sink_write(store, "a", [LogEvent(1_700_000_000_000, line)])
    metrics = [
        m
        for _, m in store.read(
            lambda tx: list(iter_metrics(tx, ACCOUNT, REGION, "ServerlessAirline"))
        )
    ]
    assert sorted(m.name for m in metrics) == ["BookingLatency", "SuccessfulBooking"]
    dims = (("environment", "prod"), ("service", "booking"))
    assert all(m.dimensions == dims for m in metrics)
    points = store.read(
        lambda tx: list(
            iter_datapoints(
                tx, ACCOUNT, REGION, "ServerlessAirline", "BookingLatency", list(dims),
                0, 2_000_000_000_000,
            )
        )
    )  # fmt: skip
    stats = aggregate(points)
    assert (stats.sample_count, stats.sum, stats.minimum, stats.maximum) == (2, 200, 80, 120)
    assert stats.unit == "Milliseconds"
    assert points[0].storage_resolution == 1


@pytest.mark.parametrize(
    "line",
    [
        "plain text",
        "{not json",
        json.dumps({"_aws": {"CloudWatchMetrics": "nope"}}),
        json.dumps(
            {
                "_aws": {
                    "Timestamp": 1,
                    "CloudWatchMetrics": [
                        {"Namespace": "n", "Dimensions": [["d"]], "Metrics": [{"Name": "m"}]}
                    ],
                },
                "m": "not a number",
                "d": "x",
            }
        ),
    ],
)
def test_lines_that_are_not_emf(line: str) -> None:
    assert emf_metrics(line, 0) == []


def test_emf_without_dimension_value_skips_that_set() -> None:
    doc = {
        "_aws": {
            "Timestamp": 5,
            "CloudWatchMetrics": [
                {"Namespace": "n", "Dimensions": [["missing"], []], "Metrics": [{"Name": "m"}]}
            ],
        },
        "m": 3,
    }
    out = emf_metrics(json.dumps(doc), 0)
    assert [(ns, name, dims, p.values) for ns, name, dims, p in out] == [("n", "m", [], [3.0])]


def test_concurrent_writers_keep_every_event(store: SqliteStore) -> None:
    sink = db.StoreLogSink(store)

    def batch(writer: int) -> list[LogEvent]:
        return [LogEvent(1000 + i, f"w{writer}-{i}") for i in range(20)]

    async def write_all() -> None:
        await asyncio.gather(
            *(sink(ACCOUNT, REGION, GROUP, f"s{w % 3}", batch(w)) for w in range(12))
        )

    asyncio.run(write_all())
    page = store.read(
        lambda tx: filter_events(
            tx, ACCOUNT, REGION, GROUP, start_time=None, end_time=None,
            streams=None, stream_prefix=None, matches=lambda m: True, limit=10_000,
        )
    )  # fmt: skip
    assert len(page.events) == 240
    assert len({e.event_id for e in page.events}) == 240
    group = store.read(lambda tx: db.get_group(tx, ACCOUNT, REGION, GROUP))
    assert group is not None and group.next_seq == 241
