"""Blob files: large bodies (S3 objects, function code) kept beside the records, not in them.

A blob is written to a temporary file under ``<root>/tmp``, then renamed into place at
``<root>/<ab>/<cd>/<id>``; once renamed it never changes. With ``fsync`` the file is synced
before the rename and its directory after, so a committed blob survives power loss.

**Ordering rule.** Commit the blob (:meth:`BlobWriter.commit`) *before* the write
transaction that stores its id in a record, and delete the record *before* deleting the
blob. A crash at any point then leaves at worst an unreferenced blob — never a record
pointing at a missing blob. Unreferenced blobs are found by :meth:`BlobStore.unreferenced`
and removed by :meth:`BlobStore.collect_garbage`; temporaries left by a crash mid-write are
removed by :meth:`BlobStore.sweep_tmp` at startup.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Set
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

__all__ = ["BlobStore", "BlobWriter"]

_TMP = "tmp"
_CHUNK = 1024 * 1024
_HEX = frozenset("0123456789abcdef")


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobWriter:
    """A blob being written: stream bytes in, then :meth:`commit` or :meth:`abort`.

    Usable as a context manager, which aborts unless committed.
    """

    def __init__(self, store: BlobStore) -> None:
        self._store = store
        self.blob_id = uuid.uuid4().hex
        self._tmp = store.root / _TMP / f"{self.blob_id}.part"
        self._file: BinaryIO | None = open(self._tmp, "xb")  # noqa: SIM115 - closed by commit/abort
        self.size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._file is None:
            raise ValueError("blob writer is closed")
        self._file.write(data)
        self.size += len(data)

    def commit(self) -> str:
        """Make the blob durable and visible; its id is returned."""
        if self._file is None:
            raise ValueError("blob writer is closed")
        f, self._file = self._file, None
        try:
            f.flush()
            if self._store.fsync:
                os.fsync(f.fileno())
        finally:
            f.close()
        final = self._store.path(self.blob_id)
        self._store._make_parent(final)
        os.replace(self._tmp, final)
        if self._store.fsync:
            _fsync_dir(final.parent)
        return self.blob_id

    def abort(self) -> None:
        """Discard what was written."""
        if self._file is not None:
            self._file.close()
            self._file = None
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()

    def __enter__(self) -> BlobWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._file is not None:
            self.abort()


class BlobStore:
    """Immutable files named by random ids under ``root``."""

    def __init__(self, root: Path, fsync: bool = False) -> None:
        self.root = Path(root)
        self.fsync = fsync
        (self.root / _TMP).mkdir(parents=True, exist_ok=True)

    # -- writing -------------------------------------------------------------------------

    def writer(self) -> BlobWriter:
        """A new blob to stream into."""
        return BlobWriter(self)

    def put(self, data: bytes) -> str:
        """Store ``data`` as a new blob; its id."""
        with self.writer() as w:
            w.write(data)
            return w.commit()

    def put_stream(self, src: BinaryIO, chunk_size: int = _CHUNK) -> str:
        """Copy ``src`` to a new blob in chunks (constant memory); its id."""
        with self.writer() as w:
            while chunk := src.read(chunk_size):
                w.write(chunk)
            return w.commit()

    def _make_parent(self, final: Path) -> None:
        shard = final.parent
        if shard.is_dir():
            return
        shard.mkdir(parents=True, exist_ok=True)
        if self.fsync:
            _fsync_dir(shard.parent)
            _fsync_dir(self.root)

    # -- reading -------------------------------------------------------------------------

    def path(self, blob_id: str) -> Path:
        """Where blob ``blob_id`` lives (whether or not it exists)."""
        if len(blob_id) < 5 or not _HEX.issuperset(blob_id):
            raise ValueError(f"not a blob id: {blob_id!r}")
        return self.root / blob_id[:2] / blob_id[2:4] / blob_id

    def open(self, blob_id: str) -> BinaryIO:
        """The blob's bytes as a file opened for reading; raises FileNotFoundError."""
        return open(self.path(blob_id), "rb")

    def read(self, blob_id: str) -> bytes:
        """The whole blob (for small blobs; stream large ones with :meth:`open`)."""
        return self.path(blob_id).read_bytes()

    def size(self, blob_id: str) -> int:
        return self.path(blob_id).stat().st_size

    def exists(self, blob_id: str) -> bool:
        return self.path(blob_id).is_file()

    def delete(self, blob_id: str) -> bool:
        """Remove a blob; True when it existed. Delete the referencing record first."""
        try:
            self.path(blob_id).unlink()
        except FileNotFoundError:
            return False
        return True

    # -- maintenance ---------------------------------------------------------------------

    def ids(self) -> Iterator[str]:
        """Every committed blob id."""
        for first in sorted(self.root.iterdir()):
            if first.name == _TMP or not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                if second.is_dir():
                    for f in sorted(second.iterdir()):
                        yield f.name

    def unreferenced(self, referenced: Set[str], *, min_age: float = 0.0) -> list[str]:
        """Blobs not in ``referenced`` and older than ``min_age`` seconds.

        ``min_age`` protects blobs committed just now whose record is still being written
        (the ordering rule makes such blobs briefly unreferenced).
        """
        cutoff = time.time() - min_age
        found = []
        for blob_id in self.ids():
            if blob_id in referenced:
                continue
            try:
                if self.path(blob_id).stat().st_mtime <= cutoff:
                    found.append(blob_id)
            except FileNotFoundError:
                continue
        return found

    def collect_garbage(self, referenced: Set[str], *, min_age: float = 3600.0) -> int:
        """Delete :meth:`unreferenced` blobs; how many were removed."""
        return sum(self.delete(b) for b in self.unreferenced(referenced, min_age=min_age))

    def sweep_tmp(self) -> int:
        """Remove temporaries left by a crash mid-write; call only at startup."""
        removed = 0
        for f in (self.root / _TMP).iterdir():
            with contextlib.suppress(FileNotFoundError):
                f.unlink()
                removed += 1
        return removed

    def clear(self) -> None:
        """Remove every blob and temporary."""
        for child in self.root.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
        (self.root / _TMP).mkdir(parents=True, exist_ok=True)
