"""The package surface: open_store, exported names, reset."""

from __future__ import annotations

from pathlib import Path

import kumo.storage
from kumo.storage import Store, Tx, key, open_store


def test_exported_names() -> None:
    assert set(kumo.storage.__all__) == {
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
    }
    for name in kumo.storage.__all__:
        assert getattr(kumo.storage, name).__doc__, name


def test_open_store_layout(tmp_path: Path) -> None:
    store = open_store(tmp_path / "data", fsync=False)
    try:
        assert isinstance(store, Store)
        store.write(lambda tx: tx.put("t", key("a", 1), {"v": 1}))
        blob_id = store.blobs.put(b"body")
        assert (tmp_path / "data" / "kumo.db").is_file()
        assert store.blobs.path(blob_id).is_relative_to(tmp_path / "data" / "blobs")
    finally:
        store.close()


def test_reset_wipes_records_outbox_and_blobs(tmp_path: Path) -> None:
    store = open_store(tmp_path, fsync=False)
    try:
        blob_id = store.blobs.put(b"body")

        def fill(tx: Tx) -> None:
            tx.put("a", "k", {"blob": blob_id})
            tx.put("b", "k", 1)
            tx.emit("topic", {})

        store.write(fill)
        store.reset()
        assert store.tables() == {}
        assert store.outbox_claim() == []
        assert list(store.blobs.ids()) == []
        # still usable afterwards
        store.write(lambda tx: tx.put("a", "k", 2))
        assert store.tables() == {"a": 1}
        assert store.blobs.read(store.blobs.put(b"x")) == b"x"
    finally:
        store.close()
