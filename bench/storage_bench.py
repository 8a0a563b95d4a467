"""Write throughput of the embedded store: group commit versus one transaction per write.

Run: ``python bench/storage_bench.py``. For 1 and 8 threads, with fsync off and on, it
prints writes/s through :class:`~kumo.storage.sqlite.SqliteStore` (leader/follower group
commit; with the mean and largest batch it achieved, and how fair it was: the slowest
thread's writes over the fastest's) and, as the reference in the same run, writes/s of the
naive design: a connection per thread and one ``BEGIN IMMEDIATE … COMMIT`` per write with
the same pragmas. Each measurement runs for a fixed time so the whole run stays under ~30 s.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kumo.storage import Tx
from kumo.storage.sqlite import SqliteStore

VALUE = {"name": "object", "size": 1234, "etag": "0" * 32, "meta": {"k": "v" * 100}}


def run_threads(threads: int, seconds: float, one_write: Callable[[int, int], None]) -> list[int]:
    """Call ``one_write(thread, i)`` in a loop from ``threads`` threads; writes per thread."""
    counts = [0] * threads
    start = threading.Barrier(threads + 1)
    deadline = 0.0

    def worker(t: int) -> None:
        start.wait()
        i = 0
        while time.monotonic() < deadline:
            one_write(t, i)
            i += 1
        counts[t] = i

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    deadline = time.monotonic() + seconds
    start.wait()
    for th in pool:
        th.join()
    return counts


def bench_store(root: Path, threads: int, fsync: bool, seconds: float) -> tuple[float, str]:
    store = SqliteStore(root / "group.db", fsync=fsync)
    try:

        def one_write(t: int, i: int) -> None:
            def fn(tx: Tx) -> None:
                tx.put("bench", f"{t}/{i}", VALUE)

            store.write(fn)

        before = (store.stats.batches, store.stats.writes)
        t0 = time.monotonic()
        counts = run_threads(threads, seconds, one_write)
        rate = sum(counts) / (time.monotonic() - t0)
        batches = store.stats.batches - before[0]
        writes = store.stats.writes - before[1]
        fair = min(counts) / max(max(counts), 1)
        batch = (
            f"mean batch {writes / max(batches, 1):4.1f}, largest {store.stats.largest:3}, "
            f"fairness {fair:4.2f}"
        )
        return rate, batch
    finally:
        store.close()


def bench_reference(root: Path, threads: int, fsync: bool, seconds: float) -> float:
    path = root / "reference.db"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute(
        "CREATE TABLE IF NOT EXISTS kv (tbl TEXT, k BLOB, v BLOB, PRIMARY KEY (tbl, k)) "
        "WITHOUT ROWID"  # the store's layout, so only the commit strategy differs
    )
    setup.close()
    local = threading.local()
    conns: list[sqlite3.Connection] = []

    def one_write(t: int, i: int) -> None:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
            conn.execute(f"PRAGMA synchronous={'FULL' if fsync else 'NORMAL'}")
            local.conn = conn
            conns.append(conn)
        body = json.dumps(VALUE, separators=(",", ":")).encode()  # as the store does
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT OR REPLACE INTO kv VALUES (?, ?, ?)", ("bench", f"{t}/{i}".encode(), body)
        )
        conn.execute("COMMIT")

    t0 = time.monotonic()
    rate = sum(run_threads(threads, seconds, one_write)) / (time.monotonic() - t0)
    for conn in conns:
        conn.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="per measurement")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the databases")
    args = parser.parse_args()
    print(f"{'fsync':>5} {'threads':>7} {'group commit':>14} {'reference':>12} {'ratio':>6}")
    for fsync in (False, True):
        for threads in (1, 8):
            with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
                root = Path(tmp)
                rate, batch = bench_store(root, threads, fsync, args.seconds)
                ref = bench_reference(root, threads, fsync, args.seconds)
            print(
                f"{'on' if fsync else 'off':>5} {threads:>7} {rate:>10,.0f} w/s "
                f"{ref:>8,.0f} w/s {rate / ref:>5.1f}x  ({batch})",
                flush=True,
            )


if __name__ == "__main__":
    main()
