"""Cached reads: get_cached answers from memory only while its table is unchanged."""

from __future__ import annotations

import threading

import pytest

from kumo.storage import StorageError, Tx, key
from kumo.storage.sqlite import SqliteStore


def test_a_cached_read_sees_every_returned_write(store: SqliteStore) -> None:
    k = key("queue-a")
    assert store.get_cached("t", k) is None
    store.write(lambda tx: tx.put("t", k, {"n": 1}))
    assert store.get_cached("t", k) == {"n": 1}
    assert store.get_cached("t", k) == {"n": 1}  # from memory now
    store.write(lambda tx: tx.put("t", k, {"n": 2}))
    assert store.get_cached("t", k) == {"n": 2}
    store.write(lambda tx: tx.delete("t", k))
    assert store.get_cached("t", k) is None


def test_a_write_to_another_key_of_the_table_also_refreshes(store: SqliteStore) -> None:
    store.write(lambda tx: tx.put("t", key("a"), 1))
    assert store.get_cached("t", key("a")) == 1

    def both(tx: Tx) -> None:
        tx.put("t", key("a"), 2)
        tx.put("other", key("x"), 0)

    store.write(both)
    assert store.get_cached("t", key("a")) == 2


def test_callers_get_their_own_copy(store: SqliteStore) -> None:
    store.write(lambda tx: tx.put("t", key("a"), {"tags": ["x"]}))
    first = store.get_cached("t", key("a"))
    first["tags"].append("changed by a caller")
    assert store.get_cached("t", key("a")) == {"tags": ["x"]}


def test_a_failed_write_leaves_the_committed_record(store: SqliteStore) -> None:
    store.write(lambda tx: tx.put("t", key("a"), 1))
    assert store.get_cached("t", key("a")) == 1

    def fails(tx: Tx) -> None:
        tx.put("t", key("a"), 2)
        raise ValueError("no")

    with pytest.raises(ValueError):
        store.write(fails)
    assert store.get_cached("t", key("a")) == 1


def test_reset_forgets_cached_records(store: SqliteStore) -> None:
    store.write(lambda tx: tx.put("t", key("a"), 1))
    assert store.get_cached("t", key("a")) == 1
    store.reset()
    assert store.get_cached("t", key("a")) is None


def test_a_closed_store_refuses(store: SqliteStore) -> None:
    store.close()
    with pytest.raises(StorageError):
        store.get_cached("t", key("a"))


def test_readers_racing_a_writer_never_keep_a_replaced_record(store: SqliteStore) -> None:
    """Readers fill the cache while the record changes under them; once the writer has
    returned, every read gives its last value."""
    k = key("counter")
    store.write(lambda tx: tx.put("t", k, 0))
    stop = threading.Event()
    errors: list[BaseException] = []

    def read_forever() -> None:
        try:
            while not stop.is_set():
                store.get_cached("t", k)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    readers = [threading.Thread(target=read_forever) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        for n in range(1, 301):
            store.write(lambda tx, n=n: tx.put("t", k, n))  # type: ignore[misc]
            assert store.get_cached("t", k) == n
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert not errors
    assert store.get_cached("t", k) == 300
