"""The embedded store's transaction: reads and writes of ``kv`` records over one SQLite
connection, and how keys and values are encoded for it.

Records are JSON (``v``) under byte keys (``k``) in a named table (``tbl``); a scan is a
keyset-paginated range over ``(tbl, k)``, so no statement stays open between the pages it
yields. :class:`SqliteTx` remembers the tables it wrote to (the store uses that to know
which cached records went stale).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

from kumo.storage.base import Key, ReadOnlyError, StorageError, Tx
from kumo.storage.keys import prefix_end

__all__ = ["SqliteTx", "conn_of", "dumps", "encode_key", "loads", "translate"]

# rows fetched per query by a scan; bounds memory while a scan is consumed lazily
_PAGE = 256


def encode_key(key: Key) -> bytes:
    if isinstance(key, str):
        return key.encode("utf-8")
    if isinstance(key, bytes):
        return key
    raise TypeError(f"keys are str or bytes, not {type(key).__name__}")


def dumps(value: Any) -> bytes:
    # allow_nan=False: NaN/Infinity are not JSON and PostgreSQL's jsonb refuses them
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def loads(data: bytes) -> Any:
    return json.loads(data)


def translate(exc: BaseException) -> BaseException:
    """Database errors reach callers as :class:`StorageError`, whatever the backend."""
    if isinstance(exc, sqlite3.Error):
        err = StorageError(f"database error: {exc}")
        err.__cause__ = exc
        return err
    return exc


def _bounds(prefix: Key | None, start: Key | None, end: Key | None) -> tuple[bytes, bytes | None]:
    """The ``[low, high)`` byte range selected by a scan's arguments (high None: unbounded)."""
    low = b""
    high: bytes | None = None
    if prefix is not None:
        low = encode_key(prefix)
        high = prefix_end(low)
    if start is not None:
        low = max(low, encode_key(start))
    if end is not None:
        e = encode_key(end)
        high = e if high is None else min(high, e)
    return low, high


class SqliteTx(Tx):
    """A transaction over one connection; writes only when ``writable``."""

    def __init__(self, conn: sqlite3.Connection, *, writable: bool) -> None:
        self._conn = conn
        self._writable = writable
        self._open = True
        self.touched: set[str] = set()  # the tables this transaction wrote to

    def _check(self, writing: bool = False) -> sqlite3.Connection:
        if not self._open:
            raise StorageError("transaction used after its function returned")
        if writing and not self._writable:
            raise ReadOnlyError("cannot write in a read transaction")
        return self._conn

    def _close(self) -> None:
        self._open = False

    def get(self, table: str, key: Key) -> Any | None:
        row = (
            self._check()
            .execute("SELECT v FROM kv WHERE tbl = ? AND k = ?", (table, encode_key(key)))
            .fetchone()
        )
        return None if row is None else loads(row[0])

    def put(self, table: str, key: Key, value: Any) -> None:
        conn = self._check(writing=True)
        self.touched.add(table)
        conn.execute(
            "INSERT OR REPLACE INTO kv (tbl, k, v) VALUES (?, ?, ?)",
            (table, encode_key(key), dumps(value)),
        )

    def delete(self, table: str, key: Key) -> bool:
        conn = self._check(writing=True)
        self.touched.add(table)
        cur = conn.execute("DELETE FROM kv WHERE tbl = ? AND k = ?", (table, encode_key(key)))
        return cur.rowcount > 0

    def scan(
        self,
        table: str,
        *,
        prefix: Key | None = None,
        start: Key | None = None,
        end: Key | None = None,
        reverse: bool = False,
        limit: int | None = None,
    ) -> Iterator[tuple[bytes, Any]]:
        low, high = _bounds(prefix, start, end)
        return self._scan(table, low, high, reverse, limit)

    def _scan(
        self, table: str, low: bytes, high: bytes | None, reverse: bool, limit: int | None
    ) -> Iterator[tuple[bytes, Any]]:
        # Keyset pagination: each page is a fresh bounded query, so no statement stays open
        # between yields and the caller may write while iterating.
        remaining = limit
        order = "DESC" if reverse else "ASC"
        while remaining is None or remaining > 0:
            if high is not None and low >= high:
                return
            n = _PAGE if remaining is None else min(_PAGE, remaining)
            if high is None:
                sql = f"SELECT k, v FROM kv WHERE tbl = ? AND k >= ? ORDER BY k {order} LIMIT ?"
                params: tuple[Any, ...] = (table, low, n)
            else:
                sql = (
                    "SELECT k, v FROM kv WHERE tbl = ? AND k >= ? AND k < ? "
                    f"ORDER BY k {order} LIMIT ?"
                )
                params = (table, low, high, n)
            rows = self._check().execute(sql, params).fetchall()
            for k, v in rows:
                yield bytes(k), loads(v)
            if len(rows) < n:
                return
            if remaining is not None:
                remaining -= len(rows)
            last = bytes(rows[-1][0])
            if reverse:
                high = last
            else:
                low = last + b"\x00"  # the smallest key after ``last``

    def count(self, table: str, *, prefix: Key | None = None) -> int:
        low, high = _bounds(prefix, None, None)
        conn = self._check()
        if high is None:
            row = conn.execute(
                "SELECT count(*) FROM kv WHERE tbl = ? AND k >= ?", (table, low)
            ).fetchone()
        else:
            row = conn.execute(
                "SELECT count(*) FROM kv WHERE tbl = ? AND k >= ? AND k < ?", (table, low, high)
            ).fetchone()
        return int(row[0])

    def emit(self, topic: str, payload: dict[str, Any]) -> None:
        conn = self._check(writing=True)
        conn.execute(
            "INSERT INTO outbox (topic, payload, created) VALUES (?, ?, ?)",
            (topic, dumps(payload), time.time()),
        )


def conn_of(tx: Tx) -> sqlite3.Connection:
    assert isinstance(tx, SqliteTx)
    return tx._check()
