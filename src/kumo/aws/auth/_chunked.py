"""Decoding ``aws-chunked`` request bodies, one chunk at a time.

The format (``Content-Encoding: aws-chunked``)::

    <hex size>[;chunk-signature=<sig>]\\r\\n<data>\\r\\n      repeated
    0[;chunk-signature=<sig>]\\r\\n                            the final chunk
    <name>:<value>\\r\\n ... [x-amz-trailer-signature:<sig>\\r\\n]  optional trailers
    \\r\\n

Data is handed on in pieces of at most 1 MiB, so a body of any size decodes in constant
memory. With a signing key the chain of chunk signatures is checked as it goes: each chunk
signs the SHA-256 of its data and the previous signature, starting from the request's
signature (the seed), and the trailer signature signs the trailing headers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from kumo.aws.auth._common import EMPTY_SHA256, mismatch, same
from kumo.aws.auth._errors import IncompleteBody, InvalidChunkSizeError, InvalidRequest
from kumo.aws.auth._sigv4 import sign
from kumo.aws.http import Body

_READ_SIZE = 1024 * 1024
_MAX_LINE = 8 * 1024
_MIN_SIGNED_CHUNK = 8 * 1024
_HEX_SIZE = re.compile(rb"[0-9a-fA-F]{1,16}")
TRAILER_SIGNATURE = "x-amz-trailer-signature"


@dataclass
class ChunkSignatures:
    """The state of a signature chain: the signing key, scope and last signature seen."""

    key: bytes
    timestamp: str
    scope: str
    previous: str

    def check_chunk(self, provided: str | None, data_sha256: str) -> None:
        to_sign = (
            f"AWS4-HMAC-SHA256-PAYLOAD\n{self.timestamp}\n{self.scope}\n{self.previous}\n"
            f"{EMPTY_SHA256}\n{data_sha256}"
        )
        self._check(provided, to_sign)

    def check_trailer(self, provided: str | None, canonical_trailers: bytes) -> None:
        digest = hashlib.sha256(canonical_trailers).hexdigest()
        to_sign = (
            f"AWS4-HMAC-SHA256-TRAILER\n{self.timestamp}\n{self.scope}\n{self.previous}\n{digest}"
        )
        self._check(provided, to_sign)

    def _check(self, provided: str | None, to_sign: str) -> None:
        expected = sign(self.key, to_sign)
        if provided is None or not same(provided, expected):
            raise mismatch()
        self.previous = expected


@dataclass
class ChunkedResult:
    decoded_length: int
    trailers: dict[str, str]


class _Hashing:
    """Passes data on while taking its SHA-256 (for a chunk's signature)."""

    def __init__(self, consume: Callable[[bytes], None]) -> None:
        self._consume = consume
        self._digest = hashlib.sha256()

    def __call__(self, piece: bytes) -> None:
        self._digest.update(piece)
        self._consume(piece)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


class _Reader:
    """Buffered reads of lines and of exact byte counts from a body."""

    def __init__(self, source: IO[bytes] | Body) -> None:
        self._source = source
        self._buf = b""
        self._pos = 0
        self._eof = False

    def _fill(self) -> bool:
        if self._eof:
            return False
        data = self._source.read(_READ_SIZE)
        if not data:
            self._eof = True
            return False
        self._buf = self._buf[self._pos :] + data
        self._pos = 0
        return True

    def readline(self) -> bytes | None:
        """The next line without its line ending; ``None`` at the end of the body."""
        while True:
            end = self._buf.find(b"\n", self._pos)
            if end >= 0:
                line = self._buf[self._pos : end]
                self._pos = end + 1
                return line[:-1] if line.endswith(b"\r") else line
            if len(self._buf) - self._pos > _MAX_LINE:
                raise _malformed("a chunk header or trailer line is too long")
            if not self._fill():
                rest = self._buf[self._pos :]
                self._pos = len(self._buf)
                return rest or None

    def read_exact(self, size: int, consume: Callable[[bytes], None]) -> None:
        while size > 0:
            available = len(self._buf) - self._pos
            if available == 0:
                if not self._fill():
                    raise _truncated()
                continue
            take = min(available, size)
            consume(self._buf[self._pos : self._pos + take])
            self._pos += take
            size -= take


def decode_chunked(
    source: IO[bytes] | Body,
    consume: Callable[[bytes], None],
    *,
    signed: bool,
    signed_trailer: bool,
    signatures: ChunkSignatures | None,
) -> ChunkedResult:
    """Decode an aws-chunked body from ``source``, passing the data to ``consume``.

    ``signed`` says chunks carry ``chunk-signature`` (STREAMING-*-PAYLOAD), ``signed_trailer``
    that the trailers carry ``x-amz-trailer-signature``; both are verified when
    ``signatures`` is given. Returns the decoded length and the trailers (lower-case names).
    """
    reader = _Reader(source)
    total = 0
    index = 0
    previous_size: int | None = None
    while True:
        line = reader.readline()
        if line is None:
            raise _truncated()
        size, chunk_signature = _chunk_header(line)
        index += 1
        if signed and size > 0 and previous_size is not None and previous_size < _MIN_SIGNED_CHUNK:
            raise InvalidChunkSizeError(
                f"Only the last chunk is allowed to have a size less than {_MIN_SIGNED_CHUNK} "
                "bytes",
                Chunk=str(index - 1),
                BadChunkSize=str(previous_size),
            )
        if size == 0:
            if signatures is not None:
                signatures.check_chunk(chunk_signature, EMPTY_SHA256)
            break
        if signatures is None:
            reader.read_exact(size, consume)
        else:
            hashing = _Hashing(consume)
            reader.read_exact(size, hashing)
            signatures.check_chunk(chunk_signature, hashing.hexdigest())
        end = reader.readline()
        if end is None:
            raise _truncated()
        if end:
            raise _malformed("chunk data is longer than its declared size")
        total += size
        previous_size = size
    trailers = _read_trailers(reader, signed_trailer=signed_trailer, signatures=signatures)
    return ChunkedResult(decoded_length=total, trailers=trailers)


def _chunk_header(line: bytes) -> tuple[int, str | None]:
    size_part, _, extensions = line.partition(b";")
    size_part = size_part.strip()
    if not _HEX_SIZE.fullmatch(size_part):
        raise _malformed(f"invalid chunk size {size_part[:32]!r}")
    signature: str | None = None
    for extension in extensions.split(b";") if extensions else []:
        name, _, value = extension.partition(b"=")
        if name.strip() == b"chunk-signature":
            signature = value.strip().decode("ascii", "replace")
    return int(size_part, 16), signature


def _read_trailers(
    reader: _Reader, *, signed_trailer: bool, signatures: ChunkSignatures | None
) -> dict[str, str]:
    trailers: dict[str, str] = {}
    canonical = bytearray()
    trailer_signature: str | None = None
    while True:
        line = reader.readline()
        if not line:  # the closing empty line, or the end of the body
            break
        name, colon, value = line.partition(b":")
        if not colon:
            raise _malformed(f"invalid trailer {line[:64]!r}")
        key = name.strip().decode("latin-1").lower()
        text = value.strip().decode("latin-1")
        if key == TRAILER_SIGNATURE:
            trailer_signature = text
            continue
        trailers[key] = text
        canonical += f"{key}:{text}\n".encode("latin-1")
    if signed_trailer and signatures is not None:
        signatures.check_trailer(trailer_signature, bytes(canonical))
    return trailers


def _truncated() -> IncompleteBody:
    return IncompleteBody(
        "The request body terminated unexpectedly",
    )


def _malformed(reason: str) -> InvalidRequest:
    return InvalidRequest(f"The aws-chunked request body is malformed: {reason}.")
