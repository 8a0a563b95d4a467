"""The embedded store: SQLite in WAL mode with group commit, plus blob files.

Layout: one ``kv`` table holds every service table's records (``tbl``, ``k`` bytes, ``v``
JSON), clustered on ``(tbl, k)`` so a key range is an index range; ``outbox`` holds events
waiting for delivery.

Writes: leader/follower group commit over the only write connection, which only the
current leader uses. :meth:`SqliteStore.write` queues its function; when no thread is
leading, the caller becomes the leader: it takes everything queued (its own function and
those other threads queued while the previous commit was in flight), runs each function
inside its own SAVEPOINT within one transaction, commits once, settles every function and
wakes its caller, then hands leadership to the oldest function still queued (or to no one).
Uncontended, a write thus runs on its caller's thread with no handoff; contended, batches
form while a commit is in flight. A function that raises rolls back only its own savepoint
(a batch of one needs none: its transaction is rolled back). A failed commit fails the whole
batch and nothing of it is applied.

Followers wait on a signal of their own rather than on a shared lock: with a lock, a caller
whose function was already committed would often wait again behind the next leader's whole
commit before it could return (measured: half the batch size with ``fsync=True``).

Durability: WAL with ``synchronous=NORMAL`` writes each commit to the WAL before
answering, so it survives the process being killed (the OS still has the pages);
``fsync=True`` uses ``synchronous=FULL`` so a commit also survives power loss. Group commit
shares one WAL sync among every write in the batch.

Reads: each concurrent reader borrows its own read-only connection from a pool and reads
one WAL snapshot; readers never wait for the writer. A read that starts after a write
returned sees that write.

Cached reads (:meth:`SqliteStore.get_cached`): the raw JSON of a record is kept with the
version its table had before the row was read; a table's version moves on after every
commit that touched the table (and :meth:`SqliteStore.reset` moves all of them), before the
writer returns. A kept record whose table has moved on is read again, so a cached read never
returns what a returned write replaced.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from kumo.storage._sqlite_tx import SqliteTx, conn_of, encode_key, loads, translate
from kumo.storage.base import (
    Key,
    OutboxEvent,
    StorageError,
    Store,
    StoreClosedError,
    Tx,
)
from kumo.storage.blobs import BlobStore

__all__ = ["BatchStats", "SqliteStore", "conn_of"]

T = TypeVar("T")

# bump with a migration in _connect_writer when the layout changes
_SCHEMA_VERSION = 1
_SCHEMA = """
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS kv (
    tbl TEXT NOT NULL,
    k   BLOB NOT NULL,
    v   BLOB NOT NULL,
    PRIMARY KEY (tbl, k)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    topic       TEXT NOT NULL,
    payload     BLOB NOT NULL,
    created     REAL NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    lease_until REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_ready ON outbox (lease_until, seq);
PRAGMA user_version = 1;
COMMIT;
"""

# most functions run in one transaction; bounds the latency of the batch's first caller
_MAX_BATCH = 1024
# keep the WAL from growing without bound after a burst
_WAL_LIMIT = 64 * 1024 * 1024
# records kept by get_cached (all are dropped when it is full: they are few and re-read fast)
_CACHE_SIZE = 4096
# added to every table's version by reset(); per-table counts stay far below it
_EPOCH = 1 << 48


@dataclass
class BatchStats:
    """What group commit achieved so far (for benchmarks and the dashboard)."""

    batches: int = 0
    writes: int = 0
    largest: int = 0

    @property
    def mean(self) -> float:
        return self.writes / self.batches if self.batches else 0.0


class _Job:
    """One queued write function and, once settled, its outcome.

    The caller of a follower's function waits in :meth:`wait` until the leader settles it
    or makes it the next leader (``lead``); both are set before :meth:`wake`. A
    pre-acquired lock is the cheapest cross-thread signal CPython has.
    """

    __slots__ = ("_signal", "fn", "lead", "ok", "settled", "value")

    def __init__(self, fn: Callable[[Tx], Any]) -> None:
        self.fn = fn
        self.settled = False
        self.lead = False
        self.ok = False
        self.value: Any = None
        self._signal = threading.Lock()
        self._signal.acquire()

    def settle(self, ok: bool, value: Any) -> None:
        self.ok, self.value, self.settled = ok, value, True

    def wake(self) -> None:
        self._signal.release()

    def wait(self) -> None:
        self._signal.acquire()

    def outcome(self) -> Any:
        if self.ok:
            return self.value
        exc: BaseException = self.value
        self.value = None  # break the job -> exception -> traceback -> frame cycle
        raise exc


class SqliteStore(Store):
    """The embedded :class:`~kumo.storage.base.Store`: a SQLite file plus a blob directory.

    ``path`` is the database file (``<data_dir>/kumo.db``); ``blobs`` defaults to a
    :class:`BlobStore` in ``blobs/`` beside it.
    """

    def __init__(self, path: Path, *, fsync: bool = False, blobs: BlobStore | None = None) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._blobs = blobs if blobs is not None else BlobStore(self.path.parent / "blobs", fsync)
        self._blobs.sweep_tmp()
        self.stats = BatchStats()
        self._closed = False
        # guards _closed, _queue and _leading; close() waits on _idle for the last leader
        self._mutex = threading.Lock()
        self._idle = threading.Condition(self._mutex)
        self._pool: list[sqlite3.Connection] = []
        self._all_readers: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        # invariant: while a job is queued, _leading is True (some thread is in charge)
        self._queue: deque[_Job] = deque()
        self._leading = False
        self._leader: int | None = None  # ident of the thread running a batch
        # get_cached: table -> version, and (table, key) -> (version read before, raw JSON)
        self._versions: dict[str, int] = {}
        self._epoch = 0
        self._cache: dict[tuple[str, bytes], tuple[int, bytes | None]] = {}
        self._batch_touched: set[str] = set()  # only the leader uses it
        self._wconn = self._connect_writer()

    # -- connections ---------------------------------------------------------------------

    def _connect_writer(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={'FULL' if self.fsync else 'NORMAL'}")
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute(f"PRAGMA journal_size_limit={_WAL_LIMIT}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > _SCHEMA_VERSION:
            conn.close()
            raise StorageError(f"{self.path} was written by a newer kumo (schema {version})")
        if version < _SCHEMA_VERSION:
            conn.executescript(_SCHEMA)
        self._configure_writer(conn)
        return conn

    def _configure_writer(self, conn: sqlite3.Connection) -> None:
        """Hook for subclasses (tests use it to simulate a full disk)."""

    def _reader(self) -> sqlite3.Connection:
        with self._pool_lock:
            if self._pool:
                return self._pool.pop()
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute("PRAGMA query_only=ON")
        with self._pool_lock:
            self._all_readers.append(conn)
        return conn

    def _release_reader(self, conn: sqlite3.Connection) -> None:
        with self._pool_lock:
            self._pool.append(conn)

    def _discard_reader(self, conn: sqlite3.Connection) -> None:
        with self._pool_lock:
            self._all_readers.remove(conn)
        conn.close()

    @property
    def blobs(self) -> BlobStore:
        return self._blobs

    # -- transactions --------------------------------------------------------------------

    def read(self, fn: Callable[[Tx], T]) -> T:
        if self._closed:
            raise StoreClosedError("store is closed")
        conn = self._reader()
        tx = SqliteTx(conn, writable=False)
        try:
            conn.execute("BEGIN")
            return fn(tx)
        except sqlite3.Error as exc:
            raise translate(exc) from exc
        finally:
            tx._close()
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")  # read-only: ending the snapshot is all it does
            except sqlite3.Error:
                self._discard_reader(conn)
            else:
                self._release_reader(conn)

    def get_cached(self, table: str, key: Key) -> Any | None:
        if self._closed:
            raise StoreClosedError("store is closed")
        k = (table, encode_key(key))
        version = self._epoch + self._versions.get(table, 0)  # before the row is read
        hit = self._cache.get(k)
        if hit is not None and hit[0] == version:
            raw = hit[1]
        else:
            conn = self._reader()
            try:
                row = conn.execute("SELECT v FROM kv WHERE tbl = ? AND k = ?", k).fetchone()
            except sqlite3.Error as exc:
                self._discard_reader(conn)
                raise translate(exc) from exc
            self._release_reader(conn)
            raw = None if row is None else bytes(row[0])
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[k] = (version, raw)
        return None if raw is None else loads(raw)

    def _moved_on(self, tables: set[str]) -> None:
        """Tables a commit touched (leader only): their cached records are stale."""
        for table in tables:
            self._versions[table] = self._versions.get(table, 0) + 1
        tables.clear()

    def write(self, fn: Callable[[Tx], T]) -> T:
        if self._leader == threading.get_ident():
            raise StorageError("write() called from inside a write function")
        job = _Job(fn)
        with self._mutex:
            if self._closed:
                raise StoreClosedError("store is closed")
            self._queue.append(job)
            job.lead = not self._leading
            self._leading = True
        try:
            if not job.lead:
                job.wait()  # until a leader settles it, or makes this caller the leader
            if not job.settled:
                self._lead(job)
        finally:
            # The one place leadership is passed on, also when interrupted (KeyboardInterrupt
            # in the main thread): a job that has not run is withdrawn, and no queued job is
            # left without a leader.
            if job.lead or not job.settled:
                with self._mutex:
                    if not job.settled and job in self._queue:
                        self._queue.remove(job)
                    if job.lead:
                        self._hand_off()
        result: T = job.outcome()
        return result

    # -- group commit --------------------------------------------------------------------

    def _lead(self, job: _Job) -> None:
        """Run the queued functions in batches, oldest first, until ``job`` has run."""
        while not job.settled:
            with self._mutex:
                queue = self._queue
                batch = [queue.popleft() for _ in range(min(len(queue), _MAX_BATCH))]
            self._leader = threading.get_ident()
            try:
                self._run_batch(batch)
            except BaseException as exc:  # a bug, or an interrupt: strand no caller
                with contextlib.suppress(sqlite3.Error):
                    if self._wconn.in_transaction:
                        self._wconn.execute("ROLLBACK")
                for other in batch:
                    if not other.settled:
                        other.settle(False, exc)
                raise
            finally:
                self._leader = None
                for other in batch:
                    if not other.settled:  # only if interrupted twice
                        other.settle(False, StorageError("the write was interrupted"))
                    if other is not job:
                        other.wake()

    def _hand_off(self) -> None:
        """Make the oldest queued job's caller the leader, or stop leading (under _mutex)."""
        if self._queue:
            nxt = self._queue[0]
            nxt.lead = True
            nxt.wake()
        else:
            self._leading = False
            if self._closed:  # only close() waits for this
                self._idle.notify_all()

    def _run_batch(self, batch: list[_Job]) -> None:
        self.stats.batches += 1
        self.stats.writes += len(batch)
        self.stats.largest = max(self.stats.largest, len(batch))
        outcomes: dict[int, tuple[bool, Any]] = {}
        pending = batch
        while pending:  # each round settles at least one job, so this ends
            pending = self._attempt(pending, outcomes)
        for job in batch:
            job.settle(*outcomes[id(job)])

    def _attempt(self, jobs: list[_Job], outcomes: dict[int, tuple[bool, Any]]) -> list[_Job]:
        """Run ``jobs`` in one transaction, recording each outcome under ``id(job)``.

        Returns the jobs to run again: those whose writes were lost because SQLite aborted
        the whole transaction (it may, on a full disk or an I/O error) while a later job ran.
        """
        conn = self._wconn
        done: list[tuple[_Job, Any]] = []
        alone = len(jobs) == 1  # no batch-mates to protect: skip the savepoint
        try:
            conn.execute("BEGIN IMMEDIATE")
            for pos, job in enumerate(jobs):
                ok, value = self._run_one(job, savepoint=not alone)
                if not conn.in_transaction:
                    # SQLite rolled back everything: this job fails (or learns its writes
                    # were lost); the ones before it run again in a new transaction.
                    if ok:
                        value = StorageError("the database aborted the transaction")
                    outcomes[id(job)] = (False, translate(value))
                    return [j for j, _ in done] + jobs[pos + 1 :]
                if ok:
                    done.append((job, value))
                else:
                    outcomes[id(job)] = (False, translate(value))
            self._commit(conn)
        except BaseException as exc:  # a failed BEGIN, SAVEPOINT or COMMIT
            with contextlib.suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            for job in jobs:
                outcomes.setdefault(id(job), (False, translate(exc)))
            return []
        finally:
            # also after a failure: whatever happened, a stale cached record is read again
            self._moved_on(self._batch_touched)
        for job, value in done:
            outcomes[id(job)] = (True, value)
        return []

    def _run_one(self, job: _Job, *, savepoint: bool) -> tuple[bool, Any]:
        """Run one function; without ``savepoint`` its failure rolls back the transaction."""
        conn = self._wconn
        if savepoint:
            conn.execute("SAVEPOINT job")
        tx = SqliteTx(conn, writable=True)
        try:
            result = job.fn(tx)
        except BaseException as exc:
            self._batch_touched |= tx.touched
            tx._close()
            if conn.in_transaction and savepoint:
                conn.execute("ROLLBACK TO job")
                conn.execute("RELEASE job")
            elif conn.in_transaction:
                conn.execute("ROLLBACK")
            return False, exc
        self._batch_touched |= tx.touched
        tx._close()
        if conn.in_transaction and savepoint:
            conn.execute("RELEASE job")
        return True, result

    def _commit(self, conn: sqlite3.Connection) -> None:
        """Commit the batch (a method so tests can make it fail)."""
        conn.execute("COMMIT")

    # -- outbox --------------------------------------------------------------------------

    def outbox_claim(
        self, topics: list[str] | None = None, *, limit: int = 100, lease_seconds: float = 30.0
    ) -> list[OutboxEvent]:
        def claim(tx: Tx) -> list[OutboxEvent]:
            conn = conn_of(tx)
            now = time.time()
            sql = "SELECT seq, topic, payload, created, attempts FROM outbox WHERE lease_until <= ?"
            params: list[Any] = [now]
            if topics is not None:
                if not topics:
                    return []
                sql += f" AND topic IN ({','.join('?' * len(topics))})"
                params.extend(topics)
            sql += " ORDER BY seq LIMIT ?"
            params.append(limit)
            rows = conn.execute(sql, params).fetchall()
            if not rows:
                return []
            conn.executemany(
                "UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE seq = ?",
                [(now + lease_seconds, row[0]) for row in rows],
            )
            return [
                OutboxEvent(seq, topic, loads(payload), created, attempts + 1)
                for seq, topic, payload, created, attempts in rows
            ]

        return self.write(claim)

    def outbox_ack(self, seqs: list[int]) -> None:
        if not seqs:
            return

        def ack(tx: Tx) -> None:
            conn_of(tx).executemany("DELETE FROM outbox WHERE seq = ?", [(s,) for s in seqs])

        self.write(ack)

    # -- admin ---------------------------------------------------------------------------

    def tables(self) -> dict[str, int]:
        def count(tx: Tx) -> dict[str, int]:
            rows = conn_of(tx).execute("SELECT tbl, count(*) FROM kv GROUP BY tbl").fetchall()
            return {tbl: int(n) for tbl, n in rows}

        return self.read(count)

    def reset(self) -> None:
        def wipe(tx: Tx) -> None:
            conn = conn_of(tx)
            conn.execute("DELETE FROM kv")
            conn.execute("DELETE FROM outbox")

        try:
            self.write(wipe)
        finally:
            self._epoch += _EPOCH
            self._cache.clear()
        # records first: a crash in between leaves unreferenced blobs, never dangling records
        self._blobs.clear()

    def close(self) -> None:
        if self._leader == threading.get_ident():
            raise StorageError("close() called from inside a write function")
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            # nothing is queued after _closed; the leaders finish what is
            self._idle.wait_for(lambda: not self._leading)
        self._wconn.close()
        with self._pool_lock:
            for conn in self._all_readers:
                conn.close()
            self._all_readers.clear()
            self._pool.clear()
