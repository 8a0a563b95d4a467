"""Blob files: streaming writes, atomic commit, crash leftovers and garbage collection."""

from __future__ import annotations

import io
import os
import tracemalloc
from pathlib import Path

import pytest

from kumo.storage import BlobStore


@pytest.fixture(params=[False, True], ids=["nofsync", "fsync"])
def blobs(tmp_path: Path, request: pytest.FixtureRequest) -> BlobStore:
    return BlobStore(tmp_path / "blobs", fsync=request.param)


def test_put_open_size_delete(blobs: BlobStore) -> None:
    blob_id = blobs.put(b"hello")
    assert blobs.read(blob_id) == b"hello"
    with blobs.open(blob_id) as f:
        assert f.read() == b"hello"
    assert blobs.size(blob_id) == 5
    assert blobs.exists(blob_id)
    path = blobs.path(blob_id)
    assert path.parent.parent.parent == blobs.root
    assert path.parent.name == blob_id[2:4] and path.parent.parent.name == blob_id[:2]
    assert blobs.delete(blob_id) is True
    assert blobs.delete(blob_id) is False
    assert not blobs.exists(blob_id)
    with pytest.raises(FileNotFoundError):
        blobs.open(blob_id)


def test_streaming_writer(blobs: BlobStore) -> None:
    w = blobs.writer()
    for i in range(10):
        w.write(bytes([i]) * 1000)
    assert w.size == 10_000
    assert not blobs.exists(w.blob_id)  # invisible until committed
    blob_id = w.commit()
    assert blobs.size(blob_id) == 10_000
    with pytest.raises(ValueError):
        w.write(b"more")
    assert list((blobs.root / "tmp").iterdir()) == []


def test_abort_and_context_manager(blobs: BlobStore) -> None:
    w = blobs.writer()
    w.write(b"x")
    w.abort()
    assert not blobs.exists(w.blob_id)
    with pytest.raises(RuntimeError), blobs.writer() as w2:
        w2.write(b"y")
        raise RuntimeError
    assert not blobs.exists(w2.blob_id)
    assert list((blobs.root / "tmp").iterdir()) == []
    assert list(blobs.ids()) == []


def test_put_stream_uses_constant_memory(blobs: BlobStore) -> None:
    size = 32 * 1024 * 1024

    class Zeros(io.RawIOBase):
        def __init__(self) -> None:
            self.left = size

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            n = self.left if n < 0 else min(n, self.left)
            self.left -= n
            return bytes(n)

    tracemalloc.start()
    try:
        blob_id = blobs.put_stream(Zeros(), chunk_size=256 * 1024)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert blobs.size(blob_id) == size
    assert peak < 4 * 1024 * 1024


def test_sweep_tmp_removes_crash_leftovers(blobs: BlobStore) -> None:
    kept = blobs.put(b"kept")
    w = blobs.writer()
    w.write(b"half")  # the process "dies" here
    assert blobs.sweep_tmp() == 1
    assert list((blobs.root / "tmp").iterdir()) == []
    assert list(blobs.ids()) == [kept]
    w.abort()  # tolerates the swept file


def test_unreferenced_and_garbage_collection(blobs: BlobStore) -> None:
    a, b, c = blobs.put(b"a"), blobs.put(b"b"), blobs.put(b"c")
    assert sorted(blobs.ids()) == sorted([a, b, c])
    assert sorted(blobs.unreferenced({a})) == sorted([b, c])
    # just-committed blobs are protected while their record may still be on its way
    assert blobs.collect_garbage({a}, min_age=3600) == 0
    old = os.stat(blobs.path(b)).st_mtime - 7200
    os.utime(blobs.path(b), (old, old))
    assert blobs.collect_garbage({a}, min_age=3600) == 1
    assert sorted(blobs.ids()) == sorted([a, c])
    assert blobs.collect_garbage({a}, min_age=0) == 1
    assert list(blobs.ids()) == [a]


def test_clear(blobs: BlobStore) -> None:
    blobs.put(b"a")
    pending = blobs.writer()
    pending.write(b"pending")
    blobs.clear()
    assert list(blobs.ids()) == []
    assert list((blobs.root / "tmp").iterdir()) == []
    pending.abort()
    assert blobs.read(blobs.put(b"again")) == b"again"


@pytest.mark.parametrize("bad", ["", "../../etc/passwd", "ABCDEF", "ab/cd/ef", "abc"])
def test_path_refuses_non_ids(blobs: BlobStore, bad: str) -> None:
    with pytest.raises(ValueError):
        blobs.path(bad)
