"""Plain (not aws-chunked) bodies: the declared SHA-256, Content-MD5 and checksum headers."""

from __future__ import annotations

import base64
import hashlib

import pytest

from kumo.aws.auth import (
    BadDigest,
    InvalidArgument,
    InvalidDigest,
    InvalidRequest,
    XAmzContentSHA256Mismatch,
    checksums,
    decode_body,
    decode_payload,
    read_signing_info,
    stored_content_encoding,
    verify_signature,
)
from kumo.aws.http import Body, Headers, HttpRequest
from tests.aws.auth.wire import SECRET_KEY, capture, client, now

DATA = b"The quick brown fox jumps over the lazy dog"


def _request(**headers: str) -> HttpRequest:
    body = DATA
    pairs = [("Host", "localhost")] + [(k.replace("_", "-"), v) for k, v in headers.items()]
    return HttpRequest(method="PUT", path="/b/k", headers=Headers(pairs), body=Body(body))


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def test_a_plain_body_is_returned_as_is_and_rewound() -> None:
    request = _request()
    request.body.read(5)
    body = decode_body(request, None, None)
    assert body is request.body
    assert body.read() == DATA


def test_boto3_put_object_body_is_checked_and_kept() -> None:
    request = capture(client("s3"), "put_object", Bucket="b", Key="k", Body=DATA)
    info = read_signing_info(request)
    assert info is not None
    verify_signature(request, info, SECRET_KEY, now=now())
    payload = decode_payload(request, info, SECRET_KEY, digests=["MD5"])
    assert payload.body is request.body
    assert payload.client_checksum == ("crc32", request.headers["x-amz-checksum-crc32"])
    assert payload.hexdigest("md5") == hashlib.md5(DATA).hexdigest()
    assert not payload.aws_chunked


def test_a_body_that_differs_from_its_declared_sha256() -> None:
    request = capture(client("s3"), "put_object", Bucket="b", Key="k", Body=DATA)
    request.body = Body(DATA.upper())
    info = read_signing_info(request)
    assert info is not None
    verify_signature(request, info, SECRET_KEY, now=now())  # the header itself is signed
    with pytest.raises(XAmzContentSHA256Mismatch) as caught:
        decode_body(request, info, SECRET_KEY)
    assert caught.value.message == (
        "The provided 'x-amz-content-sha256' header does not match what was computed."
    )
    assert (
        caught.value.fields["S3ComputedContentSHA256"] == hashlib.sha256(DATA.upper()).hexdigest()
    )


def test_an_invalid_declared_sha256() -> None:
    with pytest.raises(InvalidArgument) as caught:
        decode_body(_request(x_amz_content_sha256="abc"), None, None)
    assert caught.value.message.startswith("x-amz-content-sha256 must be UNSIGNED-PAYLOAD")


def test_unsigned_payload_is_not_checked() -> None:
    body = decode_body(_request(x_amz_content_sha256="UNSIGNED-PAYLOAD"), None, None)
    assert body.read() == DATA


def test_content_md5() -> None:
    assert decode_body(_request(content_md5=_md5(DATA)), None, None).read() == DATA
    with pytest.raises(BadDigest) as caught:
        decode_body(_request(content_md5=_md5(b"other")), None, None)
    assert caught.value.message == "The Content-MD5 you specified did not match what we received."
    for invalid in ("not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(InvalidDigest):
            decode_body(_request(content_md5=invalid), None, None)


@pytest.mark.parametrize("algorithm", checksums.ALGORITHMS)
def test_checksum_headers(algorithm: str) -> None:
    value = checksums.compute(DATA, [algorithm])[algorithm]
    header = {f"x_amz_checksum_{algorithm}": value}
    payload = decode_payload(_request(**header), None, None)
    assert payload.client_checksum == (algorithm, value)
    wrong = checksums.compute(b"x", [algorithm])[algorithm]
    with pytest.raises(BadDigest) as caught:
        decode_body(_request(**{f"x_amz_checksum_{algorithm}": wrong}), None, None)
    name = algorithm.upper()
    assert (
        caught.value.message == f"The {name} you specified did not match the calculated checksum."
    )


def test_an_invalid_checksum_value() -> None:
    with pytest.raises(InvalidRequest) as caught:
        decode_body(_request(x_amz_checksum_crc32="AAAA"), None, None)
    assert caught.value.message == "Value for x-amz-checksum-crc32 header is invalid."


def test_several_checksum_headers_are_refused() -> None:
    values = checksums.compute(DATA, ["crc32", "sha1"])
    with pytest.raises(InvalidRequest) as caught:
        decode_body(
            _request(x_amz_checksum_crc32=values["crc32"], x_amz_checksum_sha1=values["sha1"]),
            None,
            None,
        )
    assert "Multiple checksum Types are not allowed" in caught.value.message


def test_sdk_algorithm_needs_its_checksum() -> None:
    with pytest.raises(InvalidRequest):
        decode_body(_request(x_amz_sdk_checksum_algorithm="CRC32"), None, None)
    with pytest.raises(InvalidRequest):
        decode_body(_request(x_amz_sdk_checksum_algorithm="ADLER32"), None, None)


def test_an_unknown_trailer_is_refused() -> None:
    with pytest.raises(InvalidRequest):
        decode_body(_request(x_amz_trailer="x-amz-meta-foo"), None, None)


def test_checksum_mode_and_type_headers_are_not_checksums() -> None:
    request = _request(x_amz_checksum_type="FULL_OBJECT", x_amz_checksum_algorithm="CRC32")
    assert decode_payload(request, None, None).client_checksum is None


def test_stored_content_encoding() -> None:
    assert stored_content_encoding(None) is None
    assert stored_content_encoding("aws-chunked") is None
    assert stored_content_encoding("gzip, aws-chunked") == "gzip"
    assert stored_content_encoding("aws-chunked,br,gzip") == "br,gzip"
