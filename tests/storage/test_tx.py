"""Transaction operations: get/put/delete/count/emit and range scans."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kumo.storage import ReadOnlyError, StorageError, Tx, key
from kumo.storage.sqlite import SqliteStore


def put_all(store: SqliteStore, table: str, items: dict[bytes, Any]) -> None:
    def fn(tx: Tx) -> None:
        for k, v in items.items():
            tx.put(table, k, v)

    store.write(fn)


def scan(store: SqliteStore, table: str, **kw: Any) -> list[tuple[bytes, Any]]:
    return store.read(lambda tx: list(tx.scan(table, **kw)))


def test_put_get_delete(store: SqliteStore) -> None:
    value = {"name": "r", "tags": ["a", "b"], "n": 1.5, "none": None, "uni": "雲"}
    store.write(lambda tx: tx.put("iam.roles", "r", value))
    assert store.read(lambda tx: tx.get("iam.roles", "r")) == value
    assert store.read(lambda tx: tx.get("iam.roles", b"r")) == value  # str keys are UTF-8
    assert store.read(lambda tx: tx.get("iam.roles", "missing")) is None
    assert store.read(lambda tx: tx.get("other", "r")) is None
    assert store.write(lambda tx: tx.delete("iam.roles", "r")) is True
    assert store.write(lambda tx: tx.delete("iam.roles", "r")) is False
    assert store.read(lambda tx: tx.get("iam.roles", "r")) is None


def test_put_replaces(store: SqliteStore) -> None:
    store.write(lambda tx: tx.put("t", "k", 1))
    store.write(lambda tx: tx.put("t", "k", 2))
    assert store.read(lambda tx: tx.get("t", "k")) == 2
    assert store.tables() == {"t": 1}


def test_write_sees_its_own_writes(store: SqliteStore) -> None:
    def fn(tx: Tx) -> tuple[Any, int, list[bytes]]:
        tx.put("t", "a", 1)
        tx.put("t", "b", 2)
        tx.delete("t", "a")
        return tx.get("t", "b"), tx.count("t"), [k for k, _ in tx.scan("t")]

    assert store.write(fn) == (2, 1, [b"b"])


def test_values_are_copies(store: SqliteStore) -> None:
    value = {"list": [1]}
    store.write(lambda tx: tx.put("t", "k", value))
    value["list"].append(2)
    got = store.read(lambda tx: tx.get("t", "k"))
    assert got == {"list": [1]}


@pytest.mark.parametrize("bad", [{1, 2}, float("nan"), object()])
def test_non_json_values_are_refused(store: SqliteStore, bad: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        store.write(lambda tx: tx.put("t", "k", bad))
    assert store.read(lambda tx: tx.get("t", "k")) is None


def test_read_transactions_cannot_write(store: SqliteStore) -> None:
    with pytest.raises(ReadOnlyError):
        store.read(lambda tx: tx.put("t", "k", 1))
    with pytest.raises(ReadOnlyError):
        store.read(lambda tx: tx.delete("t", "k"))
    with pytest.raises(ReadOnlyError):
        store.read(lambda tx: tx.emit("topic", {}))


def test_tx_is_invalid_after_its_function(store: SqliteStore) -> None:
    store.write(lambda tx: tx.put("t", "k", 1))
    leaked = store.read(lambda tx: tx)
    with pytest.raises(StorageError):
        leaked.get("t", "k")
    lazy: Iterator[tuple[bytes, Any]] = store.read(lambda tx: tx.scan("t"))
    with pytest.raises(StorageError):
        next(lazy)


def test_count_and_tables(store: SqliteStore) -> None:
    put_all(store, "a", {key("x", i): i for i in range(5)})
    put_all(store, "a", {key("y", i): i for i in range(3)})
    put_all(store, "b", {b"k": 0})
    assert store.read(lambda tx: tx.count("a")) == 8
    assert store.read(lambda tx: tx.count("a", prefix=key("x"))) == 5
    assert store.read(lambda tx: tx.count("a", prefix=key("z"))) == 0
    assert store.tables() == {"a": 8, "b": 1}


# -- scans -------------------------------------------------------------------------------


def test_scan_orders_bytewise(store: SqliteStore) -> None:
    keys = [b"", b"\x00", b"\x00\x00", b"\x01", b"a", b"a\x00", b"ab", b"b", b"\x7f", b"\xff"]
    put_all(store, "t", {k: i for i, k in enumerate(keys)})
    assert [k for k, _ in scan(store, "t")] == sorted(keys)
    assert [k for k, _ in scan(store, "t", reverse=True)] == sorted(keys, reverse=True)


def test_scan_prefix_start_end_limit(store: SqliteStore) -> None:
    items = {key("b1", i): i for i in range(10)} | {key("b2", 0): "other"}
    put_all(store, "t", items)
    under = key("b1")
    assert [v for _, v in scan(store, "t", prefix=under)] == list(range(10))
    assert [v for _, v in scan(store, "t", prefix=under, start=key("b1", 3))] == list(range(3, 10))
    assert [v for _, v in scan(store, "t", prefix=under, end=key("b1", 3))] == [0, 1, 2]
    assert [v for _, v in scan(store, "t", prefix=under, limit=2)] == [0, 1]
    assert [v for _, v in scan(store, "t", prefix=under, reverse=True, limit=3)] == [9, 8, 7]
    assert [v for _, v in scan(store, "t", prefix=under, reverse=True, end=key("b1", 5))] == [
        4,
        3,
        2,
        1,
        0,
    ]
    assert scan(store, "t", prefix=under, limit=0) == []
    assert scan(store, "t", start=b"z", end=b"a") == []
    # a start before the prefix and an end after it are clipped to the prefix
    assert len(scan(store, "t", prefix=under, start=b"", end=b"\xff")) == 10


def test_scan_prefix_with_ff_bytes(store: SqliteStore) -> None:
    keys = [
        b"\xfe",
        b"\xfe\xff",
        b"\xfe\xff\x00",
        b"\xfe\xff\xff",
        b"\xff",
        b"\xff\x00",
        b"\xff\xff",
    ]
    put_all(store, "t", {k: 0 for k in keys})
    assert [k for k, _ in scan(store, "t", prefix=b"\xfe\xff")] == [
        b"\xfe\xff",
        b"\xfe\xff\x00",
        b"\xfe\xff\xff",
    ]
    assert [k for k, _ in scan(store, "t", prefix=b"\xff")] == [b"\xff", b"\xff\x00", b"\xff\xff"]
    assert [k for k, _ in scan(store, "t", prefix=b"\xff\xff")] == [b"\xff\xff"]
    assert len(scan(store, "t", prefix=b"")) == len(keys)


def test_scan_pages_through_large_ranges(store: SqliteStore) -> None:
    n = 1000  # several internal pages
    put_all(store, "t", {key(i): i for i in range(n)})
    assert [v for _, v in scan(store, "t")] == list(range(n))
    assert [v for _, v in scan(store, "t", reverse=True)] == list(range(n - 1, -1, -1))
    assert [v for _, v in scan(store, "t", limit=700)] == list(range(700))
    assert [v for _, v in scan(store, "t", reverse=True, limit=300)] == list(range(999, 699, -1))


def test_scan_while_writing(store: SqliteStore) -> None:
    put_all(store, "t", {key(i): i for i in range(600)})

    def move_all(tx: Tx) -> int:
        moved = 0
        for k, v in tx.scan("t"):
            tx.delete("t", k)
            tx.put("done", k, v)
            moved += 1
        return moved

    assert store.write(move_all) == 600
    assert store.tables() == {"done": 600}


def test_scan_is_lazy(store: SqliteStore) -> None:
    put_all(store, "t", {key(i): i for i in range(2000)})

    def first_three(tx: Tx) -> list[Any]:
        it = tx.scan("t")
        return [next(it)[1] for _ in range(3)]

    assert store.read(first_three) == [0, 1, 2]


@pytest.fixture(scope="module")
def model_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path_factory.mktemp("model") / "kumo.db")
    yield s
    s.close()


_KEYS = st.lists(st.binary(max_size=3), max_size=40, unique=True)
_BOUND = st.none() | st.binary(max_size=3)


@settings(max_examples=150, deadline=None)
@given(
    keys=_KEYS,
    prefix=_BOUND,
    start=_BOUND,
    end=_BOUND,
    reverse=st.booleans(),
    limit=st.none() | st.integers(min_value=0, max_value=50),
)
def test_scan_matches_a_sorted_model(
    model_store: SqliteStore,
    keys: list[bytes],
    prefix: bytes | None,
    start: bytes | None,
    end: bytes | None,
    reverse: bool,
    limit: int | None,
) -> None:
    table = uuid.uuid4().hex
    model_store.write(lambda tx: [tx.put(table, k, 0) for k in keys])
    expected = sorted(
        k
        for k in keys
        if (prefix is None or k.startswith(prefix))
        and (start is None or k >= start)
        and (end is None or k < end)
    )
    if reverse:
        expected.reverse()
    if limit is not None:
        expected = expected[:limit]
    got = model_store.read(
        lambda tx: [
            k
            for k, _ in tx.scan(
                table, prefix=prefix, start=start, end=end, reverse=reverse, limit=limit
            )
        ]
    )
    assert got == expected
