"""The outbox: events committed with their writes, claimed under a lease, acknowledged."""

from __future__ import annotations

from pathlib import Path

import pytest

from kumo.storage import Tx
from kumo.storage.sqlite import SqliteStore


def emit(store: SqliteStore, topic: str, n: int) -> None:
    store.write(lambda tx: tx.emit(topic, {"n": n}))


def test_claim_returns_events_oldest_first(store: SqliteStore) -> None:
    for n in range(5):
        emit(store, "s3", n)
    events = store.outbox_claim()
    assert [e.payload["n"] for e in events] == [0, 1, 2, 3, 4]
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    assert {e.topic for e in events} == {"s3"}
    assert all(e.attempts == 1 and e.created > 0 for e in events)


def test_event_commits_with_the_write(store: SqliteStore) -> None:
    def write_and_emit(tx: Tx) -> None:
        tx.put("s3.objects", "k", {"size": 1})
        tx.emit("s3", {"key": "k"})

    store.write(write_and_emit)
    assert [e.payload for e in store.outbox_claim()] == [{"key": "k"}]


def test_failed_write_emits_nothing(store: SqliteStore) -> None:
    def fails(tx: Tx) -> None:
        tx.emit("s3", {"key": "k"})
        raise RuntimeError

    with pytest.raises(RuntimeError):
        store.write(fails)
    assert store.outbox_claim() == []


def test_leased_events_are_not_claimed_twice(store: SqliteStore) -> None:
    emit(store, "t", 1)
    assert len(store.outbox_claim(lease_seconds=60)) == 1
    assert store.outbox_claim(lease_seconds=60) == []


def test_expired_lease_redelivers(store: SqliteStore) -> None:
    emit(store, "t", 1)
    first = store.outbox_claim(lease_seconds=0)  # the deliverer "crashes": no ack
    again = store.outbox_claim(lease_seconds=60)
    assert [e.seq for e in again] == [e.seq for e in first]
    assert again[0].attempts == 2


def test_ack_removes(store: SqliteStore) -> None:
    emit(store, "t", 1)
    emit(store, "t", 2)
    events = store.outbox_claim(lease_seconds=0)
    store.outbox_ack([events[0].seq])
    store.outbox_ack([])
    assert [e.payload["n"] for e in store.outbox_claim()] == [2]


def test_claim_by_topic_and_limit(store: SqliteStore) -> None:
    for n in range(4):
        emit(store, "a" if n % 2 else "b", n)
    assert [e.payload["n"] for e in store.outbox_claim(["a"], lease_seconds=0)] == [1, 3]
    assert store.outbox_claim([], lease_seconds=0) == []
    assert [e.payload["n"] for e in store.outbox_claim(limit=3)] == [0, 1, 2]
    assert [e.payload["n"] for e in store.outbox_claim(limit=3)] == [3]


def test_events_and_leases_survive_reopen(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "kumo.db")
    emit(store, "t", 1)
    emit(store, "t", 2)
    store.outbox_claim(limit=1, lease_seconds=60)
    store.close()
    store = SqliteStore(tmp_path / "kumo.db")
    try:
        assert [e.payload["n"] for e in store.outbox_claim()] == [2]
    finally:
        store.close()


def test_sequence_numbers_are_never_reused(store: SqliteStore) -> None:
    emit(store, "t", 1)
    (first,) = store.outbox_claim()
    store.outbox_ack([first.seq])
    emit(store, "t", 2)
    (second,) = store.outbox_claim()
    assert second.seq > first.seq
