"""s3transfer's managed transfers (boto3's upload_file, download_file, copy and the
file-object forms) with thresholds low enough that every one goes multipart, in parallel."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zlib
from pathlib import Path
from typing import Any

import pytest
from awscrt import checksums as crt
from boto3.s3.transfer import TransferConfig

MIB = 1024 * 1024

# 5 MiB parts (S3's minimum), four at a time: a 17 MiB body is four parts in flight
CONFIG = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB, max_concurrency=4)


@pytest.fixture(scope="module")
def data() -> bytes:
    return os.urandom(17 * MIB + 123)


def _multipart_etag(data: bytes, part: int = 5 * MIB) -> str:
    digests = [hashlib.md5(data[i : i + part]).digest() for i in range(0, len(data), part)]
    return f'"{hashlib.md5(b"".join(digests)).hexdigest()}-{len(digests)}"'


def test_upload_file_and_download_file(s3: Any, bucket: str, data: bytes, tmp_path: Path) -> None:
    source = tmp_path / "in.bin"
    source.write_bytes(data)
    s3.upload_file(
        str(source), bucket, "files/in.bin", Config=CONFIG,
        ExtraArgs={"Metadata": {"kind": "test"}, "ContentType": "application/x-test"},
    )  # fmt: skip
    head = s3.head_object(Bucket=bucket, Key="files/in.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"] == _multipart_etag(data)
    assert head["Metadata"] == {"kind": "test"}
    assert head["ContentType"] == "application/x-test"
    target = tmp_path / "out.bin"
    # the download goes by ranged GETs, four in parallel
    s3.download_file(bucket, "files/in.bin", str(target), Config=CONFIG)
    assert target.read_bytes() == data


def test_upload_fileobj_and_download_fileobj(s3: Any, bucket: str, data: bytes) -> None:
    s3.upload_fileobj(io.BytesIO(data), bucket, "obj.bin", Config=CONFIG)
    out = io.BytesIO()
    s3.download_fileobj(bucket, "obj.bin", out, Config=CONFIG)
    assert out.getvalue() == data
    parts = s3.get_object_attributes(
        Bucket=bucket, Key="obj.bin", ObjectAttributes=["ObjectParts", "ObjectSize"]
    )
    assert parts["ObjectSize"] == len(data)
    assert parts["ObjectParts"]["TotalPartsCount"] == 4


def test_small_bodies_go_in_one_put(s3: Any, bucket: str) -> None:
    body = os.urandom(1000)
    s3.upload_fileobj(io.BytesIO(body), bucket, "small", Config=CONFIG)
    etag = s3.head_object(Bucket=bucket, Key="small")["ETag"]
    assert etag == f'"{hashlib.md5(body).hexdigest()}"'
    out = io.BytesIO()
    s3.download_fileobj(bucket, "small", out, Config=CONFIG)
    assert out.getvalue() == body


def test_managed_copy_uses_ranged_part_copies(
    s3: Any, bucket: str, new_name: Any, data: bytes
) -> None:
    s3.upload_fileobj(io.BytesIO(data), bucket, "source.bin", Config=CONFIG)
    other = new_name()
    s3.create_bucket(Bucket=other)
    # above the threshold, client.copy is CreateMultipartUpload + UploadPartCopy with
    # x-amz-copy-source-range per part + CompleteMultipartUpload
    s3.copy({"Bucket": bucket, "Key": "source.bin"}, other, "copy.bin", Config=CONFIG)
    head = s3.head_object(Bucket=other, Key="copy.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"] == _multipart_etag(data)
    out = io.BytesIO()
    s3.download_fileobj(other, "copy.bin", out, Config=CONFIG)
    assert hashlib.sha256(out.getvalue()).digest() == hashlib.sha256(data).digest()


def test_managed_transfers_with_checksums(s3: Any, bucket: str, data: bytes) -> None:
    s3.upload_fileobj(
        io.BytesIO(data), bucket, "sha.bin", Config=CONFIG,
        ExtraArgs={"ChecksumAlgorithm": "SHA256"},
    )  # fmt: skip
    head = s3.head_object(Bucket=bucket, Key="sha.bin", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"].endswith("-4")
    assert head["ChecksumType"] == "COMPOSITE"
    out = io.BytesIO()
    s3.download_fileobj(bucket, "sha.bin", out, Config=CONFIG)
    assert out.getvalue() == data


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


_DIGESTS = {
    "CRC32": lambda b: zlib.crc32(b).to_bytes(4, "big"),
    "CRC32C": lambda b: crt.crc32c(b).to_bytes(4, "big"),
    "CRC64NVME": lambda b: crt.crc64nvme(b).to_bytes(8, "big"),
    "SHA1": lambda b: hashlib.sha1(b).digest(),
    "SHA256": lambda b: hashlib.sha256(b).digest(),
}


@pytest.mark.parametrize("algorithm", sorted(_DIGESTS))
def test_multipart_checksums_of_every_algorithm(
    s3: Any, bucket: str, data: bytes, algorithm: str
) -> None:
    s3.upload_fileobj(
        io.BytesIO(data), bucket, "sum.bin", Config=CONFIG,
        ExtraArgs={"ChecksumAlgorithm": algorithm},
    )  # fmt: skip
    head = s3.head_object(Bucket=bucket, Key="sum.bin", ChecksumMode="ENABLED")
    digest = _DIGESTS[algorithm]
    if algorithm == "CRC64NVME":
        # CRC64NVME multipart checksums are of the whole object
        assert head["ChecksumType"] == "FULL_OBJECT"
        assert head["ChecksumCRC64NVME"] == _b64(digest(data))
    else:
        parts = [data[i : i + 5 * MIB] for i in range(0, len(data), 5 * MIB)]
        composite = digest(b"".join(digest(p) for p in parts))
        assert head["ChecksumType"] == "COMPOSITE"
        assert head[f"Checksum{algorithm}"] == f"{_b64(composite)}-{len(parts)}"


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C"])
def test_full_object_crc_of_a_multipart_upload(s3: Any, bucket: str, algorithm: str) -> None:
    parts = [os.urandom(5 * MIB), os.urandom(1234)]
    upload = s3.create_multipart_upload(
        Bucket=bucket, Key="full", ChecksumAlgorithm=algorithm, ChecksumType="FULL_OBJECT"
    )
    assert upload["ChecksumType"] == "FULL_OBJECT"
    done = []
    for number, body in enumerate(parts, 1):
        part = s3.upload_part(
            Bucket=bucket, Key="full", UploadId=upload["UploadId"], PartNumber=number,
            Body=body, ChecksumAlgorithm=algorithm,
        )  # fmt: skip
        done.append({"PartNumber": number, "ETag": part["ETag"]})
    whole = _b64(_DIGESTS[algorithm](b"".join(parts)))
    completed = s3.complete_multipart_upload(
        Bucket=bucket, Key="full", UploadId=upload["UploadId"],
        MultipartUpload={"Parts": done},
    )  # fmt: skip
    assert completed[f"Checksum{algorithm}"] == whole
    assert completed["ChecksumType"] == "FULL_OBJECT"
    head = s3.head_object(Bucket=bucket, Key="full", ChecksumMode="ENABLED")
    assert (head[f"Checksum{algorithm}"], head["ChecksumType"]) == (whole, "FULL_OBJECT")


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA256", "CRC64NVME"])
def test_managed_copy_with_a_checksum(s3: Any, bucket: str, data: bytes, algorithm: str) -> None:
    s3.upload_fileobj(io.BytesIO(data), bucket, "src.bin", Config=CONFIG)
    # every UploadPartCopy part gets the upload's checksum, computed from the copied range
    s3.copy(
        {"Bucket": bucket, "Key": "src.bin"}, bucket, "dst.bin", Config=CONFIG,
        ExtraArgs={"ChecksumAlgorithm": algorithm},
    )  # fmt: skip
    head = s3.head_object(Bucket=bucket, Key="dst.bin", ChecksumMode="ENABLED")
    digest = _DIGESTS[algorithm]
    if algorithm == "CRC64NVME":
        assert head["ChecksumCRC64NVME"] == _b64(digest(data))
    else:
        parts = [data[i : i + 5 * MIB] for i in range(0, len(data), 5 * MIB)]
        composite = digest(b"".join(digest(p) for p in parts))
        assert head[f"Checksum{algorithm}"] == f"{_b64(composite)}-{len(parts)}"
    out = io.BytesIO()
    s3.download_fileobj(bucket, "dst.bin", out, Config=CONFIG)
    assert out.getvalue() == data


def test_upload_part_copy_answers_the_part_checksum(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"0123456789")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dst", ChecksumAlgorithm="CRC32C")
    part = s3.upload_part_copy(
        Bucket=bucket, Key="dst", UploadId=upload["UploadId"], PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange="bytes=2-5",
    )  # fmt: skip
    assert part["CopyPartResult"]["ChecksumCRC32C"] == _b64(_DIGESTS["CRC32C"](b"2345"))
    assert part["ServerSideEncryption"] == "AES256"
    listed = s3.list_parts(Bucket=bucket, Key="dst", UploadId=upload["UploadId"])["Parts"]
    assert listed[0]["Size"] == 4
    assert listed[0]["ChecksumCRC32C"] == part["CopyPartResult"]["ChecksumCRC32C"]
