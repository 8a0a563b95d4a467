"""Object bytes on disk: streaming a request body into a blob, and a byte range back out.

A body is read in chunks into a :class:`~kumo.storage.blobs.BlobWriter`, feeding the MD5
(S3's ETag of a single PUT) in the same pass; nothing is held whole in memory.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.aws.http import HttpRequest
from kumo.storage.blobs import BlobStore

__all__ = [
    "MAX_UPLOAD_SIZE",
    "RangeReader",
    "StoredBody",
    "check_upload_size",
    "large_body",
    "write_body",
]

# the largest body one PUT (an object or a part) may carry
MAX_UPLOAD_SIZE = 5 * 1024**3

_CHUNK = 1024 * 1024
# bodies up to this size are written on the event loop: a thread handoff costs more
_INLINE_BODY = 64 * 1024


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class StoredBody:
    blob: str
    size: int
    md5: str  # hex

    @property
    def etag(self) -> str:
        return f'"{self.md5}"'


def check_upload_size(request: HttpRequest) -> None:
    """Refuse, before reading a byte, a body declared larger than S3 takes in one PUT."""
    declared = request.headers.get("x-amz-decoded-content-length") or request.headers.get(
        "content-length"
    )
    if declared is None or not declared.isdigit() or int(declared) <= MAX_UPLOAD_SIZE:
        return
    raise ServiceError(
        "Your proposed upload exceeds the maximum allowed size",
        code="EntityTooLarge",
        ProposedSize=declared,
        MaxSizeAllowed=str(MAX_UPLOAD_SIZE),
    )


def large_body(ctx: RequestContext) -> bool:
    """Whether the request's body is large enough to be written off the event loop."""
    return ctx.request.body.size() > _INLINE_BODY


def write_body(blobs: BlobStore, src: Readable | None) -> StoredBody:
    """Stream ``src`` into a committed blob; its id, size and MD5."""
    md5 = hashlib.md5(usedforsecurity=False)
    with blobs.writer() as writer:
        if src is not None:
            while chunk := src.read(_CHUNK):
                md5.update(chunk)
                writer.write(chunk)
        size = writer.size
        blob = writer.commit()
    return StoredBody(blob=blob, size=size, md5=md5.hexdigest())


class RangeReader:
    """``length`` bytes of an open file from ``start``, read in chunks; closes the file."""

    def __init__(self, file: BinaryIO, start: int, length: int) -> None:
        file.seek(start)
        self._file = file
        self._left = length

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        want = self._left if size < 0 else min(size, self._left)
        data = self._file.read(want)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._file.close()
