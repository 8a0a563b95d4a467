"""PutObject, GetObject, HeadObject, DeleteObject(s) and CopyObject through boto3."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import socket
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from botocore.exceptions import ClientError


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response: Any = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def get(s3: Any, **kwargs: Any) -> dict[str, Any]:
    """GetObject with its body read (an unread body keeps its connection open)."""
    response: dict[str, Any] = s3.get_object(**kwargs)
    response["Data"] = response.pop("Body").read()
    return response


def test_put_get_round_trip_of_a_multi_megabyte_body(s3: Any, bucket: str) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    put = s3.put_object(Bucket=bucket, Key="big.bin", Body=data)
    assert put["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="big.bin")
    assert got["Body"].read() == data
    assert got["ContentLength"] == len(data)
    assert got["ETag"] == put["ETag"]
    assert got["ContentType"] == "binary/octet-stream"
    assert got["AcceptRanges"] == "bytes"


def test_empty_body(s3: Any, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="empty")
    assert put["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    assert s3.get_object(Bucket=bucket, Key="empty")["Body"].read() == b""


def test_headers_metadata_storage_class_and_tagging_header(s3: Any, bucket: str) -> None:
    s3.put_object(
        Bucket=bucket,
        Key="doc.html",
        Body=b"<p>hi</p>",
        ContentType="text/html",
        CacheControl="max-age=60",
        ContentDisposition='attachment; filename="doc.html"',
        ContentEncoding="identity",
        ContentLanguage="en",
        Metadata={"owner": "ana", "Color": "blue"},
        StorageClass="STANDARD_IA",
        Tagging="team=web&tier=gold",
    )
    head = s3.head_object(Bucket=bucket, Key="doc.html")
    assert head["ContentType"] == "text/html"
    assert head["CacheControl"] == "max-age=60"
    assert head["ContentDisposition"] == 'attachment; filename="doc.html"'
    assert head["ContentEncoding"] == "identity"
    assert head["ContentLanguage"] == "en"
    assert head["Metadata"] == {"owner": "ana", "color": "blue"}
    assert head["StorageClass"] == "STANDARD_IA"
    assert head["ContentLength"] == 9
    tags = s3.get_object_tagging(Bucket=bucket, Key="doc.html")["TagSet"]
    assert tags == [{"Key": "team", "Value": "web"}, {"Key": "tier", "Value": "gold"}]
    got = get(s3, Bucket=bucket, Key="doc.html")
    assert got["TagCount"] == 2


def test_response_header_overrides(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"x", ContentType="text/plain")
    got = get(
        s3,
        Bucket=bucket,
        Key="a.txt",
        ResponseContentType="application/json",
        ResponseContentDisposition="inline",
    )
    assert got["ContentType"] == "application/json"
    assert got["ContentDisposition"] == "inline"


def test_overwrite_replaces_the_body(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"first")
    s3.put_object(Bucket=bucket, Key="k", Body=b"second")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second"


def test_keys_are_kept_exactly(s3: Any, bucket: str) -> None:
    keys = ["../../etc/passwd", "a//b", "ünï cødé/ñ.txt", "sp ace+plus%pct", "trailing/"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    for key in keys:
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == sorted(keys, key=lambda k: k.encode())


def test_missing_key_and_bucket(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="nope")
    assert error_of(exc) == ("NoSuchKey", 404)
    assert exc.value.response["Error"]["Key"] == "nope"
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="nope")
    assert error_of(exc) == ("404", 404)
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket + "-missing", Key="k", Body=b"x")
    assert error_of(exc) == ("NoSuchBucket", 404)
    assert exc.value.response["Error"]["BucketName"] == bucket + "-missing"


def test_key_too_long(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_of(exc) == ("KeyTooLongError", 400)


@pytest.mark.parametrize("expect", [True, False])
def test_a_body_declared_too_large_is_refused_before_it_is_sent(
    kumo: Any, bucket: str, expect: bool
) -> None:
    """S3 answers EntityTooLarge from the headers alone: a client waiting on 100-continue
    never sends the body, and one that does not wait has its connection closed."""
    url = urlsplit(kumo.url)
    head = (
        f"PUT /{bucket}/big HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Content-Length: {5 * 1024**3 + 1}\r\n"
        + ("Expect: 100-continue\r\n" if expect else "")
        + "\r\n"
    )
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        sock.sendall(head.encode())
        if not expect:
            sock.sendall(b"x" * 65536)  # the start of a body that is never read
        data = b""
        while chunk := sock.recv(65536):  # until kumo closes the connection
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 400 Bad Request"
    assert b"100 Continue" not in data
    assert b"<Code>EntityTooLarge</Code>" in rest
    assert b"<MaxSizeAllowed>5368709120</MaxSizeAllowed>" in rest
    assert f"<ProposedSize>{5 * 1024**3 + 1}</ProposedSize>".encode() in rest
    assert requests.head(f"{kumo.url}/{bucket}/big", timeout=5).status_code == 404


# -- ranges ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected", "content_range"),
    [
        ("bytes=0-3", b"0123", "bytes 0-3/10"),
        ("bytes=7-", b"789", "bytes 7-9/10"),
        ("bytes=-2", b"89", "bytes 8-9/10"),
        ("bytes=5-100", b"56789", "bytes 5-9/10"),
    ],
)
def test_ranges(s3: Any, bucket: str, header: str, expected: bytes, content_range: str) -> None:
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    got = s3.get_object(Bucket=bucket, Key="digits", Range=header)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["Body"].read() == expected
    assert got["ContentRange"] == content_range
    assert got["ContentLength"] == len(expected)


def test_unsatisfiable_range(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="digits", Range="bytes=10-20")
    assert error_of(exc) == ("InvalidRange", 416)
    assert exc.value.response["Error"]["ActualObjectSize"] == "10"


def test_range_of_a_large_object_streams_the_window(s3: Any, bucket: str) -> None:
    data = os.urandom(2 * 1024 * 1024 + 5)
    s3.put_object(Bucket=bucket, Key="big", Body=data)
    start, end = 1024 * 1024 - 3, 2 * 1024 * 1024 + 1
    got = s3.get_object(Bucket=bucket, Key="big", Range=f"bytes={start}-{end}")
    assert got["Body"].read() == data[start : end + 1]


# -- conditional requests -------------------------------------------------------------------


def test_conditional_get(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"body")["ETag"]
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"body"
    assert get(s3, Bucket=bucket, Key="c", IfModifiedSince=past)["ETag"] == etag
    assert get(s3, Bucket=bucket, Key="c", IfUnmodifiedSince=future)["ETag"] == etag
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert error_of(exc) == ("PreconditionFailed", 412)
    assert exc.value.response["Error"]["Condition"] == "If-Match"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=past)
    assert error_of(exc) == ("PreconditionFailed", 412)
    # a matching If-Match makes a failing If-Unmodified-Since moot (RFC 7232, as S3)
    got = get(s3, Bucket=bucket, Key="c", IfMatch=etag, IfUnmodifiedSince=past)
    assert got["ETag"] == etag


def test_conditional_get_not_modified(s3: Any, bucket: str, kumo: Any) -> None:
    # Over a fresh connection closed after: the 304 is read by its status alone.
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"body")["ETag"]
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    url = f"{kumo.url}/{bucket}/c"
    for condition in (
        {"If-None-Match": etag},
        {"If-Modified-Since": format_datetime(future, usegmt=True)},
    ):
        response = requests.get(url, headers={**condition, "Connection": "close"}, timeout=10)
        assert response.status_code == 304
        assert response.content == b""
    fresh = requests.get(url, headers={"If-None-Match": '"other"'}, timeout=10)
    assert fresh.status_code == 200
    assert fresh.content == b"body"


def test_not_modified_keeps_the_connection_usable(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"body")["ETag"]

    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)

    assert error_of(exc)[1] == 304
    # the same pooled connection answers the next request in step
    assert s3.get_object(Bucket=bucket, Key="c")["Body"].read() == b"body"


def test_conditional_head(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"body")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert error_of(exc)[1] == 304
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="c", IfMatch='"nope"')
    assert error_of(exc)[1] == 412


def test_conditional_writes(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="w", Body=b"one", IfNoneMatch="*")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="w", Body=b"two", IfNoneMatch="*")
    assert error_of(exc) == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="w", Body=b"two", IfMatch='"other"')
    assert error_of(exc) == ("PreconditionFailed", 412)
    s3.put_object(Bucket=bucket, Key="w", Body=b"three", IfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="w")["Body"].read() == b"three"


# -- checksums ------------------------------------------------------------------------------


def test_checksum_is_stored_and_returned_in_checksum_mode(s3: Any, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="sum", Body=b"hello", ChecksumAlgorithm="SHA256")
    assert put["ChecksumSHA256"]
    head = s3.head_object(Bucket=bucket, Key="sum", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == put["ChecksumSHA256"]
    got = s3.get_object(Bucket=bucket, Key="sum", ChecksumMode="ENABLED")
    assert got["ChecksumSHA256"] == put["ChecksumSHA256"]
    assert got["Body"].read() == b"hello"
    partial = get(s3, Bucket=bucket, Key="sum", Range="bytes=0-1", ChecksumMode="ENABLED")
    assert "ChecksumSHA256" not in partial


# -- delete ---------------------------------------------------------------------------------


def test_delete_object_is_idempotent(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="gone", Body=b"x")
    first = s3.delete_object(Bucket=bucket, Key="gone")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 204
    second = s3.delete_object(Bucket=bucket, Key="gone")
    assert second["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="gone")
    assert error_of(exc) == ("NoSuchKey", 404)


def test_delete_objects_verbose_and_quiet(s3: Any, bucket: str) -> None:
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    verbose = s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "missing"}]}
    )
    assert sorted(d["Key"] for d in verbose["Deleted"]) == ["a", "missing"]
    assert "Errors" not in verbose
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "b"}], "Quiet": True})
    assert "Deleted" not in quiet
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["c"]


def test_deleted_blobs_leave_the_disk(s3: Any, bucket: str, kumo: Any) -> None:
    blobs = kumo.platform.store.blobs
    before = set(blobs.ids())
    s3.put_object(Bucket=bucket, Key="tmp", Body=b"x" * 100)
    s3.put_object(Bucket=bucket, Key="tmp", Body=b"y" * 100)
    s3.delete_object(Bucket=bucket, Key="tmp")
    assert set(blobs.ids()) - before == set()


# -- copy -----------------------------------------------------------------------------------


def test_copy_keeps_metadata_by_default(s3: Any, bucket: str, new_name: Any) -> None:
    other = new_name()
    s3.create_bucket(Bucket=other)
    put = s3.put_object(
        Bucket=bucket, Key="src", Body=b"copy me", ContentType="text/plain", Metadata={"a": "1"}
    )
    result = s3.copy_object(Bucket=other, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert result["CopyObjectResult"]["ETag"] == put["ETag"]
    got = s3.get_object(Bucket=other, Key="dst")
    assert got["Body"].read() == b"copy me"
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"a": "1"}


def test_copy_with_replace_directive(s3: Any, bucket: str) -> None:
    s3.put_object(
        Bucket=bucket, Key="src", Body=b"x", ContentType="text/plain", Metadata={"a": "1"}
    )
    s3.copy_object(
        Bucket=bucket,
        Key="src",
        CopySource=f"{bucket}/src",
        MetadataDirective="REPLACE",
        ContentType="application/json",
        Metadata={"b": "2"},
    )
    head = s3.head_object(Bucket=bucket, Key="src")
    assert head["ContentType"] == "application/json"
    assert head["Metadata"] == {"b": "2"}


def test_copy_onto_itself_without_changes_is_refused(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="src", CopySource=f"{bucket}/src")
    assert error_of(exc) == ("InvalidRequest", 400)


def test_copy_errors_and_conditions(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/missing")
    assert error_of(exc) == ("NoSuchKey", 404)
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(
            Bucket=bucket, Key="dst", CopySource=f"{bucket}/src", CopySourceIfMatch='"nope"'
        )
    assert error_of(exc) == ("PreconditionFailed", 412)


def test_copy_of_a_key_needing_url_encoding(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="dir/ü b+c.txt", Body=b"unicode")
    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "dir/ü b+c.txt"})
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"unicode"


# -- s3transfer -----------------------------------------------------------------------------


def test_upload_file_and_download_file(s3: Any, bucket: str, tmp_path: Path) -> None:
    data = os.urandom(7 * 1024 * 1024)
    source = tmp_path / "up.bin"
    source.write_bytes(data)
    s3.upload_file(str(source), bucket, "transfer/up.bin")
    target = tmp_path / "down.bin"
    s3.download_file(bucket, "transfer/up.bin", str(target))
    assert target.read_bytes() == data


def test_default_crc32_of_boto3_is_kept(s3: Any, bucket: str) -> None:
    # boto3 sends a CRC32 trailer by default (aws-chunked); S3 keeps and returns it
    put = s3.put_object(Bucket=bucket, Key="crc", Body=b"payload")
    head = s3.head_object(Bucket=bucket, Key="crc", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == put["ChecksumCRC32"]
    assert head["ChecksumType"] == "FULL_OBJECT"
    assert "ChecksumCRC32" not in s3.head_object(Bucket=bucket, Key="crc")


def test_bad_content_md5_stores_nothing(s3: Any, bucket: str) -> None:
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="md5", Body=b"payload", ContentMD5=wrong)
    assert error_of(exc) == ("BadDigest", 400)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
