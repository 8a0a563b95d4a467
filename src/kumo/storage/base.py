"""The store interface every backend implements (SQLite embedded; PostgreSQL later).

State is kept as ordered key/value tables: a *table* is a name (``"iam.roles"``), a key is
bytes (``str`` keys are stored as UTF-8) ordered bytewise, a value is a JSON document.
Services build composite keys with :func:`kumo.storage.keys.key` so that range scans are
index scans. Writes happen in transactions; an event caused by a write is recorded in the
same transaction with :meth:`Tx.emit` (the outbox) and delivered later, at least once.

A write transaction returns only once it is durable (it survives kill -9; with
``fsync=True`` also power loss). Concurrent writers are group-committed.

A write function may be run more than once when the backend has to retry its transaction
(SQLite after the database aborted a batch, PostgreSQL after a serialization failure), so it
should have no effects outside the :class:`Tx` it is given. A :class:`Tx` (and any iterator
it returned) is valid only while the function runs. Values are JSON: tuples come back as
lists, and NaN or infinities are refused.

Errors: an exception raised by a write function reaches its caller unchanged and undoes
only that function's writes; a failure of the database itself (full disk, I/O error) reaches
the caller as :class:`StorageError`, with the backend's error as its ``__cause__``.

Large bodies live outside the records, in :attr:`Store.blobs`; see
:mod:`kumo.storage.blobs` for the ordering rule that keeps records and blobs consistent.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from kumo.storage.blobs import BlobStore

T = TypeVar("T")

Key = str | bytes


class StorageError(Exception):
    """The store could not do what was asked (closed, read-only, database failure)."""


class StoreClosedError(StorageError):
    """The store was used after :meth:`Store.close`."""


class ReadOnlyError(StorageError):
    """A write was attempted in a :meth:`Store.read` transaction."""


@dataclass(frozen=True)
class OutboxEvent:
    """An event recorded by a write, waiting for delivery."""

    seq: int
    topic: str
    payload: dict[str, Any]
    created: float
    attempts: int


class Tx(ABC):
    """A transaction: a consistent view for reads, and atomic writes when writable."""

    @abstractmethod
    def get(self, table: str, key: Key) -> Any | None:
        """The value stored at ``key``, or None."""

    @abstractmethod
    def put(self, table: str, key: Key, value: Any) -> None:
        """Store a JSON-serializable ``value`` at ``key`` (insert or replace)."""

    @abstractmethod
    def delete(self, table: str, key: Key) -> bool:
        """Remove ``key``; True when it existed."""

    @abstractmethod
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
        """Entries in key order: under ``prefix``, from ``start`` (inclusive) to ``end``
        (exclusive); descending with ``reverse``."""

    @abstractmethod
    def count(self, table: str, *, prefix: Key | None = None) -> int:
        """How many keys ``table`` holds (under ``prefix``)."""

    @abstractmethod
    def emit(self, topic: str, payload: dict[str, Any]) -> None:
        """Record an event in the outbox, committed with this transaction's writes."""


class Store(ABC):
    """Durable state for all services."""

    @property
    @abstractmethod
    def blobs(self) -> BlobStore:
        """Files for large bodies (S3 objects), referenced from records by blob id."""

    @abstractmethod
    def read(self, fn: Callable[[Tx], T]) -> T:
        """Run ``fn`` on a read-only snapshot; blocking."""

    @abstractmethod
    def write(self, fn: Callable[[Tx], T]) -> T:
        """Run ``fn`` in a write transaction; return its result once durable; blocking.

        If ``fn`` raises, nothing it wrote is kept and the exception propagates.
        """

    def get_cached(self, table: str, key: Key) -> Any | None:
        """The committed record at ``key``, read outside any transaction.

        For records read on most requests and rarely written (a table's, queue's or
        bucket's definition): a store may answer from memory for as long as no committed
        write has touched ``table`` since. Every call returns a fresh value, so callers may
        change it. It sees every write whose ``write()`` returned before it was called.
        """
        return self.read(lambda tx: tx.get(table, key))

    async def aread(self, fn: Callable[[Tx], T]) -> T:
        import asyncio

        return await asyncio.to_thread(self.read, fn)

    async def awrite(self, fn: Callable[[Tx], T]) -> T:
        import asyncio

        return await asyncio.to_thread(self.write, fn)

    # -- outbox --------------------------------------------------------------------------

    @abstractmethod
    def outbox_claim(
        self, topics: list[str] | None = None, *, limit: int = 100, lease_seconds: float = 30.0
    ) -> list[OutboxEvent]:
        """Events not yet delivered, oldest first, leased to the caller for ``lease_seconds``.

        ``topics`` restricts the claim to those topics (None: all). Each claim counts as an
        attempt: the returned :attr:`OutboxEvent.attempts` is 1 on first delivery.

        An event whose lease runs out without :meth:`outbox_ack` is claimable again, so a
        crash during delivery leads to redelivery, never to loss.
        """

    @abstractmethod
    def outbox_ack(self, seqs: list[int]) -> None:
        """Mark events delivered (they are removed)."""

    # -- admin ---------------------------------------------------------------------------

    @abstractmethod
    def tables(self) -> dict[str, int]:
        """Every table holding data, with its number of keys."""

    @abstractmethod
    def reset(self) -> None:
        """Remove all state (records, outbox, blobs)."""

    @abstractmethod
    def close(self) -> None:
        """Finish pending writes and release resources."""
