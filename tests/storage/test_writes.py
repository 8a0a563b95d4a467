"""Group commit: batching, per-function savepoints, failures, concurrency, close."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kumo.storage import StorageError, StoreClosedError, Tx
from kumo.storage.sqlite import SqliteStore, conn_of


class Held:
    """Keeps a leader busy in one write until released, so later writes queue up and
    are committed together as the next batch, in the order they were submitted.

    Each submitted write runs on a thread named after it, so a function can tell whether
    it runs on its own caller's thread (as the leader) or on another's (as a follower)."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self._entered = threading.Event()
        self._release = threading.Event()
        self._threads: list[threading.Thread] = []
        self.results: dict[str, Any] = {}
        self._submit("hold", self._block)
        assert self._entered.wait(5)

    def _block(self, tx: Tx) -> None:
        self._entered.set()
        assert self._release.wait(5)

    def _submit(self, name: str, fn: Callable[[Tx], Any]) -> None:
        def call() -> None:
            try:
                self.results[name] = self.store.write(fn)
            except BaseException as exc:
                self.results[name] = exc

        t = threading.Thread(target=call, name=name)
        t.start()
        self._threads.append(t)

    def submit(self, name: str, fn: Callable[[Tx], Any]) -> None:
        before = len(self.store._queue)
        self._submit(name, fn)
        deadline = time.monotonic() + 5
        while len(self.store._queue) == before:  # keep submission order == batch order
            assert time.monotonic() < deadline
            time.sleep(0.001)

    def release(self) -> dict[str, Any]:
        self._release.set()
        for t in self._threads:
            t.join(5)
        return self.results


def test_one_failing_function_rolls_back_only_itself(store: SqliteStore) -> None:
    held = Held(store)
    batches = store.stats.batches

    def bad(tx: Tx) -> None:
        tx.put("t", "b", 1)
        tx.emit("topic", {"from": "b"})
        raise KeyError("boom")

    held.submit("a", lambda tx: tx.put("t", "a", 1))
    held.submit("b", bad)
    held.submit("c", lambda tx: (tx.put("t", "c", 1), tx.get("t", "b"), tx.get("t", "a"))[1:])
    results = held.release()

    assert results["a"] is None
    assert isinstance(results["b"], KeyError)
    assert results["c"] == (None, 1)  # saw its batch-mate's write, not the failed one's
    assert store.stats.batches == batches + 1  # the three ran as one batch
    assert store.stats.largest >= 3
    assert store.read(lambda tx: [k for k, _ in tx.scan("t")]) == [b"a", b"c"]
    assert store.outbox_claim() == []


class FailingCommitStore(SqliteStore):
    """Fails the commit of any batch that wrote the key ``poison`` (like a full disk)."""

    def _commit(self, conn: sqlite3.Connection) -> None:
        if conn.execute("SELECT 1 FROM kv WHERE k = ?", (b"poison",)).fetchone():
            raise sqlite3.OperationalError("database or disk is full")
        super()._commit(conn)


def test_failed_commit_fails_the_whole_batch_and_applies_nothing(tmp_path: Path) -> None:
    store = FailingCommitStore(tmp_path / "kumo.db")
    try:
        held = Held(store)
        held.submit("a", lambda tx: tx.put("t", "a", 1))
        held.submit("p", lambda tx: tx.put("t", "poison", 1))
        held.submit("c", lambda tx: tx.emit("topic", {}))
        results = held.release()
        for name in "apc":
            assert isinstance(results[name], StorageError)
            assert "disk is full" in str(results[name])
        assert store.tables() == {}
        assert store.outbox_claim() == []
        # the writer carries on
        store.write(lambda tx: tx.put("t", "after", 1))
        assert store.tables() == {"t": 1}
    finally:
        store.close()


class SmallDiskStore(SqliteStore):
    """A database that may grow by only a few pages: SQLite reports a full disk."""

    def _configure_writer(self, conn: sqlite3.Connection) -> None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages + 8}")


def test_disk_full_fails_only_the_function_that_hit_it(tmp_path: Path) -> None:
    store = SmallDiskStore(tmp_path / "kumo.db")
    try:
        held = Held(store)
        held.submit("a", lambda tx: tx.put("t", "a", "small"))
        held.submit("big", lambda tx: tx.put("t", "big", "x" * 1_000_000))
        held.submit("c", lambda tx: tx.put("t", "c", "small"))
        results = held.release()
        assert isinstance(results["big"], StorageError)
        assert results["a"] is None and results["c"] is None
        assert store.read(lambda tx: [k for k, _ in tx.scan("t")]) == [b"a", b"c"]
    finally:
        store.close()


def test_batch_is_rerun_when_the_database_aborts_the_transaction(store: SqliteStore) -> None:
    runs: list[str] = []

    def a(tx: Tx) -> None:
        runs.append("a")
        tx.put("t", "a", 1)

    def abort(tx: Tx) -> None:
        tx.put("t", "x", 1)
        conn_of(tx).execute("ROLLBACK")  # what SQLite itself may do on an I/O error
        raise sqlite3.OperationalError("disk I/O error")  # reaches the caller translated

    held = Held(store)
    held.submit("a", a)
    held.submit("abort", abort)
    held.submit("c", lambda tx: tx.put("t", "c", 1))
    results = held.release()
    assert isinstance(results["abort"], StorageError)
    assert results["a"] is None and results["c"] is None
    assert runs == ["a", "a"]
    assert store.read(lambda tx: [k for k, _ in tx.scan("t")]) == [b"a", b"c"]


def test_a_lone_write_is_undone_without_a_savepoint(store: SqliteStore) -> None:
    def fails(tx: Tx) -> None:
        tx.put("t", "k", 1)
        raise KeyError("boom")

    def aborts(tx: Tx) -> None:
        tx.put("t", "k", 1)
        conn_of(tx).execute("ROLLBACK")  # as SQLite may on an I/O error

    with pytest.raises(KeyError):
        store.write(fails)
    with pytest.raises(StorageError, match="aborted"):
        store.write(aborts)
    assert store.stats.largest == 1
    assert store.tables() == {}
    assert store.write(lambda tx: tx.put("t", "k", 2)) is None
    assert store.tables() == {"t": 1}


def test_no_lost_updates_under_concurrency(store: SqliteStore) -> None:
    threads, per_thread, counters = 8, 150, 4

    def worker(n: int) -> None:
        for i in range(per_thread):
            name = f"c{(n + i) % counters}"

            def incr(tx: Tx, name: str = name) -> None:
                tx.put("counters", name, (tx.get("counters", name) or 0) + 1)

            store.write(incr)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    values = store.read(lambda tx: [v for _, v in tx.scan("counters")])
    assert sum(values) == threads * per_thread
    assert store.stats.writes >= threads * per_thread


def test_read_after_write_sees_it_from_any_thread(store: SqliteStore) -> None:
    errors: list[str] = []

    def worker(n: int) -> None:
        for i in range(50):

            def put(tx: Tx, i: int = i) -> None:
                tx.put("t", f"{n}", i)

            store.write(put)
            seen = store.read(lambda tx: tx.get("t", f"{n}"))
            if seen != i:
                errors.append(f"thread {n} wrote {i}, read {seen}")

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []


def test_reads_are_not_blocked_by_a_running_write(store: SqliteStore) -> None:
    store.write(lambda tx: tx.put("t", "k", "old"))
    entered, release = threading.Event(), threading.Event()

    def slow(tx: Tx) -> None:
        tx.put("t", "k", "new")
        entered.set()
        assert release.wait(5)

    writer = threading.Thread(target=store.write, args=(slow,))
    writer.start()
    assert entered.wait(5)
    try:
        assert store.read(lambda tx: tx.get("t", "k")) == "old"  # snapshot, no waiting
    finally:
        release.set()
        writer.join()
    assert store.read(lambda tx: tx.get("t", "k")) == "new"


def test_a_read_keeps_one_snapshot(store: SqliteStore) -> None:
    store.write(lambda tx: tx.put("t", "k", 1))

    def read_twice(tx: Tx) -> tuple[Any, Any]:
        first = tx.get("t", "k")
        threading.Thread(target=store.write, args=(lambda w: w.put("t", "k", 2),)).start()
        time.sleep(0.1)
        return first, tx.get("t", "k")

    assert store.read(read_twice) == (1, 1)


def test_write_inside_a_write_is_refused(store: SqliteStore) -> None:
    with pytest.raises(StorageError):
        store.write(lambda tx: store.write(lambda inner: None))


def test_results_and_exceptions_reach_the_caller(store: SqliteStore) -> None:
    assert store.write(lambda tx: 42) == 42
    with pytest.raises(ZeroDivisionError):
        store.write(lambda tx: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        store.read(lambda tx: 1 / 0)

    def exits(tx: Tx) -> None:
        tx.put("t", "k", 1)
        raise SystemExit(3)

    with pytest.raises(SystemExit):
        store.write(exits)
    assert store.write(lambda tx: tx.get("t", "k")) is None  # the store carried on


def test_an_uncontended_write_runs_on_the_callers_thread(store: SqliteStore) -> None:
    assert store.write(lambda tx: threading.get_ident()) == threading.get_ident()
    assert store.write(lambda tx: store._leader) == threading.get_ident()
    assert store._leader is None and not store._leading


class SlowCommitStore(SqliteStore):
    """Holds its next commit until released, as a slow fsync would."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.committing = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def _commit(self, conn: sqlite3.Connection) -> None:
        self.committing.set()
        assert self.release.wait(5)
        super()._commit(conn)


def test_writes_issued_during_a_commit_form_the_next_batch(tmp_path: Path) -> None:
    store = SlowCommitStore(tmp_path / "kumo.db")
    try:
        store.release.clear()
        first = threading.Thread(target=store.write, args=(lambda tx: tx.put("t", "0", 0),))
        first.start()
        assert store.committing.wait(5)
        batches = store.stats.batches
        ran_on: dict[str, str] = {}
        threads = []
        for name in ("a", "b", "c"):

            def put(tx: Tx, name: str = name) -> None:
                ran_on[name] = threading.current_thread().name
                tx.put("t", name, 1)

            threads.append(threading.Thread(target=store.write, args=(put,), name=name))
            threads[-1].start()
        deadline = time.monotonic() + 5
        while len(store._queue) < 3:  # all three queued behind the commit in flight
            assert time.monotonic() < deadline
            time.sleep(0.001)
        store.release.set()
        for t in [first, *threads]:
            t.join(5)
        assert store.stats.batches == batches + 1  # one batch after the slow one
        assert store.stats.largest == 3
        assert len(set(ran_on.values())) == 1  # all on the leader's thread, one of the three
        assert set(ran_on.values()) <= {"a", "b", "c"}
        assert store.tables() == {"t": 4}
    finally:
        store.close()


@pytest.mark.parametrize("error", [ValueError, SystemExit])
def test_a_leader_whose_own_function_raises_strands_no_follower(
    store: SqliteStore, error: type[BaseException]
) -> None:
    def make(name: str) -> Callable[[Tx], Any]:
        def fn(tx: Tx) -> str:
            leader = threading.current_thread().name  # Held names each caller's thread
            if leader == name:  # on its own caller's thread: the leader's own function
                raise error("the leader's own function")
            tx.put("t", name, leader)
            return leader

        return fn

    held = Held(store)
    batches = store.stats.batches
    for name in ("a", "b", "c"):
        held.submit(name, make(name))
    results = held.release()

    failed = [name for name in "abc" if isinstance(results[name], error)]
    assert len(failed) == 1  # exactly one of them led the batch, and its function raised
    (leader,) = failed
    followers = sorted(set("abc") - {leader})
    assert [results[name] for name in followers] == [leader, leader]
    assert store.stats.batches == batches + 1
    assert store.read(lambda tx: dict(tx.scan("t"))) == {f.encode(): leader for f in followers}
    store.write(lambda tx: tx.put("t", "after", 1))  # leadership was handed on
    assert store._leading is False


def test_an_interrupted_caller_withdraws_its_write_and_strands_no_one(
    store: SqliteStore,
) -> None:
    main = threading.get_ident()
    held = Held(store)
    queued = len(store._queue)

    def interrupt() -> None:
        deadline = time.monotonic() + 5
        while len(store._queue) == queued:  # the main thread's write is queued
            assert time.monotonic() < deadline
            time.sleep(0.001)
        time.sleep(0.05)  # and it waits as a follower
        held.submit("b", lambda tx: tx.put("t", "b", 1))  # queued behind it
        signal.pthread_kill(main, signal.SIGINT)

    killer = threading.Thread(target=interrupt)
    killer.start()
    with pytest.raises(KeyboardInterrupt):
        store.write(lambda tx: tx.put("t", "interrupted", 1))
    killer.join(5)
    assert len(store._queue) == 1  # only "b": the interrupted write was withdrawn
    results = held.release()
    assert results["b"] is None  # the write behind the withdrawn one still ran
    assert store.read(lambda tx: [k for k, _ in tx.scan("t")]) == [b"b"]
    assert store._leading is False


def test_schema_from_a_newer_kumo_is_refused(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "kumo.db").close()
    with sqlite3.connect(tmp_path / "kumo.db") as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StorageError, match="newer kumo"):
        SqliteStore(tmp_path / "kumo.db")


def test_close_drains_queued_writes(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "kumo.db")
    held = Held(store)
    for i in range(5):

        def put(tx: Tx, i: int = i) -> None:
            tx.put("t", f"{i}", i)

        held.submit(f"w{i}", put)
    closer = threading.Thread(target=store.close)
    closer.start()
    results = held.release()
    closer.join(5)
    assert all(results[f"w{i}"] is None for i in range(5))
    with pytest.raises(StoreClosedError):
        store.write(lambda tx: None)
    with pytest.raises(StoreClosedError):
        store.read(lambda tx: None)
    store.close()  # idempotent

    reopened = SqliteStore(tmp_path / "kumo.db")
    try:
        assert reopened.tables() == {"t": 5}
    finally:
        reopened.close()


@pytest.mark.parametrize("fsync", [False, True])
def test_data_survives_reopen(tmp_path: Path, fsync: bool) -> None:
    store = SqliteStore(tmp_path / "kumo.db", fsync=fsync)
    store.write(lambda tx: tx.put("t", "k", {"v": 1}))
    store.close()
    store = SqliteStore(tmp_path / "kumo.db", fsync=fsync)
    try:
        assert store.read(lambda tx: tx.get("t", "k")) == {"v": 1}
    finally:
        store.close()


def test_async_wrappers(store: SqliteStore) -> None:
    import asyncio

    async def main() -> Any:
        await store.awrite(lambda tx: tx.put("t", "k", 7))
        return await store.aread(lambda tx: tx.get("t", "k"))

    assert asyncio.run(main()) == 7
