"""GetObjectAttributes through boto3: single PUTs, multipart objects, versions."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

ALL = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]
MIB = 1024 * 1024


def test_single_put(s3: Any, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"hello", ChecksumAlgorithm="SHA256")
    out = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=ALL)
    assert out["ETag"] == put["ETag"].strip('"')
    assert out["ObjectSize"] == 5
    assert out["StorageClass"] == "STANDARD"
    assert out["Checksum"]["ChecksumSHA256"] == put["ChecksumSHA256"]
    assert "ObjectParts" not in out
    assert "VersionId" not in out
    only = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ObjectSize"])
    assert "ETag" not in only and only["ObjectSize"] == 5


def test_multipart_parts(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big", ChecksumAlgorithm="SHA256")
    parts = []
    for number, size in ((1, 5 * MIB), (2, 5 * MIB), (3, 10)):
        out = s3.upload_part(
            Bucket=bucket,
            Key="big",
            UploadId=upload["UploadId"],
            PartNumber=number,
            Body=b"x" * size,
            ChecksumAlgorithm="SHA256",
        )
        parts.append(
            {"PartNumber": number, "ETag": out["ETag"], "ChecksumSHA256": out["ChecksumSHA256"]}
        )
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="big", UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
    )
    out = s3.get_object_attributes(Bucket=bucket, Key="big", ObjectAttributes=ALL, MaxParts=2)
    assert out["ETag"] == done["ETag"].strip('"')
    assert out["ETag"].endswith("-3")
    assert out["ObjectSize"] == 10 * MIB + 10
    object_parts = out["ObjectParts"]
    assert object_parts["TotalPartsCount"] == 3
    assert object_parts["IsTruncated"] is True
    assert [(p["PartNumber"], p["Size"]) for p in object_parts["Parts"]] == [
        (1, 5 * MIB),
        (2, 5 * MIB),
    ]
    assert object_parts["Parts"][0]["ChecksumSHA256"] == parts[0]["ChecksumSHA256"]
    rest = s3.get_object_attributes(
        Bucket=bucket,
        Key="big",
        ObjectAttributes=["ObjectParts"],
        PartNumberMarker=object_parts["NextPartNumberMarker"],
    )
    assert [p["PartNumber"] for p in rest["ObjectParts"]["Parts"]] == [3]


def test_versions_and_errors(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"three")
    out = s3.get_object_attributes(Bucket=bucket, Key="k", VersionId=v1, ObjectAttributes=ALL)
    assert out["VersionId"] == v1
    assert out["ObjectSize"] == 3
    with pytest.raises(ClientError) as err:
        s3.get_object_attributes(Bucket=bucket, Key="missing", ObjectAttributes=ALL)
    assert err.value.response["Error"]["Code"] == "NoSuchKey"


def test_get_and_head_by_part_number(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    parts = []
    for number, body in ((1, b"a" * 5 * MIB), (2, b"bc")):
        etag = s3.upload_part(
            Bucket=bucket, Key="mp", UploadId=upload, PartNumber=number, Body=body
        )["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload={"Parts": parts}
    )
    second = s3.get_object(Bucket=bucket, Key="mp", PartNumber=2)
    assert second["Body"].read() == b"bc"
    assert second["PartsCount"] == 2
    assert second["ContentRange"] == f"bytes {5 * MIB}-{5 * MIB + 1}/{5 * MIB + 2}"
    head = s3.head_object(Bucket=bucket, Key="mp", PartNumber=1)
    assert head["ContentLength"] == 5 * MIB
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 206
    with pytest.raises(ClientError) as err:
        s3.get_object(Bucket=bucket, Key="mp", PartNumber=3)
    assert err.value.response["Error"]["Code"] == "InvalidPartNumber"
