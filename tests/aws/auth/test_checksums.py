"""The checksum library: published check values, botocore agreement, multipart combining."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zlib

import pytest
from botocore.httpchecksum import _CHECKSUM_CLS
from hypothesis import given
from hypothesis import strategies as st

from kumo.aws.auth import BadDigest, InvalidDigest, InvalidRequest, checksums

CHECK_INPUT = b"123456789"
# The "check" values of each CRC's catalogue entry, and the empty-input XXH values.
CHECK_VALUES = {
    "crc32": "cbf43926",
    "crc32c": "e3069283",
    "crc64nvme": "ae8b14860a799888",
}
EMPTY_XXHASH = {
    "xxhash64": "ef46db3751d8e999",
    "xxhash3": "2d06800538d394c2",
    "xxhash128": "99aa06d3014798d86001c324468d497f",
}


@pytest.mark.parametrize(("algorithm", "expected"), CHECK_VALUES.items())
def test_crc_check_values(algorithm: str, expected: str) -> None:
    value = checksums.compute(CHECK_INPUT, [algorithm])[algorithm]
    assert base64.b64decode(value).hex() == expected


@pytest.mark.parametrize(("algorithm", "expected"), EMPTY_XXHASH.items())
def test_xxhash_of_nothing(algorithm: str, expected: str) -> None:
    hasher = checksums.new_checksum(algorithm)
    assert hasher.digest().hex() == expected


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512", "md5"])
def test_hashlib_algorithms(algorithm: str) -> None:
    value = checksums.compute(CHECK_INPUT, [algorithm])[algorithm]
    assert base64.b64decode(value) == hashlib.new(algorithm, CHECK_INPUT).digest()


@pytest.mark.parametrize("algorithm", sorted(_CHECKSUM_CLS))
def test_agrees_with_botocore(algorithm: str) -> None:
    data = os.urandom(100_003)
    theirs = _CHECKSUM_CLS[algorithm]()
    theirs.update(data)
    assert checksums.compute(data, [algorithm])[algorithm] == theirs.b64digest()


def test_every_algorithm_is_named_and_sized() -> None:
    assert set(checksums.ALGORITHMS) >= set(_CHECKSUM_CLS) | {"md5"}
    for algorithm in checksums.ALGORITHMS:
        assert len(checksums.new_checksum(algorithm).digest()) == checksums.digest_size(algorithm)
        assert checksums.display_name(algorithm) == algorithm.upper()
        assert checksums.checksum_header_name(algorithm.upper()) == f"x-amz-checksum-{algorithm}"
    with pytest.raises(ValueError):
        checksums.new_checksum("adler32")
    assert not checksums.is_supported("adler32") and checksums.is_supported("CRC64NVME")


@given(st.lists(st.binary(max_size=300), max_size=8))
def test_incremental_equals_one_shot(pieces: list[bytes]) -> None:
    whole = b"".join(pieces)
    for algorithm in checksums.ALGORITHMS:
        hasher = checksums.new_checksum(algorithm)
        for piece in pieces:
            hasher.update(memoryview(piece))
        expected = checksums.compute(whole, [algorithm])[algorithm]
        assert checksums.encode_digest(hasher.digest()) == expected


def test_compute_reads_a_file_and_leaves_it_where_it_was() -> None:
    data = os.urandom(3 * 1024 * 1024 + 5)
    file = io.BytesIO(b"skip" + data)
    file.seek(4)
    result = checksums.compute(file, ["crc32", "sha256"])
    assert file.tell() == 4
    assert result == checksums.compute(data, ["crc32", "sha256"])
    assert base64.b64decode(result["crc32"]) == zlib.crc32(data).to_bytes(4, "big")


def test_decode_and_verify() -> None:
    value = checksums.compute(b"x", ["crc32"])["crc32"]
    digest = checksums.decode_checksum("CRC32", value)
    checksums.verify_checksum("crc32", digest, digest)
    with pytest.raises(BadDigest) as caught:
        checksums.verify_checksum("crc32c", digest, b"\0\0\0\0")
    assert caught.value.message == "The CRC32C you specified did not match the calculated checksum."
    for bad in ("", "!!!!", base64.b64encode(b"12345").decode()):
        with pytest.raises(InvalidRequest):
            checksums.decode_checksum("crc32", bad)


def test_content_md5() -> None:
    digest = hashlib.md5(b"x").digest()
    checksums.verify_content_md5(base64.b64encode(digest).decode(), digest)
    with pytest.raises(InvalidDigest):
        checksums.verify_content_md5("nope", digest)
    with pytest.raises(BadDigest):
        checksums.verify_content_md5(base64.b64encode(b"\0" * 16).decode(), digest)


def test_find_checksum_headers() -> None:
    headers = {
        "X-Amz-Checksum-CRC32": "a",
        "x-amz-checksum-algorithm": "CRC32",
        "x-amz-checksum-mode": "ENABLED",
        "x-amz-checksum-type": "COMPOSITE",
        "Content-Type": "text/plain",
    }
    assert checksums.find_checksum_headers(headers) == {"crc32": "a"}
    with pytest.raises(InvalidRequest):
        checksums.find_checksum_headers({"x-amz-checksum-adler32": "a"})


@pytest.mark.parametrize("algorithm", ["crc32", "crc32c", "crc64nvme"])
def test_full_object_checksum_of_parts(algorithm: str) -> None:
    parts = [os.urandom(n) for n in (5000, 1, 77777, 0, 12)]
    pieces = []
    for part in parts:
        value = checksums.compute(part, [algorithm])[algorithm]
        pieces.append((base64.b64decode(value), len(part)))
    whole = checksums.compute(b"".join(parts), [algorithm])[algorithm]
    assert checksums.combine_full_object(algorithm, pieces) == whole


def test_full_object_needs_a_crc() -> None:
    with pytest.raises(ValueError):
        checksums.combine_full_object("sha256", [])


def test_composite_checksum_of_parts() -> None:
    parts = [b"a" * 10, b"b" * 20]
    digests = [hashlib.sha256(p).digest() for p in parts]
    expected = base64.b64encode(hashlib.sha256(b"".join(digests)).digest()).decode()
    assert checksums.combine_composite("SHA256", digests) == f"{expected}-2"
