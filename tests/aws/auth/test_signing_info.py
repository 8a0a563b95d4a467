"""Reading a signature without verifying it: every form, and garbage."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt

import pytest

from kumo.aws.auth import (
    AuthorizationHeaderMalformed,
    InvalidArgument,
    SignatureKind,
    read_signing_info,
)
from kumo.aws.errors import AccessDenied, IncompleteSignature, ServiceError
from kumo.aws.http import Body, Headers, HttpRequest
from tests.aws.auth.wire import capture, client

SIG = "a" * 64


def _request(
    headers: list[tuple[str, str]] | None = None,
    query: str = "",
    method: str = "GET",
    body: bytes = b"",
) -> HttpRequest:
    return HttpRequest(
        method=method,
        path="/",
        query_string=query,
        headers=Headers([("Host", "localhost"), *(headers or [])]),
        body=Body(body),
    )


def _v4(value: str, date: str | None = "20260101T120000Z") -> HttpRequest:
    headers = [("Authorization", value)]
    if date:
        headers.append(("X-Amz-Date", date))
    return _request(headers)


def test_sigv4_header() -> None:
    request = _v4(
        f"AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-central-1/sqs/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={SIG}"
    )
    request.headers.add("X-Amz-Security-Token", "tok")
    request.headers.add("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
    info = read_signing_info(request)
    assert info is not None
    assert info.kind is SignatureKind.SIGV4
    assert (info.access_key_id, info.region, info.service) == ("AKID", "eu-central-1", "sqs")
    assert info.date == dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    assert info.signed_headers == ("host", "x-amz-date")
    assert info.signature == SIG
    assert info.security_token == "tok"
    assert info.payload_hash == "UNSIGNED-PAYLOAD"
    assert info.credential_scope == "20260101/eu-central-1/sqs/aws4_request"
    assert info.timestamp == "20260101T120000Z"
    assert not info.is_presigned and not info.is_s3
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.region = "x"  # type: ignore[misc]


def test_sigv4_header_without_spaces_and_with_a_date_header() -> None:
    request = _request(
        [
            (
                "Authorization",
                f"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request,"
                f"SignedHeaders=host,Signature={SIG}",
            ),
            ("Date", "Thu, 01 Jan 2026 12:00:00 GMT"),
        ]
    )
    info = read_signing_info(request)
    assert info is not None and info.is_s3
    assert info.date == dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)


def test_botocore_request_info() -> None:
    request = capture(client("lambda", region="ap-south-1"), "list_functions")
    info = read_signing_info(request)
    assert info is not None
    assert (info.region, info.service) == ("ap-south-1", "lambda")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Bearer abc",
        "Basic dXNlcjpwYXNz",
        "AWS",
        "aws4-hmac-sha256 lowercase",
        "Digest username=x",
    ],
)
def test_not_an_aws_signature(value: str) -> None:
    assert read_signing_info(_v4(value)) is None


def test_no_authorization_at_all() -> None:
    assert read_signing_info(_request()) is None
    assert read_signing_info(_request(query="a=1&Signature=x")) is None
    assert read_signing_info(_request(query="X-Amz-Date=1")) is None


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (f"AWS4-HMAC-SHA256 SignedHeaders=host, Signature={SIG}", "'Credential'"),
        ("AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/sts/aws4_request", "'Signature'"),
        ("AWS4-HMAC-SHA256 garbage", "equal-sign"),
        (f"AWS4-HMAC-SHA256 Credential=AKID, SignedHeaders=host, Signature={SIG}", "scoped"),
        (
            f"AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/sts/aws5_request, "
            f"SignedHeaders=host, Signature={SIG}",
            "terminator",
        ),
        ("AWS4-HMAC-SHA512 Credential=x", "algorithm"),
    ],
)
def test_malformed_sigv4_header(value: str, fragment: str) -> None:
    with pytest.raises(IncompleteSignature) as caught:
        read_signing_info(_v4(value))
    assert fragment in caught.value.message


def test_missing_date() -> None:
    value = (
        f"AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/sts/aws4_request, "
        f"SignedHeaders=host, Signature={SIG}"
    )
    with pytest.raises(IncompleteSignature) as caught:
        read_signing_info(_v4(value, date=None))
    assert "'X-Amz-Date' or a 'Date' header" in caught.value.message
    with pytest.raises(IncompleteSignature) as caught:
        read_signing_info(_v4(value, date="yesterday"))
    assert "ISO-8601 'basic format'" in caught.value.message


def test_malformed_s3_header_uses_s3_errors() -> None:
    with pytest.raises(AuthorizationHeaderMalformed):
        read_signing_info(_v4("AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/s3/aws4_request"))
    value = (
        f"AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/s3/aws4_request, "
        f"SignedHeaders=host, Signature={SIG}"
    )
    with pytest.raises(AccessDenied):
        read_signing_info(_v4(value, date=None))


def test_sigv4a_header_is_read() -> None:
    request = _v4(
        f"AWS4-ECDSA-P256-SHA256 Credential=AKID/20260101/s3/aws4_request, "
        f"SignedHeaders=host;x-amz-region-set, Signature={SIG}"
    )
    request.headers.add("X-Amz-Region-Set", "us-west-2")
    info = read_signing_info(request)
    assert info is not None and info.kind is SignatureKind.SIGV4A
    assert (info.service, info.region) == ("s3", "us-west-2")


def test_sigv4a_cannot_be_verified() -> None:
    from kumo.aws.auth import verify_signature

    request = _v4(
        f"AWS4-ECDSA-P256-SHA256 Credential=AKID/20260101/s3/aws4_request, "
        f"SignedHeaders=host, Signature={SIG}"
    )
    info = read_signing_info(request)
    assert info is not None
    with pytest.raises(ServiceError) as caught:
        verify_signature(request, info, "secret", now=dt.datetime.now(dt.UTC))
    assert "SigV4A" in caught.value.message


def test_two_auth_mechanisms_are_refused() -> None:
    request = _v4(
        f"AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/s3/aws4_request, "
        f"SignedHeaders=host, Signature={SIG}"
    )
    request.query_string = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x"
    with pytest.raises(InvalidArgument) as caught:
        read_signing_info(request)
    assert caught.value.message.startswith("Only one auth mechanism allowed")


def test_s3_sigv2_query_with_bad_expires() -> None:
    with pytest.raises(AccessDenied):
        read_signing_info(_request(query="AWSAccessKeyId=A&Signature=s&Expires=soon"))


def test_sigv2_form_body_is_read_and_rewound() -> None:
    body = (
        b"Action=ListQueues&AWSAccessKeyId=AKID&SignatureVersion=2&Signature=abc%2B"
        b"&Timestamp=2026-01-01T00%3A00%3A00Z"
    )
    request = _request(
        [("Content-Type", "application/x-www-form-urlencoded")], method="POST", body=body
    )
    info = read_signing_info(request)
    assert info is not None and info.kind is SignatureKind.SIGV2
    assert info.signature == "abc+"
    assert info.date == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert request.body.read() == body


def test_unsigned_form_body_is_not_signed() -> None:
    request = _request(
        [("Content-Type", "application/x-www-form-urlencoded")],
        method="POST",
        body=b"Action=ListQueues&Version=2012-11-05",
    )
    assert read_signing_info(request) is None
    assert request.body.read() == b"Action=ListQueues&Version=2012-11-05"


@pytest.mark.parametrize(
    "garbage",
    [
        "AWS4-HMAC-SHA256 Credential=\x00\xff, SignedHeaders=;;;, Signature=",
        "AWS4-HMAC-SHA256 " + "Credential=" + "/" * 5000,
        "AWS4-HMAC-SHA256 ,,,,,,",
    ],
)
def test_garbage_never_crashes(garbage: str) -> None:
    with contextlib.suppress(ServiceError):
        read_signing_info(_v4(garbage))
