"""S3's SigV2 header, the SigV2 query API and SigV3, signed by botocore."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.auth import HmacV1Auth, SigV2Auth, SigV3Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from kumo.aws.auth import InvalidArgument, SignatureKind, read_signing_info, verify_signature
from kumo.aws.errors import AccessDenied, RequestTimeTooSkewed, SignatureDoesNotMatch
from kumo.aws.http import HttpRequest
from tests.aws.auth.wire import ACCESS_KEY, SECRET_KEY, capture, client, now, to_http_request

CREDENTIALS = Credentials(ACCESS_KEY, SECRET_KEY)
S3_V2 = {"signature_version": "s3"}

S3_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("list_buckets", {}),
    ("list_objects", {"Bucket": "bucket", "Prefix": "a b"}),
    ("get_bucket_acl", {"Bucket": "bucket"}),
    ("put_object", {"Bucket": "bucket", "Key": "k ü+(1).txt", "Body": b"data", "ACL": "private"}),
    ("put_object", {"Bucket": "bucket", "Key": "k", "Body": b"d", "Metadata": {"a": " x  y "}}),
    ("get_object", {"Bucket": "bucket", "Key": "k", "VersionId": "v 1/2"}),
    ("get_object", {"Bucket": "bucket", "Key": "k", "ResponseContentType": "text/plain"}),
    ("get_object_tagging", {"Bucket": "bucket", "Key": "k"}),
    ("create_multipart_upload", {"Bucket": "bucket", "Key": "k"}),
    (
        "upload_part",
        {"Bucket": "bucket", "Key": "k", "UploadId": "u", "PartNumber": 2, "Body": b"x"},
    ),
    ("delete_objects", {"Bucket": "bucket", "Delete": {"Objects": [{"Key": "a"}]}}),
]


def _verify(request: HttpRequest, when: dt.datetime | None = None, **kwargs: Any) -> None:
    info = read_signing_info(request)
    assert info is not None
    verify_signature(request, info, SECRET_KEY, now=when or now(), **kwargs)


@pytest.mark.parametrize(("operation", "params"), S3_CALLS, ids=lambda v: str(v)[:30])
def test_s3_sigv2_client_requests_verify(operation: str, params: dict[str, Any]) -> None:
    request = capture(client("s3", **S3_V2), operation, **params)
    info = read_signing_info(request)
    assert info is not None and info.kind is SignatureKind.S3_SIGV2
    assert info.service == "s3" and info.access_key_id == ACCESS_KEY
    _verify(request)
    with pytest.raises(SignatureDoesNotMatch):
        verify_signature(request, info, "other", now=now())


@pytest.mark.parametrize(("operation", "params"), S3_CALLS[1:], ids=lambda v: str(v)[:30])
def test_s3_sigv2_virtual_hosted_requests_need_the_bucket(
    operation: str, params: dict[str, Any]
) -> None:
    s3 = client("s3", endpoint="http://s3.kumo.test", s3={"addressing_style": "virtual"}, **S3_V2)
    request = capture(s3, operation, **params)
    assert request.host.startswith("bucket.")
    _verify(request, s3_bucket="bucket")
    with pytest.raises(SignatureDoesNotMatch):
        _verify(request, s3_bucket="other-bucket")


def test_s3_sigv2_with_session_token() -> None:
    request = capture(client("s3", token="TOK", **S3_V2), "get_object", Bucket="b", Key="k")
    info = read_signing_info(request)
    assert info is not None and info.security_token == "TOK"
    _verify(request)


def test_s3_sigv2_tampering_fails() -> None:
    s3 = client("s3", **S3_V2)
    request = capture(s3, "put_object", Bucket="b", Key="k", Body=b"x", ContentType="text/plain")
    request.headers.set("Content-Type", "text/html")
    with pytest.raises(SignatureDoesNotMatch):
        _verify(request)
    request = capture(s3, "put_object", Bucket="b", Key="k", Body=b"x", ACL="private")
    request.headers.set("x-amz-acl", "public-read")
    with pytest.raises(SignatureDoesNotMatch):
        _verify(request)
    request = capture(s3, "get_bucket_acl", Bucket="b")
    request.query_string = "policy"
    with pytest.raises(SignatureDoesNotMatch):
        _verify(request)


def test_s3_sigv2_time_window() -> None:
    request = capture(client("s3", **S3_V2), "list_buckets")
    with pytest.raises(RequestTimeTooSkewed):
        _verify(request, now() + dt.timedelta(minutes=16))
    request.headers.remove("Date")
    with pytest.raises(AccessDenied) as caught:
        _verify(request)
    assert "Date or x-amz-date" in caught.value.message


def test_s3_sigv2_with_x_amz_date() -> None:
    request = AWSRequest(method="GET", url="http://h/b/k", headers={})
    stamp = now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    request.headers["x-amz-date"] = stamp
    HmacV1Auth(CREDENTIALS).add_auth(request)
    _verify(to_http_request(request))


def test_malformed_s3_sigv2_header() -> None:
    request = capture(client("s3", **S3_V2), "list_buckets")
    request.headers.set("Authorization", "AWS no-colon-here")
    with pytest.raises(InvalidArgument):
        read_signing_info(request)


# -- SigV2 query API and SigV3 --------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sigv2_query_api(method: str) -> None:
    params = {"Action": "ListDomains", "Version": "2009-04-15", "Name": "a b+c/ü~"}
    if method == "GET":
        request = AWSRequest(method="GET", url="http://sdb.kumo:4566/", params=params)
    else:
        request = AWSRequest(
            method="POST",
            url="http://sdb.kumo:4566/",
            data=params,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
    SigV2Auth(CREDENTIALS).add_auth(request)
    http = to_http_request(request)
    info = read_signing_info(http)
    assert info is not None and info.kind is SignatureKind.SIGV2
    assert info.access_key_id == ACCESS_KEY and info.date is not None
    verify_signature(http, info, SECRET_KEY, now=now())
    with pytest.raises(SignatureDoesNotMatch):
        verify_signature(http, info, "nope", now=now())
    with pytest.raises(RequestTimeTooSkewed):
        verify_signature(http, info, SECRET_KEY, now=now() + dt.timedelta(hours=1))
    if method == "POST":
        assert http.body.tell() == 0, "reading the form body must leave it rewound"


def test_sigv3() -> None:
    request = AWSRequest(method="GET", url="https://route53.kumo/2013-04-01/hostedzone")
    SigV3Auth(CREDENTIALS).add_auth(request)
    http = to_http_request(request)
    info = read_signing_info(http)
    assert info is not None and info.kind is SignatureKind.SIGV3
    verify_signature(http, info, SECRET_KEY, now=now())
    with pytest.raises(SignatureDoesNotMatch):
        verify_signature(http, info, "nope", now=now())
