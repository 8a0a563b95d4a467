"""Blob files: large bodies (S3 objects, function code) kept beside the records, not in them.

A blob is written to a temporary file under ``<root>/tmp``, then renamed into place at
``<root>/<ab>/<cd>/<id>``; once renamed it never changes. The first four hex digits of an id
(its shard directory) stay the same for :data:`_SHARD_RUN` blobs in a row before moving to
the next shard, the other 28 are random: creating a directory costs far more than creating
a file in it (half a millisecond on ext4), so a fully random id, which needs a new shard
directory for almost every blob until there are tens of thousands, made every small write
pay for one. With ``fsync`` the file is synced
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
import itertools
import os
import secrets
import shutil
import time
from collections.abc import Iterator, Set
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

__all__ = ["BlobStore", "BlobWriter"]

_TMP = "tmp"
_CHUNK = 1024 * 1024
_HEX = frozenset("0123456789abcdef")
# blobs written in a row into one shard directory before moving on to the next
_SHARD_RUN = 4096
_SHARDS = 1 << 16


def _fsync_dir(path: str | Path) -> None:
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
        self.blob_id = store._new_id()
        self._tmp = os.path.join(store.tmp_dir, f"{self.blob_id}.part")
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
        final = self._store.file_of(self.blob_id)
        try:
            os.replace(self._tmp, final)
        except FileNotFoundError:  # the first blob of its shard: make the shard (once)
            self._store._make_parent(final)
            os.replace(self._tmp, final)
        if self._store.fsync:
            _fsync_dir(os.path.dirname(final))
        return self.blob_id

    def abort(self) -> None:
        """Discard what was written."""
        if self._file is not None:
            self._file.close()
            self._file = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._tmp)

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
        # plain strings on the per-request path: pathlib's joins cost more than the syscalls
        self._root = str(self.root)
        self.tmp_dir = os.path.join(self._root, _TMP)
        os.makedirs(self.tmp_dir, exist_ok=True)
        # where this process's run of shards starts (random, so restarts spread out)
        self._first_shard = secrets.randbelow(_SHARDS)
        self._written = itertools.count()

    def _new_id(self) -> str:
        shard = (self._first_shard + next(self._written) // _SHARD_RUN) % _SHARDS
        return f"{shard:04x}{secrets.token_hex(14)}"

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

    def _make_parent(self, final: str) -> None:
        shard = os.path.dirname(final)
        os.makedirs(shard, exist_ok=True)
        if self.fsync:
            _fsync_dir(os.path.dirname(shard))
            _fsync_dir(self._root)

    # -- reading -------------------------------------------------------------------------

    def path(self, blob_id: str) -> Path:
        """Where blob ``blob_id`` lives (whether or not it exists)."""
        return Path(self.file_of(blob_id))

    def file_of(self, blob_id: str) -> str:
        """:meth:`path` as a plain string."""
        if len(blob_id) < 5 or not _HEX.issuperset(blob_id):
            raise ValueError(f"not a blob id: {blob_id!r}")
        return os.path.join(self._root, blob_id[:2], blob_id[2:4], blob_id)

    def open(self, blob_id: str) -> BinaryIO:
        """The blob's bytes as a file opened for reading; raises FileNotFoundError."""
        return open(self.file_of(blob_id), "rb")

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
            os.unlink(self.file_of(blob_id))
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
        for f in Path(self.tmp_dir).iterdir():
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
        os.makedirs(self.tmp_dir, exist_ok=True)
