"""The checksums AWS clients attach to request bodies, computed incrementally.

One hasher type per algorithm a client can name in ``x-amz-checksum-<alg>`` (or
``x-amz-sdk-checksum-algorithm``): CRC32, CRC32C and CRC64NVME (from ``awscrt``), SHA1,
SHA256, SHA512, MD5 (``hashlib``) and the XXHASH family. Digests travel as base64 of the
big-endian bytes, exactly as the headers and trailers carry them. The helpers here read and
check those headers and raise the errors S3 gives; they also combine part checksums into
the multipart object checksums S3 reports (``COMPOSITE`` and ``FULL_OBJECT``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Protocol

from awscrt import checksums as crt

from kumo.aws.auth._errors import BadDigest, InvalidDigest, InvalidRequest

__all__ = [
    "ALGORITHMS",
    "CHECKSUM_HEADER_PREFIX",
    "Checksum",
    "checksum_header_name",
    "combine_composite",
    "combine_full_object",
    "compute",
    "decode_checksum",
    "digest_size",
    "display_name",
    "encode_digest",
    "find_checksum_headers",
    "is_supported",
    "new_checksum",
    "verify_checksum",
    "verify_content_md5",
]

CHECKSUM_HEADER_PREFIX = "x-amz-checksum-"
# Headers under the prefix that name a mode or type, not an algorithm.
_NOT_ALGORITHMS = frozenset({"algorithm", "mode", "type"})
_READ_SIZE = 1024 * 1024


class Checksum(Protocol):
    """An incremental hasher: feed it bytes, read its digest."""

    def update(self, data: bytes | bytearray | memoryview) -> None: ...

    def digest(self) -> bytes: ...


class _Crc:
    """A CRC kept as an integer and extended with ``awscrt``."""

    __slots__ = ("_fn", "_size", "_value")

    def __init__(self, fn: Callable[[bytes, int], int], size: int) -> None:
        # awscrt takes any contiguous buffer, so memoryviews pass without a copy.
        self._fn = fn
        self._size = size
        self._value = 0

    def update(self, data: bytes | bytearray | memoryview) -> None:
        self._value = self._fn(data, self._value)  # type: ignore[arg-type]

    def digest(self) -> bytes:
        return self._value.to_bytes(self._size, "big")


class _XXHash:
    __slots__ = ("_hash",)

    def __init__(self, factory: Callable[[], crt.XXHash]) -> None:
        self._hash = factory()

    def update(self, data: bytes | bytearray | memoryview) -> None:
        self._hash.update(bytes(data) if not isinstance(data, bytes) else data)

    def digest(self) -> bytes:
        return bytes(self._hash.finalize())


class _Hashlib:
    __slots__ = ("_hash",)

    def __init__(self, name: str) -> None:
        # MD5 and SHA1 here are integrity checks, not security: allowed under FIPS builds.
        self._hash = hashlib.new(name, usedforsecurity=False)

    def update(self, data: bytes | bytearray | memoryview) -> None:
        self._hash.update(data)

    def digest(self) -> bytes:
        return self._hash.digest()


_FACTORIES: dict[str, Callable[[], Checksum]] = {
    "crc32": lambda: _Crc(crt.crc32, 4),
    "crc32c": lambda: _Crc(crt.crc32c, 4),
    "crc64nvme": lambda: _Crc(crt.crc64nvme, 8),
    "sha1": lambda: _Hashlib("sha1"),
    "sha256": lambda: _Hashlib("sha256"),
    "sha512": lambda: _Hashlib("sha512"),
    "md5": lambda: _Hashlib("md5"),
    "xxhash64": lambda: _XXHash(crt.XXHash.new_xxhash64),
    "xxhash3": lambda: _XXHash(crt.XXHash.new_xxhash3_64),
    "xxhash128": lambda: _XXHash(crt.XXHash.new_xxhash3_128),
}
_SIZES = {
    "crc32": 4,
    "crc32c": 4,
    "crc64nvme": 8,
    "sha1": 20,
    "sha256": 32,
    "sha512": 64,
    "md5": 16,
    "xxhash64": 8,
    "xxhash3": 8,
    "xxhash128": 16,
}
_COMBINE: dict[str, Callable[[int, int, int], int]] = {
    "crc32": crt.combine_crc32,
    "crc32c": crt.combine_crc32c,
    "crc64nvme": crt.combine_crc64nvme,
}

ALGORITHMS: tuple[str, ...] = tuple(_FACTORIES)
"""Every algorithm name kumo computes, lower case as in the header names."""


def _key(algorithm: str) -> str:
    return algorithm.strip().lower()


def is_supported(algorithm: str) -> bool:
    return _key(algorithm) in _FACTORIES


def new_checksum(algorithm: str) -> Checksum:
    """A fresh hasher for ``algorithm`` (any case); ``ValueError`` if unknown."""
    try:
        return _FACTORIES[_key(algorithm)]()
    except KeyError:
        raise ValueError(f"unknown checksum algorithm {algorithm!r}") from None


def digest_size(algorithm: str) -> int:
    return _SIZES[_key(algorithm)]


def display_name(algorithm: str) -> str:
    """The name S3 uses in messages and in ``ChecksumAlgorithm`` values (``CRC64NVME``)."""
    return _key(algorithm).upper()


def checksum_header_name(algorithm: str) -> str:
    return CHECKSUM_HEADER_PREFIX + _key(algorithm)


def encode_digest(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def compute(data: bytes | IO[bytes], algorithms: Iterable[str]) -> dict[str, str]:
    """Base64 digests of ``data`` (bytes or a binary file, read from where it stands and
    left there) for each algorithm, keyed by lower-case algorithm name."""
    hashers = {_key(a): new_checksum(a) for a in algorithms}
    if isinstance(data, bytes | bytearray | memoryview):
        for hasher in hashers.values():
            hasher.update(data)
    else:
        start = data.tell()
        while chunk := data.read(_READ_SIZE):
            for hasher in hashers.values():
                hasher.update(chunk)
        data.seek(start)
    return {name: encode_digest(h.digest()) for name, h in hashers.items()}


def decode_checksum(algorithm: str, value: str) -> bytes:
    """The digest a client sent as ``x-amz-checksum-<alg>``; ``InvalidRequest`` as S3 words it
    when the value is not base64 of the algorithm's digest size."""
    try:
        digest = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != digest_size(algorithm):
        raise InvalidRequest(
            f"Value for {checksum_header_name(algorithm)} header is invalid.",
        )
    return digest


def verify_checksum(algorithm: str, expected: bytes, actual: bytes) -> None:
    """``BadDigest`` as S3 words it when the digest the client sent differs from ours."""
    if expected != actual:
        raise BadDigest(
            f"The {display_name(algorithm)} you specified did not match the calculated checksum.",
        )


def verify_content_md5(value: str, actual_md5: bytes) -> None:
    """Check a ``Content-MD5`` header (base64 of the MD5 digest) as S3 does."""
    try:
        expected = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        expected = b""
    if len(expected) != 16:
        raise InvalidDigest("The Content-MD5 you specified was not valid.")
    if expected != actual_md5:
        raise BadDigest(
            "The Content-MD5 you specified did not match what we received.",
            ExpectedDigest=value.strip(),
            CalculatedDigest=encode_digest(actual_md5),
        )


def find_checksum_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The ``x-amz-checksum-<alg>`` headers of a request, keyed by lower-case algorithm.

    Names under the prefix that are not algorithms (``-mode``, ``-type``) are skipped; an
    unknown algorithm is ``InvalidRequest``.
    """
    found: dict[str, str] = {}
    for name in headers:
        lower = name.lower()
        if not lower.startswith(CHECKSUM_HEADER_PREFIX):
            continue
        algorithm = lower[len(CHECKSUM_HEADER_PREFIX) :]
        if algorithm in _NOT_ALGORITHMS:
            continue
        if algorithm not in _FACTORIES:
            raise InvalidRequest(f"Value for {lower} header is invalid.")
        found[algorithm] = headers[name]
    return found


def combine_composite(algorithm: str, part_digests: Iterable[bytes]) -> str:
    """The ``COMPOSITE`` checksum of a multipart object: the checksum of the concatenated
    part digests, in base64 followed by ``-<number of parts>``."""
    hasher = new_checksum(algorithm)
    count = 0
    for digest in part_digests:
        hasher.update(digest)
        count += 1
    return f"{encode_digest(hasher.digest())}-{count}"


def combine_full_object(algorithm: str, parts: Iterable[tuple[bytes, int]]) -> str:
    """The ``FULL_OBJECT`` checksum of a multipart object from ``(digest, length)`` of each
    part, as if the whole object had been hashed at once (CRC algorithms only)."""
    key = _key(algorithm)
    combine = _COMBINE.get(key)
    if combine is None:
        raise ValueError(f"{display_name(key)} cannot be combined into a full-object checksum")
    size = _SIZES[key]
    value = 0
    first = True
    for digest, length in parts:
        crc = int.from_bytes(digest, "big")
        value = crc if first else combine(value, crc, length)
        first = False
    return encode_digest(value.to_bytes(size, "big"))
