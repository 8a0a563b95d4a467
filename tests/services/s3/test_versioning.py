"""Versioning through boto3: version ids, delete markers, reads and deletes by version,
suspended buckets and ListObjectVersions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def versioned(s3: Any, bucket: str) -> str:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


def test_unversioned_bucket_has_no_version_ids(s3: Any, bucket: str) -> None:
    out = s3.put_object(Bucket=bucket, Key="k", Body=b"a")
    assert "VersionId" not in out
    assert "VersionId" not in s3.get_object(Bucket=bucket, Key="k")
    listed = s3.list_object_versions(Bucket=bucket)
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [
        ("k", "null", True)
    ]
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert "DeleteMarker" not in deleted
    assert "Versions" not in s3.list_object_versions(Bucket=bucket)


def test_put_get_and_delete_by_version(s3: Any, versioned: str) -> None:
    v1 = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=versioned, Key="k", Body=b"two")["VersionId"]
    assert v1 != v2
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"two"
    old = s3.get_object(Bucket=versioned, Key="k", VersionId=v1)
    assert old["Body"].read() == b"one"
    assert old["VersionId"] == v1
    assert s3.head_object(Bucket=versioned, Key="k", VersionId=v1)["ContentLength"] == 3

    # deleting the current version for good makes the previous one current
    out = s3.delete_object(Bucket=versioned, Key="k", VersionId=v2)
    assert out["VersionId"] == v2
    got = s3.get_object(Bucket=versioned, Key="k")
    assert got["Body"].read() == b"one"
    assert got["VersionId"] == v1


def test_delete_marker(s3: Any, versioned: str) -> None:
    v1 = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    out = s3.delete_object(Bucket=versioned, Key="k")
    assert out["DeleteMarker"] is True
    marker = out["VersionId"]
    assert marker != v1

    with pytest.raises(ClientError) as err:
        s3.get_object(Bucket=versioned, Key="k")
    assert err.value.response["Error"]["Code"] == "NoSuchKey"
    headers = err.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-delete-marker"] == "true"
    assert headers["x-amz-version-id"] == marker

    with pytest.raises(ClientError) as err:
        s3.get_object(Bucket=versioned, Key="k", VersionId=marker)
    assert err.value.response["Error"]["Code"] == "MethodNotAllowed"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405
    assert err.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"

    with pytest.raises(ClientError) as err:
        s3.head_object(Bucket=versioned, Key="k", VersionId=marker)
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405

    # the key is gone from listings but its versions are not
    assert "Contents" not in s3.list_objects_v2(Bucket=versioned)
    listed = s3.list_object_versions(Bucket=versioned)
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker, True)]
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [(v1, False)]

    # removing the marker brings the object back
    removed = s3.delete_object(Bucket=versioned, Key="k", VersionId=marker)
    assert removed["DeleteMarker"] is True
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"one"


def test_bucket_with_versions_is_not_empty(s3: Any, versioned: str) -> None:
    s3.put_object(Bucket=versioned, Key="k", Body=b"one")
    s3.delete_object(Bucket=versioned, Key="k")
    with pytest.raises(ClientError) as err:
        s3.delete_bucket(Bucket=versioned)
    assert err.value.response["Error"]["Code"] == "BucketNotEmpty"


def test_version_errors(s3: Any, versioned: str) -> None:
    s3.put_object(Bucket=versioned, Key="k", Body=b"one")
    with pytest.raises(ClientError) as err:
        s3.get_object(Bucket=versioned, Key="k", VersionId="not-a-version")
    assert err.value.response["Error"]["Code"] == "InvalidArgument"
    assert err.value.response["Error"]["Message"] == "Invalid version id specified"
    with pytest.raises(ClientError) as err:
        s3.get_object(Bucket=versioned, Key="k", VersionId="0" * 32)
    assert err.value.response["Error"]["Code"] == "NoSuchVersion"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_suspended_bucket_writes_null_versions(s3: Any, versioned: str) -> None:
    v1 = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    s3.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Suspended"})
    assert s3.put_object(Bucket=versioned, Key="k", Body=b"two")["VersionId"] == "null"
    # a second null version replaces the first
    assert s3.put_object(Bucket=versioned, Key="k", Body=b"three")["VersionId"] == "null"
    listed = s3.list_object_versions(Bucket=versioned)["Versions"]
    assert [(v["VersionId"], v["IsLatest"], v["Size"]) for v in listed] == [
        ("null", True, 5),
        (v1, False, 3),
    ]
    out = s3.delete_object(Bucket=versioned, Key="k")
    assert out["DeleteMarker"] is True
    assert out["VersionId"] == "null"
    listed_after = s3.list_object_versions(Bucket=versioned)
    assert [v["VersionId"] for v in listed_after["Versions"]] == [v1]
    assert [m["VersionId"] for m in listed_after["DeleteMarkers"]] == ["null"]
    # the null version is now the delete marker
    with pytest.raises(ClientError) as err:
        s3.get_object(Bucket=versioned, Key="k", VersionId="null")
    assert err.value.response["Error"]["Code"] == "MethodNotAllowed"


def test_null_version_kept_when_versioning_enabled(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"before")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"after")["VersionId"]
    old = s3.get_object(Bucket=bucket, Key="k", VersionId="null")
    assert old["Body"].read() == b"before"
    assert [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]] == [
        v2,
        "null",
    ]


def test_copy_and_tagging_by_version(s3: Any, versioned: str) -> None:
    v1 = s3.put_object(Bucket=versioned, Key="src", Body=b"one")["VersionId"]
    s3.put_object(Bucket=versioned, Key="src", Body=b"two")
    out = s3.copy_object(
        Bucket=versioned, Key="dst", CopySource={"Bucket": versioned, "Key": "src", "VersionId": v1}
    )
    assert out["CopySourceVersionId"] == v1
    assert out["VersionId"]
    assert s3.get_object(Bucket=versioned, Key="dst")["Body"].read() == b"one"

    tagged = s3.put_object_tagging(
        Bucket=versioned, Key="src", VersionId=v1, Tagging={"TagSet": [{"Key": "a", "Value": "1"}]}
    )
    assert tagged["VersionId"] == v1
    assert s3.get_object_tagging(Bucket=versioned, Key="src", VersionId=v1)["TagSet"] == [
        {"Key": "a", "Value": "1"}
    ]
    assert s3.get_object_tagging(Bucket=versioned, Key="src")["TagSet"] == []
    s3.delete_object_tagging(Bucket=versioned, Key="src", VersionId=v1)
    assert s3.get_object_tagging(Bucket=versioned, Key="src", VersionId=v1)["TagSet"] == []


def test_copy_from_delete_marker_is_no_such_key(s3: Any, versioned: str) -> None:
    s3.put_object(Bucket=versioned, Key="src", Body=b"one")
    s3.delete_object(Bucket=versioned, Key="src")
    with pytest.raises(ClientError) as err:
        s3.copy_object(Bucket=versioned, Key="dst", CopySource={"Bucket": versioned, "Key": "src"})
    assert err.value.response["Error"]["Code"] == "NoSuchKey"


def test_multipart_completes_into_a_version(s3: Any, versioned: str) -> None:
    upload = s3.create_multipart_upload(Bucket=versioned, Key="big")["UploadId"]
    etag = s3.upload_part(
        Bucket=versioned, Key="big", UploadId=upload, PartNumber=1, Body=b"x" * 10
    )["ETag"]
    out = s3.complete_multipart_upload(
        Bucket=versioned,
        Key="big",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
    )
    assert out["VersionId"]
    assert s3.head_object(Bucket=versioned, Key="big")["VersionId"] == out["VersionId"]


def test_delete_objects_with_versions(s3: Any, versioned: str) -> None:
    v1 = s3.put_object(Bucket=versioned, Key="a", Body=b"1")["VersionId"]
    s3.put_object(Bucket=versioned, Key="b", Body=b"2")
    out = s3.delete_objects(
        Bucket=versioned,
        Delete={"Objects": [{"Key": "a", "VersionId": v1}, {"Key": "b"}]},
    )
    by_key = {d["Key"]: d for d in out["Deleted"]}
    assert by_key["a"]["VersionId"] == v1
    assert by_key["b"]["DeleteMarker"] is True
    assert by_key["b"]["DeleteMarkerVersionId"]
    listed = s3.list_object_versions(Bucket=versioned)
    assert [v["Key"] for v in listed["Versions"]] == ["b"]
    assert [m["Key"] for m in listed["DeleteMarkers"]] == ["b"]


def test_list_object_versions_paging(s3: Any, versioned: str) -> None:
    made: list[tuple[str, str]] = []
    for name in ("a", "b", "c"):
        for _ in range(3):
            made.append((name, s3.put_object(Bucket=versioned, Key=name, Body=b"x")["VersionId"]))
    # listing order: by key, newest first
    expected = [(k, v) for k in ("a", "b", "c") for kk, v in reversed(made) if kk == k]
    seen: list[tuple[str, str]] = []
    kwargs: dict[str, Any] = {"Bucket": versioned, "MaxKeys": 2}
    while True:
        page = s3.list_object_versions(**kwargs)
        seen += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
        assert len(page.get("Versions", [])) <= 2
        if not page["IsTruncated"]:
            break
        kwargs["KeyMarker"] = page["NextKeyMarker"]
        kwargs["VersionIdMarker"] = page["NextVersionIdMarker"]
    assert seen == expected
    paginated = s3.get_paginator("list_object_versions").paginate(
        Bucket=versioned, PaginationConfig={"PageSize": 4}
    )
    assert [(v["Key"], v["VersionId"]) for p in paginated for v in p["Versions"]] == expected


def test_list_object_versions_prefix_and_delimiter(s3: Any, versioned: str) -> None:
    for name in ("dir/a", "dir/b", "top", "other/x"):
        s3.put_object(Bucket=versioned, Key=name, Body=b"x")
    out = s3.list_object_versions(Bucket=versioned, Delimiter="/")
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["dir/", "other/"]
    assert [v["Key"] for v in out["Versions"]] == ["top"]
    out = s3.list_object_versions(Bucket=versioned, Prefix="dir/")
    assert [v["Key"] for v in out["Versions"]] == ["dir/a", "dir/b"]
    with pytest.raises(ClientError) as err:
        s3.list_object_versions(Bucket=versioned, VersionIdMarker="null")
    assert err.value.response["Error"]["Code"] == "InvalidArgument"


def test_cli_lists_versions(aws_cli: Any, s3: Any, versioned: str) -> None:
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    out = json.loads(aws_cli("s3api", "list-object-versions", "--bucket", versioned).stdout)
    assert out["Versions"][0]["Key"] == "k"


def test_deleting_a_version_that_is_not_there_succeeds(s3: Any, versioned: str) -> None:
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    out = s3.delete_object(Bucket=versioned, Key="k", VersionId="f" * 32)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert out["VersionId"] == "f" * 32
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"x"
    many = s3.delete_objects(
        Bucket=versioned, Delete={"Objects": [{"Key": "k", "VersionId": "not-a-version"}]}
    )
    assert many["Deleted"] == [{"Key": "k", "VersionId": "not-a-version"}]
