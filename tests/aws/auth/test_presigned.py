"""Presigned URLs: SigV4 (S3 and other services) and S3's SigV2 form."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.auth import S3SigV4QueryAuth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from kumo.aws.auth import (
    AuthorizationQueryParametersError,
    SignatureKind,
    read_signing_info,
    verify_signature,
)
from kumo.aws.errors import AccessDenied, SignatureDoesNotMatch
from kumo.aws.http import HttpRequest
from tests.aws.auth.wire import ACCESS_KEY, SECRET_KEY, client, now, presigned_request

S3V4 = {"signature_version": "s3v4"}
S3V2 = {"signature_version": "s3"}


def _presign(config: dict[str, Any], operation: str, expires: int = 3600, **params: Any) -> str:
    s3 = client("s3", **config)
    url: str = s3.generate_presigned_url(operation, Params=params, ExpiresIn=expires)
    return url


def _verify(request: HttpRequest, when: dt.datetime | None = None, **kwargs: Any) -> None:
    info = read_signing_info(request)
    assert info is not None
    verify_signature(request, info, SECRET_KEY, now=when or now(), **kwargs)


@pytest.mark.parametrize("config", [S3V4, S3V2, {}], ids=["s3v4", "s3", "default"])
@pytest.mark.parametrize(
    "key", ["plain.txt", "a b/c+d=e&f?.txt", "ü/✓/~!*'();:@$,", "../dots/./x"], ids=repr
)
def test_presigned_get_verifies(config: dict[str, Any], key: str) -> None:
    url = _presign(config, "get_object", Bucket="bucket", Key=key)
    _verify(presigned_request(url))


@pytest.mark.parametrize("config", [S3V4, S3V2], ids=["s3v4", "s3"])
def test_presigned_get_with_response_overrides_and_version(config: dict[str, Any]) -> None:
    url = _presign(
        config,
        "get_object",
        Bucket="bucket",
        Key="k",
        VersionId="v1",
        ResponseContentType="text/plain; charset=utf-8",
        ResponseContentDisposition='attachment; filename="a b.txt"',
    )
    _verify(presigned_request(url))


@pytest.mark.parametrize("config", [S3V4, S3V2], ids=["s3v4", "s3"])
def test_presigned_put_with_content_type(config: dict[str, Any]) -> None:
    url = _presign(config, "put_object", Bucket="bucket", Key="k", ContentType="image/png")
    request = presigned_request(url, "PUT", b"\x89PNG", {"Content-Type": "image/png"})
    _verify(request)


def test_presigned_put_body_is_not_signed() -> None:
    url = _presign(S3V4, "put_object", Bucket="bucket", Key="k")
    _verify(presigned_request(url, "PUT", b"any body at all"))


@pytest.mark.parametrize("config", [S3V4, S3V2], ids=["s3v4", "s3"])
def test_presigned_with_session_token(config: dict[str, Any]) -> None:
    s3 = client("s3", token="SESSION/TOKEN+=", **config)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
    request = presigned_request(url)
    info = read_signing_info(request)
    assert info is not None and info.security_token == "SESSION/TOKEN+="
    _verify(request)


def test_virtual_hosted_presigned_urls() -> None:
    for config in (S3V4, S3V2):
        s3 = client(
            "s3", endpoint="http://s3.kumo.test:4566", s3={"addressing_style": "virtual"}, **config
        )
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "bkt", "Key": "a/b c"})
        assert urlsplit(url).netloc == "bkt.s3.kumo.test:4566"
        bucket = "bkt" if config is S3V2 else None
        _verify(presigned_request(url), s3_bucket=bucket)


@pytest.mark.parametrize("config", [S3V4, S3V2], ids=["s3v4", "s3"])
def test_expired_presigned_url_is_denied(config: dict[str, Any]) -> None:
    url = _presign(config, "get_object", expires=60, Bucket="bucket", Key="k")
    _verify(presigned_request(url), now() + dt.timedelta(seconds=50))
    with pytest.raises(AccessDenied) as caught:
        _verify(presigned_request(url), now() + dt.timedelta(seconds=70))
    assert caught.value.message == "Request has expired"
    assert "ServerTime" in caught.value.fields


def test_presigned_url_from_the_future_is_not_valid_yet() -> None:
    url = _presign(S3V4, "get_object", Bucket="bucket", Key="k")
    with pytest.raises(AccessDenied) as caught:
        _verify(presigned_request(url), now() - dt.timedelta(hours=1))
    assert caught.value.message == "Request is not valid yet"


@pytest.mark.parametrize("config", [S3V4, S3V2], ids=["s3v4", "s3"])
def test_tampered_presigned_urls_fail(config: dict[str, Any]) -> None:
    url = _presign(config, "get_object", Bucket="bucket", Key="secret.txt")
    with pytest.raises(SignatureDoesNotMatch):
        _verify(presigned_request(url.replace("secret.txt", "other.txt")))
    with pytest.raises(SignatureDoesNotMatch):
        _verify(presigned_request(url, method="DELETE"))
    with pytest.raises(SignatureDoesNotMatch):
        _verify(presigned_request(url + "&versionId=1"))
    with pytest.raises(SignatureDoesNotMatch):
        verify_signature(
            presigned_request(url),
            _info(presigned_request(url)),
            "wrong-secret",
            now=now(),
        )


def test_presigned_v4_refuses_unsigned_amz_headers() -> None:
    url = _presign(S3V4, "put_object", Bucket="bucket", Key="k")
    request = presigned_request(url, "PUT", b"x", {"x-amz-acl": "public-read"})
    with pytest.raises(AccessDenied) as caught:
        _verify(request)
    assert caught.value.message == "There were headers present in the request which were not signed"


def test_presigned_v4_info() -> None:
    url = _presign(S3V4, "get_object", expires=120, Bucket="bucket", Key="k")
    info = _info(presigned_request(url))
    assert info.kind is SignatureKind.SIGV4_QUERY
    assert (info.access_key_id, info.region, info.service) == (ACCESS_KEY, "us-east-1", "s3")
    assert info.is_presigned
    assert info.date is not None and info.expires == info.date + dt.timedelta(seconds=120)
    assert info.signed_headers == ("host",)


def test_presigned_v2_info() -> None:
    url = _presign(S3V2, "get_object", expires=120, Bucket="bucket", Key="k")
    info = _info(presigned_request(url))
    assert info.kind is SignatureKind.S3_SIGV2_QUERY
    assert info.service == "s3" and info.region is None and info.date is None
    assert info.expires is not None
    assert abs((info.expires - now()).total_seconds() - 120) < 5


def test_presigned_expiry_longer_than_a_week_is_refused() -> None:
    url = _presign(S3V4, "get_object", Bucket="bucket", Key="k")
    query = parse_qs(urlsplit(url).query)
    long = url.replace(f"X-Amz-Expires={query['X-Amz-Expires'][0]}", "X-Amz-Expires=604801")
    with pytest.raises(AuthorizationQueryParametersError) as caught:
        read_signing_info(presigned_request(long))
    assert "604800" in caught.value.message


def test_presigned_v4_missing_parameters() -> None:
    url = _presign(S3V4, "get_object", Bucket="bucket", Key="k")
    query = urlsplit(url).query
    broken = "&".join(p for p in query.split("&") if not p.startswith("X-Amz-SignedHeaders"))
    request = presigned_request(url.split("?")[0] + "?" + broken)
    with pytest.raises(AuthorizationQueryParametersError):
        read_signing_info(request)


# -- presigned URLs of other services (SigV4 query, body hashed) ---------------------------


def test_presigned_sts_get_caller_identity() -> None:
    sts = client("sts")
    url = sts.generate_presigned_url(
        "get_caller_identity", Params={}, ExpiresIn=60, HttpMethod="GET"
    )
    request = presigned_request(url)
    info = _info(request)
    assert info.kind is SignatureKind.SIGV4_QUERY and info.service == "sts"
    _verify(request)
    with pytest.raises(AccessDenied):
        _verify(request, now() + dt.timedelta(minutes=5))


@pytest.mark.parametrize("signer", [SigV4QueryAuth, S3SigV4QueryAuth])
def test_python_query_signers(signer: type[SigV4QueryAuth]) -> None:
    service = "s3" if signer is S3SigV4QueryAuth else "execute-api"
    request = AWSRequest(method="GET", url="http://h:1/p%20a/t?b=2&a=1%2F")
    signer(Credentials(ACCESS_KEY, SECRET_KEY), service, "us-west-2", expires=30).add_auth(request)
    http = presigned_request(request.url)
    _verify(http)


def test_s3_documented_presigned_example() -> None:
    url = (
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    )
    request = presigned_request(url)
    info = _info(request)
    when = dt.datetime(2013, 5, 24, 1, tzinfo=dt.UTC)
    verify_signature(request, info, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", now=when)
    with pytest.raises(AccessDenied):
        verify_signature(
            request, info, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", now=when + dt.timedelta(1)
        )


def _info(request: HttpRequest) -> Any:
    info = read_signing_info(request)
    assert info is not None
    return info
