"""Multipart uploads through boto3, s3transfer and the AWS CLI."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

MiB = 1024 * 1024
PART = 5 * MiB

Cli = Callable[..., Any]


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response: Any = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def start(s3: Any, bucket: str, key: str = "big.bin", **kwargs: Any) -> str:
    upload_id: str = s3.create_multipart_upload(Bucket=bucket, Key=key, **kwargs)["UploadId"]
    return upload_id


def put_part(s3: Any, bucket: str, key: str, upload_id: str, number: int, data: bytes) -> str:
    etag: str = s3.upload_part(
        Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data
    )["ETag"]
    return etag


def expected_etag(*parts: bytes) -> str:
    joined = b"".join(hashlib.md5(p).digest() for p in parts)
    return f'"{hashlib.md5(joined).hexdigest()}-{len(parts)}"'


def test_managed_upload_and_download_of_20_mb(s3: Any, bucket: str, tmp_path: Path) -> None:
    data = os.urandom(20 * MiB)
    source = tmp_path / "source.bin"
    source.write_bytes(data)
    config = TransferConfig(multipart_threshold=PART, multipart_chunksize=PART)
    s3.upload_file(str(source), bucket, "managed.bin", Config=config)
    head = s3.head_object(Bucket=bucket, Key="managed.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].endswith('-4"')
    target = tmp_path / "target.bin"
    s3.download_file(bucket, "managed.bin", str(target), Config=config)
    assert target.read_bytes() == data
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def test_explicit_upload_with_metadata_tags_and_a_replaced_part(s3: Any, bucket: str) -> None:
    upload_id = start(
        s3,
        bucket,
        ContentType="text/plain",
        Metadata={"owner": "ana"},
        Tagging="team=web",
        CacheControl="max-age=5",
    )
    first = os.urandom(PART)
    put_part(s3, bucket, "big.bin", upload_id, 1, os.urandom(PART))  # replaced below
    etag1 = put_part(s3, bucket, "big.bin", upload_id, 1, first)
    assert etag1 == f'"{hashlib.md5(first).hexdigest()}"'
    etag2 = put_part(s3, bucket, "big.bin", upload_id, 2, b"tail")
    assert s3.list_objects_v2(Bucket=bucket).get("Contents") is None  # not visible yet
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="big.bin",
        UploadId=upload_id,
        MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": etag1}, {"PartNumber": 2, "ETag": etag2}]
        },
    )
    assert done["ETag"] == expected_etag(first, b"tail")
    assert done["Key"] == "big.bin"
    got = s3.get_object(Bucket=bucket, Key="big.bin")
    assert got["Body"].read() == first + b"tail"
    assert got["ETag"] == done["ETag"]
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"owner": "ana"}
    assert got["CacheControl"] == "max-age=5"
    assert got["TagCount"] == 1
    ranged = s3.get_object(Bucket=bucket, Key="big.bin", Range=f"bytes={PART - 2}-{PART + 1}")
    assert ranged["Body"].read() == first[-2:] + b"ta"
    with pytest.raises(ClientError) as exc:
        s3.list_parts(Bucket=bucket, Key="big.bin", UploadId=upload_id)
    assert error_of(exc) == ("NoSuchUpload", 404)


def test_parts_are_not_all_needed_and_blobs_are_cleaned_up(s3: Any, bucket: str, kumo: Any) -> None:
    blobs = kumo.platform.store.blobs
    before = set(blobs.ids())
    upload_id = start(s3, bucket)
    put_part(s3, bucket, "big.bin", upload_id, 1, b"one")
    etag2 = put_part(s3, bucket, "big.bin", upload_id, 2, b"two")
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="big.bin",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": etag2}]},
    )
    assert s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read() == b"two"
    assert len(set(blobs.ids()) - before) == 1  # only the object's own blob is left


def test_complete_errors(s3: Any, bucket: str) -> None:
    upload_id = start(s3, bucket)
    small = put_part(s3, bucket, "big.bin", upload_id, 1, b"small")
    last = put_part(s3, bucket, "big.bin", upload_id, 2, b"last")

    def complete(parts: list[dict[str, Any]]) -> tuple[str, int]:
        with pytest.raises(ClientError) as exc:
            s3.complete_multipart_upload(
                Bucket=bucket, Key="big.bin", UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        return error_of(exc)

    in_order = [{"PartNumber": 1, "ETag": small}, {"PartNumber": 2, "ETag": last}]
    assert complete(in_order) == ("EntityTooSmall", 400)
    assert complete(in_order[::-1]) == ("InvalidPartOrder", 400)
    assert complete([in_order[0], in_order[0]]) == ("InvalidPartOrder", 400)
    assert complete([{"PartNumber": 3, "ETag": last}]) == ("InvalidPart", 400)
    assert complete([{"PartNumber": 2, "ETag": small}]) == ("InvalidPart", 400)
    assert complete([]) == ("MalformedXML", 400)
    # the upload survives failed attempts
    assert len(s3.list_parts(Bucket=bucket, Key="big.bin", UploadId=upload_id)["Parts"]) == 2


def test_unknown_uploads_and_bad_part_numbers(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        put_part(s3, bucket, "k", "nope", 1, b"x")
    assert error_of(exc) == ("NoSuchUpload", 404)
    with pytest.raises(ClientError) as exc:
        s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId="nope")
    assert error_of(exc) == ("NoSuchUpload", 404)
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key="k",
            UploadId="nope",
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"x"'}]},
        )
    assert error_of(exc) == ("NoSuchUpload", 404)
    upload_id = start(s3, bucket, "k")
    for number in (0, 10001):
        with pytest.raises(ClientError) as exc:
            put_part(s3, bucket, "k", upload_id, number, b"x")
        assert error_of(exc) == ("InvalidArgument", 400)
    with pytest.raises(ClientError) as exc:
        start(s3, "kumo-no-such-bucket-here", "k")
    assert error_of(exc) == ("NoSuchBucket", 404)


def test_abort_removes_the_upload_and_its_blobs(s3: Any, bucket: str, kumo: Any) -> None:
    blobs = kumo.platform.store.blobs
    before = set(blobs.ids())
    upload_id = start(s3, bucket)
    put_part(s3, bucket, "big.bin", upload_id, 1, b"part")
    assert set(blobs.ids()) != before
    s3.abort_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload_id)
    assert set(blobs.ids()) == before
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        put_part(s3, bucket, "big.bin", upload_id, 2, b"late")
    assert error_of(exc) == ("NoSuchUpload", 404)


def test_list_multipart_uploads(s3: Any, bucket: str) -> None:
    ids = {k: [start(s3, bucket, k) for _ in range(2)] for k in ("a", "dir/x", "dir/y", "z")}
    listed = s3.list_multipart_uploads(Bucket=bucket)
    assert [(u["Key"], u["UploadId"]) for u in listed["Uploads"]] == [
        (k, i) for k in ("a", "dir/x", "dir/y", "z") for i in ids[k]
    ]
    assert listed["IsTruncated"] is False
    first = listed["Uploads"][0]
    assert first["StorageClass"] == "STANDARD"
    assert "ID" in first["Owner"] and "ID" in first["Initiator"]

    rolled = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [u["Key"] for u in rolled["Uploads"]] == ["a", "a", "z", "z"]
    assert rolled["CommonPrefixes"] == [{"Prefix": "dir/"}]

    prefixed = s3.list_multipart_uploads(Bucket=bucket, Prefix="dir/")
    assert [u["Key"] for u in prefixed["Uploads"]] == ["dir/x", "dir/x", "dir/y", "dir/y"]

    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=3)
    assert page["IsTruncated"] is True
    assert [u["UploadId"] for u in page["Uploads"]] == [*ids["a"], ids["dir/x"][0]]
    assert (page["NextKeyMarker"], page["NextUploadIdMarker"]) == ("dir/x", ids["dir/x"][0])
    rest = s3.list_multipart_uploads(
        Bucket=bucket, KeyMarker="dir/x", UploadIdMarker=ids["dir/x"][0]
    )
    assert [u["UploadId"] for u in rest["Uploads"]] == [ids["dir/x"][1], *ids["dir/y"], *ids["z"]]
    after_key = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="dir/x")
    assert [u["Key"] for u in after_key["Uploads"]] == ["dir/y", "dir/y", "z", "z"]

    paginator = s3.get_paginator("list_multipart_uploads")
    seen = [
        u["UploadId"] for p in paginator.paginate(Bucket=bucket, MaxUploads=3) for u in p["Uploads"]
    ]
    assert seen == [i for k in ("a", "dir/x", "dir/y", "z") for i in ids[k]]


def test_list_parts_pages(s3: Any, bucket: str) -> None:
    upload_id = start(s3, bucket, ChecksumAlgorithm="SHA256")
    etags = [put_part(s3, bucket, "big.bin", upload_id, n, b"p%d" % n) for n in range(1, 6)]
    listed = s3.list_parts(Bucket=bucket, Key="big.bin", UploadId=upload_id)
    assert [p["PartNumber"] for p in listed["Parts"]] == [1, 2, 3, 4, 5]
    assert [p["ETag"] for p in listed["Parts"]] == etags
    assert listed["Parts"][0]["Size"] == 2
    assert listed["ChecksumAlgorithm"] == "SHA256"
    page = s3.list_parts(Bucket=bucket, Key="big.bin", UploadId=upload_id, MaxParts=2)
    assert [p["PartNumber"] for p in page["Parts"]] == [1, 2]
    assert page["IsTruncated"] is True
    assert page["NextPartNumberMarker"] == 2
    rest = s3.list_parts(
        Bucket=bucket, Key="big.bin", UploadId=upload_id, PartNumberMarker=2, MaxParts=2
    )
    assert [p["PartNumber"] for p in rest["Parts"]] == [3, 4]
    last = s3.list_parts(Bucket=bucket, Key="big.bin", UploadId=upload_id, PartNumberMarker=4)
    assert [p["PartNumber"] for p in last["Parts"]] == [5]
    assert last["IsTruncated"] is False


def test_composite_checksum_of_sha256_parts(s3: Any, bucket: str) -> None:
    upload_id = start(s3, bucket, ChecksumAlgorithm="SHA256")
    first, second = os.urandom(PART), b"end"
    parts = []
    for number, data in ((1, first), (2, second)):
        out = s3.upload_part(
            Bucket=bucket,
            Key="big.bin",
            UploadId=upload_id,
            PartNumber=number,
            Body=data,
            ChecksumAlgorithm="SHA256",
        )
        parts.append(
            {"PartNumber": number, "ETag": out["ETag"], "ChecksumSHA256": out["ChecksumSHA256"]}
        )
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="big.bin", UploadId=upload_id, MultipartUpload={"Parts": parts}
    )
    inner = b"".join(hashlib.sha256(d).digest() for d in (first, second))
    expected = f"{base64.b64encode(hashlib.sha256(inner).digest()).decode()}-2"
    assert done["ChecksumSHA256"] == expected
    head = s3.head_object(Bucket=bucket, Key="big.bin", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == expected
    assert head["ChecksumType"] == "COMPOSITE"


def test_upload_part_copy_with_ranges(s3: Any, bucket: str) -> None:
    source = os.urandom(PART + 100)
    s3.put_object(Bucket=bucket, Key="src", Body=source)
    upload_id = start(s3, bucket, "copy")
    whole = s3.upload_part_copy(
        Bucket=bucket,
        Key="copy",
        UploadId=upload_id,
        PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "src"},
    )["CopyPartResult"]
    assert whole["ETag"] == f'"{hashlib.md5(source).hexdigest()}"'
    ranged = s3.upload_part_copy(
        Bucket=bucket,
        Key="copy",
        UploadId=upload_id,
        PartNumber=2,
        CopySource=f"{bucket}/src",
        CopySourceRange="bytes=10-19",
    )["CopyPartResult"]
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="copy",
        UploadId=upload_id,
        MultipartUpload={
            "Parts": [
                {"PartNumber": 1, "ETag": whole["ETag"]},
                {"PartNumber": 2, "ETag": ranged["ETag"]},
            ]
        },
    )
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == source + source[10:20]
    upload_id = start(s3, bucket, "copy")
    for bad in ("bytes=0-99999999", "bytes=5-", "rows=1-2"):
        with pytest.raises(ClientError) as exc:
            s3.upload_part_copy(
                Bucket=bucket,
                Key="copy",
                UploadId=upload_id,
                PartNumber=1,
                CopySource=f"{bucket}/src",
                CopySourceRange=bad,
            )
        assert error_of(exc) == ("InvalidArgument", 400)
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(
            Bucket=bucket, Key="copy", UploadId=upload_id, PartNumber=1, CopySource=f"{bucket}/no"
        )
    assert error_of(exc) == ("NoSuchKey", 404)


def test_cli_cp_of_12_mb(aws_cli: Cli, bucket: str, tmp_path: Path) -> None:
    data = os.urandom(12 * MiB)
    source = tmp_path / "twelve.bin"
    source.write_bytes(data)
    aws_cli("s3", "cp", str(source), f"s3://{bucket}/twelve.bin")
    head = aws_cli("s3api", "head-object", "--bucket", bucket, "--key", "twelve.bin").stdout
    assert '-2\\""' in head  # two 8 MiB-chunked parts
    target = tmp_path / "back.bin"
    aws_cli("s3", "cp", f"s3://{bucket}/twelve.bin", str(target))
    assert target.read_bytes() == data


def test_assembly_that_fails_leaves_no_object_and_no_blob(s3: Any, bucket: str, kumo: Any) -> None:
    blobs = kumo.platform.store.blobs
    upload_id = start(s3, bucket)
    earlier = set(blobs.ids())
    etag = put_part(s3, bucket, "big.bin", upload_id, 1, b"part")
    (part_blob,) = set(blobs.ids()) - earlier
    blobs.delete(part_blob)  # as if the disk lost it mid-assembly
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key="big.bin",
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
        )
    assert error_of(exc) == ("InvalidPart", 400)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    assert set(blobs.ids()) == earlier
    assert list((blobs.root / "tmp").iterdir()) == []
