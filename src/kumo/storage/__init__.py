"""Durable state: SQLite embedded default, blob files, transactions and the outbox.

``open_store(data_dir, fsync=...)`` gives the :class:`Store` every service writes through;
services key their records with :func:`key` and keep large bodies in ``store.blobs``.
"""

from __future__ import annotations

from pathlib import Path

from kumo.storage.base import (
    OutboxEvent,
    ReadOnlyError,
    StorageError,
    Store,
    StoreClosedError,
    Tx,
)
from kumo.storage.blobs import BlobStore, BlobWriter
from kumo.storage.keys import decode_key, key, key_prefix, prefix_end

__all__ = [
    "BlobStore",
    "BlobWriter",
    "OutboxEvent",
    "ReadOnlyError",
    "StorageError",
    "Store",
    "StoreClosedError",
    "Tx",
    "decode_key",
    "key",
    "key_prefix",
    "open_store",
    "prefix_end",
]


def open_store(data_dir: Path, *, fsync: bool = False) -> Store:
    """The embedded store: ``<data_dir>/kumo.db`` and blobs in ``<data_dir>/blobs``."""
    from kumo.storage.sqlite import SqliteStore

    data_dir = Path(data_dir)
    return SqliteStore(
        data_dir / "kumo.db", fsync=fsync, blobs=BlobStore(data_dir / "blobs", fsync)
    )
