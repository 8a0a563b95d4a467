"""Object semantics as S3 answers them on the wire: multiple ranges, InvalidRange,
conditional writes (PutObject and CompleteMultipartUpload), response-header overrides,
storage class, server-side encryption headers, every checksum algorithm, and the digest,
size and method errors."""

from __future__ import annotations

import base64
import hashlib
import zlib
from typing import Any

import pytest
import requests
from awscrt import checksums as crt
from botocore.exceptions import ClientError

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.aws.http import HttpRequest
from kumo.services.base import ServiceDeps
from kumo.services.s3.bodies import MAX_UPLOAD_SIZE
from kumo.services.s3.provider import S3Provider

BODY = b"The quick brown fox jumps over the lazy dog" * 100


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response: Any = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


# what each algorithm's x-amz-checksum-* value is, computed here independently
EXPECTED = {
    "CRC32": _b64(zlib.crc32(BODY).to_bytes(4, "big")),
    "CRC32C": _b64(crt.crc32c(BODY).to_bytes(4, "big")),
    "CRC64NVME": _b64(crt.crc64nvme(BODY).to_bytes(8, "big")),
    "SHA1": _b64(hashlib.sha1(BODY).digest()),
    "SHA256": _b64(hashlib.sha256(BODY).digest()),
}


# -- ranges --------------------------------------------------------------------------------


def test_multiple_ranges_get_the_whole_object(s3: Any, bucket: str) -> None:
    # S3 does not serve multipart/byteranges: a multi-range GET is answered 200 in full
    s3.put_object(Bucket=bucket, Key="r", Body=b"0123456789")
    got = s3.get_object(Bucket=bucket, Key="r", Range="bytes=0-1,4-5")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "ContentRange" not in got
    assert got["Body"].read() == b"0123456789"


def test_single_range_forms(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="r", Body=b"0123456789")
    for header, body, content_range in [
        ("bytes=2-4", b"234", "bytes 2-4/10"),
        ("bytes=7-", b"789", "bytes 7-9/10"),
        ("bytes=-3", b"789", "bytes 7-9/10"),
        ("bytes=8-100", b"89", "bytes 8-9/10"),
    ]:
        got = s3.get_object(Bucket=bucket, Key="r", Range=header)
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert got["ContentRange"] == content_range
        assert got["Body"].read() == body


def test_invalid_range_names_the_object_size(kumo: Any, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="r", Body=b"0123456789")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=10-20")
    assert error_of(exc) == ("InvalidRange", 416)
    error = exc.value.response["Error"]
    assert error["ActualObjectSize"] == "10"
    assert error["RangeRequested"] == "bytes=10-20"
    assert error["Message"] == "The requested range is not satisfiable"
    raw = requests.get(f"{kumo.url}/{bucket}/r", headers={"Range": "bytes=50-"}, timeout=10)
    assert raw.status_code == 416
    assert "<ActualObjectSize>10</ActualObjectSize>" in raw.text


# -- conditional writes --------------------------------------------------------------------


def test_if_none_match_star_on_put(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="once", Body=b"first", IfNoneMatch="*")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="once", Body=b"second", IfNoneMatch="*")
    assert error_of(exc) == ("PreconditionFailed", 412)
    assert exc.value.response["Error"]["Condition"] == "If-None-Match"
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"first"
    # a deleted key (no current version) may be written again
    s3.delete_object(Bucket=bucket, Key="once")
    s3.put_object(Bucket=bucket, Key="once", Body=b"third", IfNoneMatch="*")


def test_if_none_match_takes_only_a_star(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="n", Body=b"x", IfNoneMatch='"abc"')
    assert error_of(exc) == ("NotImplemented", 501)
    assert exc.value.response["Error"]["Header"] == "If-None-Match"
    upload_id, parts = _upload(s3, bucket, "n")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="n", UploadId=upload_id,
            MultipartUpload={"Parts": parts}, IfNoneMatch='"abc"',
        )  # fmt: skip
    assert error_of(exc) == ("NotImplemented", 501)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_if_match_on_put(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="m", Body=b"v1")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="m", Body=b"v2", IfMatch='"0123"')
    assert error_of(exc) == ("PreconditionFailed", 412)
    assert exc.value.response["Error"]["Condition"] == "If-Match"
    s3.put_object(Bucket=bucket, Key="m", Body=b"v2", IfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="m")["Body"].read() == b"v2"
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="absent", Body=b"x", IfMatch=etag)
    assert error_of(exc) == ("NoSuchKey", 404)


def _upload(s3: Any, bucket: str, key: str) -> tuple[str, list[dict[str, Any]]]:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"p")
    etag = part["ETag"]
    return upload_id, [{"PartNumber": 1, "ETag": etag}]


def test_conditional_complete_multipart_upload(s3: Any, bucket: str) -> None:
    upload_id, parts = _upload(s3, bucket, "mp")
    s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload_id,
        MultipartUpload={"Parts": parts}, IfNoneMatch="*",
    )  # fmt: skip
    upload_id, parts = _upload(s3, bucket, "mp")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="mp", UploadId=upload_id,
            MultipartUpload={"Parts": parts}, IfNoneMatch="*",
        )  # fmt: skip
    assert error_of(exc) == ("PreconditionFailed", 412)
    current = s3.head_object(Bucket=bucket, Key="mp")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="mp", UploadId=upload_id,
            MultipartUpload={"Parts": parts}, IfMatch='"nope"',
        )  # fmt: skip
    assert error_of(exc) == ("PreconditionFailed", 412)
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload_id,
        MultipartUpload={"Parts": parts}, IfMatch=current,
    )  # fmt: skip
    assert done["ETag"].endswith('-1"')


# -- headers -------------------------------------------------------------------------------


def test_response_header_overrides(kumo: Any, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="o", Body=b"x", ContentType="text/plain")
    got = s3.get_object(
        Bucket=bucket, Key="o",
        ResponseContentType="application/json",
        ResponseContentLanguage="fr",
        ResponseExpires="Thu, 01 Dec 1994 16:00:00 GMT",
        ResponseCacheControl="no-cache",
        ResponseContentDisposition='attachment; filename="o.json"',
        ResponseContentEncoding="identity",
    )  # fmt: skip
    headers = got["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-type"] == "application/json"
    assert headers["content-language"] == "fr"
    assert headers["expires"] == "Thu, 01 Dec 1994 16:00:00 GMT"
    assert headers["cache-control"] == "no-cache"
    assert headers["content-disposition"] == 'attachment; filename="o.json"'
    assert headers["content-encoding"] == "identity"
    # the stored object keeps its own headers
    assert s3.head_object(Bucket=bucket, Key="o")["ContentType"] == "text/plain"


def test_storage_class(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="ia", Body=b"x", StorageClass="STANDARD_IA")
    s3.put_object(Bucket=bucket, Key="std", Body=b"x")
    assert s3.head_object(Bucket=bucket, Key="ia")["StorageClass"] == "STANDARD_IA"
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="std")
    listed = {o["Key"]: o["StorageClass"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert listed == {"ia": "STANDARD_IA", "std": "STANDARD"}
    s3.copy_object(
        Bucket=bucket, Key="ia", CopySource={"Bucket": bucket, "Key": "ia"},
        StorageClass="GLACIER_IR",
    )  # fmt: skip
    assert s3.head_object(Bucket=bucket, Key="ia")["StorageClass"] == "GLACIER_IR"


def test_sse_s3_is_echoed_on_every_write_and_read(s3: Any, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="e", Body=b"x")
    assert put["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="e")["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="e")["ServerSideEncryption"] == "AES256"
    copied = s3.copy_object(Bucket=bucket, Key="e2", CopySource={"Bucket": bucket, "Key": "e"})
    assert copied["ServerSideEncryption"] == "AES256"
    created = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    assert created["ServerSideEncryption"] == "AES256"
    part = s3.upload_part(
        Bucket=bucket, Key="mp", UploadId=created["UploadId"], PartNumber=1, Body=b"p"
    )
    assert part["ServerSideEncryption"] == "AES256"
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=created["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )  # fmt: skip
    assert done["ServerSideEncryption"] == "AES256"


def test_sse_kms_headers(s3: Any, bucket: str) -> None:
    put = s3.put_object(
        Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
        SSEKMSKeyId="1234abcd-12ab-34cd-56ef-1234567890ab", BucketKeyEnabled=True,
    )  # fmt: skip
    arn = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert (put["ServerSideEncryption"], put["SSEKMSKeyId"]) == ("aws:kms", arn)
    assert put["BucketKeyEnabled"] is True
    head = s3.head_object(Bucket=bucket, Key="k")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", arn)
    # without a key id: the account's AWS managed key
    managed = s3.put_object(Bucket=bucket, Key="m", Body=b"x", ServerSideEncryption="aws:kms")
    assert managed["SSEKMSKeyId"].startswith("arn:aws:kms:us-east-1:000000000000:key/")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="bad", Body=b"x", ServerSideEncryption="rot13")
    assert error_of(exc) == ("InvalidArgument", 400)


def test_bucket_default_encryption_applies(s3: Any, bucket: str) -> None:
    default = {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": "arn:aws:kms:us-east-1:000000000000:key/k1",
    }
    rule = {"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": True}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
    put = s3.put_object(Bucket=bucket, Key="d", Body=b"x")
    assert put["ServerSideEncryption"] == "aws:kms"
    assert put["SSEKMSKeyId"] == "arn:aws:kms:us-east-1:000000000000:key/k1"
    assert put["BucketKeyEnabled"] is True
    # the request's own header wins over the bucket default
    explicit = s3.put_object(Bucket=bucket, Key="a", Body=b"x", ServerSideEncryption="AES256")
    assert explicit["ServerSideEncryption"] == "AES256" and "SSEKMSKeyId" not in explicit


# -- checksums -----------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", sorted(EXPECTED))
def test_every_checksum_algorithm(s3: Any, bucket: str, algorithm: str) -> None:
    member = f"Checksum{algorithm}"
    put = s3.put_object(Bucket=bucket, Key="c", Body=BODY, ChecksumAlgorithm=algorithm)
    assert put[member] == EXPECTED[algorithm]
    assert put["ChecksumType"] == "FULL_OBJECT"
    head = s3.head_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert head[member] == EXPECTED[algorithm]
    got = s3.get_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert got[member] == EXPECTED[algorithm]
    assert got["Body"].read() == BODY
    # only in checksum mode, and never on a part of the object
    assert member not in s3.head_object(Bucket=bucket, Key="c")
    ranged = s3.get_object(Bucket=bucket, Key="c", Range="bytes=0-9", ChecksumMode="ENABLED")
    assert ranged["Body"].read() == BODY[:10]
    assert not [k for k in ranged if k.startswith("Checksum")]
    # and a wrong one is refused, naming the algorithm
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="c", Body=b"other", **{member: EXPECTED[algorithm]})
    assert error_of(exc) == ("BadDigest", 400)
    assert s3.get_object(Bucket=bucket, Key="c")["Body"].read() == BODY


def test_checksum_of_a_part_is_kept(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="p", ChecksumAlgorithm="CRC32C")
    part = s3.upload_part(
        Bucket=bucket, Key="p", UploadId=upload["UploadId"], PartNumber=1, Body=BODY,
        ChecksumAlgorithm="CRC32C",
    )  # fmt: skip
    assert part["ChecksumCRC32C"] == EXPECTED["CRC32C"]
    listed = s3.list_parts(Bucket=bucket, Key="p", UploadId=upload["UploadId"])["Parts"]
    assert listed[0]["ChecksumCRC32C"] == EXPECTED["CRC32C"]


# -- digest, size and method errors ---------------------------------------------------------


def test_bad_and_invalid_content_md5(kumo: Any, bucket: str) -> None:
    url = f"{kumo.url}/{bucket}/md5"
    wrong = requests.put(url, data=b"abc", headers={"Content-MD5": _b64(b"\0" * 16)}, timeout=10)
    assert wrong.status_code == 400
    assert "<Code>BadDigest</Code>" in wrong.text
    assert f"<CalculatedDigest>{_b64(hashlib.md5(b'abc').digest())}" in wrong.text
    invalid = requests.put(url, data=b"abc", headers={"Content-MD5": "nope"}, timeout=10)
    assert invalid.status_code == 400 and "<Code>InvalidDigest</Code>" in invalid.text
    right = requests.put(
        url, data=b"abc", headers={"Content-MD5": _b64(hashlib.md5(b"abc").digest())}, timeout=10
    )
    assert right.status_code == 200


def test_content_sha256_mismatch(kumo: Any, s3: Any, bucket: str) -> None:
    sent = requests.put(
        f"{kumo.url}/{bucket}/sha", data=b"abc",
        headers={"x-amz-content-sha256": "0" * 64}, timeout=10,
    )  # fmt: skip
    assert sent.status_code == 400
    assert "<Code>XAmzContentSHA256Mismatch</Code>" in sent.text
    assert f"<S3ComputedContentSHA256>{hashlib.sha256(b'abc').hexdigest()}" in sent.text
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="sha")


def test_method_not_allowed(kumo: Any, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for method in ("PATCH", "POST"):
        answer = requests.request(method, f"{kumo.url}/{bucket}/k", data=b"", timeout=10)
        assert answer.status_code == 405
        assert "<Code>MethodNotAllowed</Code>" in answer.text
        assert f"<Method>{method}</Method>" in answer.text
        assert "<ResourceType>OBJECT</ResourceType>" in answer.text


def test_head_errors_have_no_body(kumo: Any, bucket: str) -> None:
    for url in (f"{kumo.url}/{bucket}/missing", f"{kumo.url}/kumo-no-such-bucket-x/k"):
        answer = requests.head(url, timeout=10)
        assert answer.status_code == 404
        assert answer.content == b""
    missing = requests.get(f"{kumo.url}/kumo-no-such-bucket-x/k", timeout=10)
    assert "<Code>NoSuchBucket</Code>" in missing.text
    assert "<BucketName>kumo-no-such-bucket-x</BucketName>" in missing.text
    assert "<RequestId>" in missing.text


def _request(headers: dict[str, str]) -> RequestContext:
    request = HttpRequest(method="PUT", path="/")
    for name, value in headers.items():
        request.headers.set(name, value)
    return RequestContext(request=request)


@pytest.mark.parametrize("header", ["Content-Length", "x-amz-decoded-content-length"])
def test_entity_too_large(kumo: Any, s3: Any, bucket: str, header: str) -> None:
    """A body declared over 5 GiB is refused before a byte of it is stored. (Driven in
    process: kumo's HTTP layer would first receive the whole declared body.)"""
    platform = kumo.platform
    provider = S3Provider(ServiceDeps(store=platform.store, settings=platform.settings))
    ctx = _request({header: str(MAX_UPLOAD_SIZE + 1)})
    with pytest.raises(ServiceError) as exc:
        provider.put_object(ctx, bucket=bucket, key="huge", body=None)
    assert (exc.value.code, exc.value.status) == ("EntityTooLarge", 400)
    assert exc.value.message == "Your proposed upload exceeds the maximum allowed size"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="huge")["UploadId"]
    with pytest.raises(ServiceError) as exc:
        provider.upload_part(
            ctx, bucket=bucket, key="huge", part_number=1, upload_id=upload_id, body=None
        )
    assert exc.value.code == "EntityTooLarge"
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    # exactly 5 GiB declared is allowed through to the body
    provider.put_object(_request({header: str(MAX_UPLOAD_SIZE)}), bucket=bucket, key="ok")


def test_sse_c_headers(s3: Any, bucket: str) -> None:
    key = b"k" * 32
    key_md5 = _b64(hashlib.md5(key).digest())
    customer = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key.decode()}
    put = s3.put_object(Bucket=bucket, Key="c", Body=b"secret", **customer)
    assert (put["SSECustomerAlgorithm"], put["SSECustomerKeyMD5"]) == ("AES256", key_md5)
    assert "ServerSideEncryption" not in put
    got = s3.get_object(Bucket=bucket, Key="c", **customer)
    assert got["Body"].read() == b"secret"
    assert got["SSECustomerKeyMD5"] == key_md5
    assert s3.head_object(Bucket=bucket, Key="c", **customer)["SSECustomerAlgorithm"] == "AES256"
    # reading it takes the key again, and only that key
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c")
    assert error_of(exc) == ("InvalidRequest", 400)
    with pytest.raises(ClientError) as exc:
        s3.get_object(
            Bucket=bucket, Key="c", SSECustomerAlgorithm="AES256", SSECustomerKey="x" * 32
        )
    assert error_of(exc) == ("AccessDenied", 403)
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="c")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # and a key that is not 256 bits is refused
    with pytest.raises(ClientError) as exc:
        s3.put_object(
            Bucket=bucket, Key="d", Body=b"x", SSECustomerAlgorithm="AES256", SSECustomerKey="k"
        )
    assert error_of(exc) == ("InvalidArgument", 400)


def test_invalid_storage_class(s3: Any, bucket: str) -> None:
    for call in (
        lambda: s3.put_object(Bucket=bucket, Key="s", Body=b"x", StorageClass="PAPER"),
        lambda: s3.create_multipart_upload(Bucket=bucket, Key="s", StorageClass="PAPER"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("InvalidStorageClass", 400)
        assert exc.value.response["Error"]["Message"] == (
            "The storage class you specified is not valid"
        )
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_missing_request_body(kumo: Any, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for method, query in (("POST", "?delete"), ("PUT", "?tagging"), ("PUT", "/k?tagging")):
        answer = requests.request(method, f"{kumo.url}/{bucket}{query}", data=b"", timeout=10)
        assert answer.status_code == 400, (method, query)
        assert "<Code>MissingRequestBodyError</Code>" in answer.text
        assert "<Message>Request Body is empty</Message>" in answer.text


def test_cross_bucket_copy_with_directives(s3: Any, bucket: str, new_name: Any) -> None:
    s3.put_object(
        Bucket=bucket, Key="src", Body=b"payload", ContentType="text/plain",
        Metadata={"a": "1"}, Tagging="t=1",
    )  # fmt: skip
    other = new_name()
    s3.create_bucket(Bucket=other)
    source = {"Bucket": bucket, "Key": "src"}
    s3.copy_object(Bucket=other, Key="same", CopySource=source)
    same = s3.head_object(Bucket=other, Key="same")
    assert (same["ContentType"], same["Metadata"]) == ("text/plain", {"a": "1"})
    assert s3.get_object_tagging(Bucket=other, Key="same")["TagSet"] == [{"Key": "t", "Value": "1"}]
    s3.copy_object(
        Bucket=other, Key="new", CopySource=source, MetadataDirective="REPLACE",
        ContentType="application/json", Metadata={"b": "2"},
        TaggingDirective="REPLACE", Tagging="u=2",
    )  # fmt: skip
    new = s3.get_object(Bucket=other, Key="new")
    assert new["Body"].read() == b"payload"
    assert (new["ContentType"], new["Metadata"]) == ("application/json", {"b": "2"})
    assert s3.get_object_tagging(Bucket=other, Key="new")["TagSet"] == [{"Key": "u", "Value": "2"}]
    # the source is untouched
    assert s3.head_object(Bucket=bucket, Key="src")["Metadata"] == {"a": "1"}
