"""aws-chunked bodies: AWS's published examples, botocore's own encoder, hand-signed chains."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import os
from typing import Any

import pytest
from botocore.httpchecksum import _CHECKSUM_CLS, AwsChunkedWrapper

from kumo.aws.auth import (
    BadDigest,
    IncompleteBody,
    InvalidRequest,
    SignatureKind,
    checksums,
    decode_body,
    decode_payload,
    read_signing_info,
    verify_signature,
)
from kumo.aws.auth._errors import InvalidChunkSizeError
from kumo.aws.errors import SignatureDoesNotMatch
from kumo.aws.http import Body, Headers, HttpRequest
from tests.aws.auth.wire import SECRET_KEY, capture, client, now

EXAMPLE_KEY = "AKIAIOSFODNN7EXAMPLE"
EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
EXAMPLE_NOW = dt.datetime(2013, 5, 24, tzinfo=dt.UTC)
EMPTY = hashlib.sha256(b"").hexdigest()


def _take(body: Body) -> bytes:
    """The decoded body's bytes; the body is closed (it may be a temporary file)."""
    try:
        return body.read()
    finally:
        body.close()


# -- AWS's published chunked-upload examples ------------------------------------------------


def _example(trailer: bool, signatures: list[str], tail: bytes = b"") -> HttpRequest:
    """The PUT of 66560 bytes of "a" in chunks of 65536 and 1024 from the S3 docs."""
    if trailer:
        seed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
        signed = (
            "content-encoding;host;x-amz-content-sha256;x-amz-date;"
            "x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer"
        )
        marker = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
    else:
        seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
        signed = (
            "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
            "x-amz-decoded-content-length;x-amz-storage-class"
        )
        marker = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    body = (
        f"10000;chunk-signature={signatures[0]}\r\n".encode()
        + b"a" * 65536
        + f"\r\n400;chunk-signature={signatures[1]}\r\n".encode()
        + b"a" * 1024
        + f"\r\n0;chunk-signature={signatures[2]}\r\n".encode()
        + tail
        + b"\r\n"
    )
    headers = [
        ("Host", "s3.amazonaws.com"),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        (
            "Authorization",
            f"AWS4-HMAC-SHA256 Credential={EXAMPLE_KEY}/20130524/us-east-1/s3/aws4_request,"
            f"SignedHeaders={signed},Signature={seed}",
        ),
        ("x-amz-content-sha256", marker),
        ("Content-Encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "66560"),
    ]
    if trailer:
        headers.append(("x-amz-trailer", "x-amz-checksum-crc32c"))
    else:
        headers.append(("Content-Length", "66824"))
    return HttpRequest(
        method="PUT",
        path="/examplebucket/chunkObject.txt",
        headers=Headers(headers),
        body=Body(body),
    )


EXAMPLE_SIGNATURES = [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
]
TRAILER_SIGNATURES = [
    "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
    "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
    "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
]
TRAILER_TAIL = (
    b"x-amz-checksum-crc32c:sOO8/Q==\r\n"
    b"x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n"
)


def _check_example(request: HttpRequest) -> Any:
    info = read_signing_info(request)
    assert info is not None
    verify_signature(request, info, EXAMPLE_SECRET, now=EXAMPLE_NOW)
    return decode_payload(request, info, EXAMPLE_SECRET)


def test_documented_signed_chunks_decode() -> None:
    payload = _check_example(_example(False, EXAMPLE_SIGNATURES))
    assert _take(payload.body) == b"a" * 66560
    assert payload.aws_chunked and payload.content_encoding is None


def test_documented_signed_chunks_with_trailer_decode() -> None:
    payload = _check_example(_example(True, TRAILER_SIGNATURES, TRAILER_TAIL))
    assert _take(payload.body) == b"a" * 66560
    assert payload.client_checksum == ("crc32c", "sOO8/Q==")
    assert payload.trailers == {"x-amz-checksum-crc32c": "sOO8/Q=="}


def test_a_wrong_chunk_signature_fails() -> None:
    bad = [EXAMPLE_SIGNATURES[0], "0" * 64, EXAMPLE_SIGNATURES[2]]
    with pytest.raises(SignatureDoesNotMatch):
        _check_example(_example(False, bad))


def test_chunks_in_the_wrong_order_fail() -> None:
    swapped = [EXAMPLE_SIGNATURES[1], EXAMPLE_SIGNATURES[0], EXAMPLE_SIGNATURES[2]]
    with pytest.raises(SignatureDoesNotMatch):
        _check_example(_example(False, swapped))


def test_a_changed_chunk_byte_fails() -> None:
    request = _example(False, EXAMPLE_SIGNATURES)
    data = bytearray(request.body.readall())
    data[1000] = ord("b")
    request.body = Body(bytes(data))
    with pytest.raises(SignatureDoesNotMatch):
        _check_example(request)


def test_a_changed_trailer_fails() -> None:
    tail = TRAILER_TAIL.replace(b"sOO8/Q==", b"AAAAAA==")
    with pytest.raises(SignatureDoesNotMatch):
        _check_example(_example(True, TRAILER_SIGNATURES, tail))


def test_a_missing_trailer_signature_fails() -> None:
    with pytest.raises(SignatureDoesNotMatch):
        _check_example(_example(True, TRAILER_SIGNATURES, b"x-amz-checksum-crc32c:sOO8/Q==\r\n"))


def test_without_a_secret_chunks_decode_unverified() -> None:
    request = _example(False, ["0" * 64] * 3)
    info = read_signing_info(request)
    assert _take(decode_body(request, info, None)) == b"a" * 66560
    assert _take(decode_body(_example(False, ["0" * 64] * 3), None, None)) == b"a" * 66560


# -- botocore's encoder ----------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", sorted(_CHECKSUM_CLS))
@pytest.mark.parametrize("size", [0, 1, 1024 * 1024, 2 * 1024 * 1024 + 17])
def test_botocore_aws_chunked_wrapper_decodes(algorithm: str, size: int) -> None:
    data = os.urandom(size)
    header = f"x-amz-checksum-{algorithm}"
    wrapper = AwsChunkedWrapper(
        io.BytesIO(data), checksum_cls=_CHECKSUM_CLS[algorithm], checksum_name=header
    )
    request = _unsigned_trailer_request(wrapper.read(), header, size)
    payload = decode_payload(request, None, None)
    assert _take(payload.body) == data
    assert payload.client_checksum is not None and payload.client_checksum[0] == algorithm
    assert payload.checksums[algorithm] == checksums.compute(data, [algorithm])[algorithm]


def test_botocore_wrapper_without_checksum() -> None:
    encoded = AwsChunkedWrapper(io.BytesIO(b"hello"), chunk_size=2).read()
    request = HttpRequest(
        method="PUT",
        path="/b/k",
        headers=Headers([("Content-Encoding", "gzip,aws-chunked"), ("Host", "h")]),
        body=Body(encoded),
    )
    payload = decode_payload(request, None, None)
    assert _take(payload.body) == b"hello"
    assert payload.content_encoding == "gzip"


def test_a_wrong_trailing_checksum_is_bad_digest() -> None:
    encoded = AwsChunkedWrapper(
        io.BytesIO(b"hello"),
        checksum_cls=_CHECKSUM_CLS["crc32"],
        checksum_name="x-amz-checksum-crc32",
    ).read()
    encoded = encoded.replace(b"hello", b"jello")
    with pytest.raises(BadDigest) as caught:
        decode_body(_unsigned_trailer_request(encoded, "x-amz-checksum-crc32", 5), None, None)
    assert caught.value.message == "The CRC32 you specified did not match the calculated checksum."


def test_a_declared_trailer_that_never_comes() -> None:
    encoded = AwsChunkedWrapper(io.BytesIO(b"hello")).read()
    with pytest.raises(InvalidRequest):
        decode_body(_unsigned_trailer_request(encoded, "x-amz-checksum-crc32", 5), None, None)


def test_decoded_length_must_match() -> None:
    encoded = AwsChunkedWrapper(io.BytesIO(b"hello")).read()
    request = _unsigned_trailer_request(encoded, None, 6)
    with pytest.raises(IncompleteBody):
        decode_body(request, None, None)


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"])
def test_boto3_put_object_over_https_sends_an_unsigned_trailer(algorithm: str) -> None:
    s3 = client("s3", endpoint="https://localhost:4566")
    data = os.urandom(300_000)
    request = capture(
        s3, "put_object", Bucket="b", Key="k", Body=io.BytesIO(data), ChecksumAlgorithm=algorithm
    )
    assert request.headers["x-amz-content-sha256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    info = read_signing_info(request)
    assert info is not None and info.kind is SignatureKind.SIGV4
    verify_signature(request, info, SECRET_KEY, now=now())
    payload = decode_payload(request, info, SECRET_KEY, digests=("md5",))
    assert _take(payload.body) == data
    assert payload.client_checksum is not None
    assert payload.client_checksum[0] == algorithm.lower()
    assert payload.hexdigest("md5") == hashlib.md5(data).hexdigest()


def test_boto3_upload_part_over_https() -> None:
    s3 = client("s3", endpoint="https://localhost:4566")
    data = os.urandom(5000)
    request = capture(s3, "upload_part", Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=data)
    info = read_signing_info(request)
    assert info is not None
    verify_signature(request, info, SECRET_KEY, now=now())
    assert _take(decode_body(request, info, SECRET_KEY)) == data


# -- hand-signed chains ----------------------------------------------------------------------


def _signing_key(day: str, region: str, service: str) -> bytes:
    key = f"AWS4{SECRET_KEY}".encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _sign_chunks(
    request: HttpRequest, parts: list[bytes], trailers: dict[str, str] | None = None
) -> bytes:
    """Encode ``parts`` as signed aws-chunked data, chained from the request's signature."""
    info = read_signing_info(request)
    assert info is not None
    key = _signing_key(info.scope_date or "", info.region or "", info.service or "")
    head = f"{info.timestamp}\n{info.credential_scope}\n"
    previous = info.signature
    out = bytearray()
    for part in [*parts, b""]:
        to_sign = (
            f"AWS4-HMAC-SHA256-PAYLOAD\n{head}{previous}\n{EMPTY}\n"
            f"{hashlib.sha256(part).hexdigest()}"
        )
        previous = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        out += f"{len(part):x};chunk-signature={previous}\r\n".encode() + part
        if part:
            out += b"\r\n"
    if trailers is not None:
        canonical = "".join(f"{k}:{v}\n" for k, v in trailers.items())
        to_sign = (
            f"AWS4-HMAC-SHA256-TRAILER\n{head}{previous}\n"
            f"{hashlib.sha256(canonical.encode()).hexdigest()}"
        )
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        for k, v in trailers.items():
            out += f"{k}:{v}\r\n".encode()
        out += f"x-amz-trailer-signature:{signature}\r\n".encode()
    out += b"\r\n"
    return bytes(out)


def _streaming_request(marker: str, size: int, trailer: str | None = None) -> HttpRequest:
    headers = {
        "x-amz-content-sha256": marker,
        "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(size),
    }
    if trailer:
        headers["x-amz-trailer"] = trailer
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from tests.aws.auth.wire import ACCESS_KEY, to_http_request

    aws = AWSRequest(method="PUT", url="http://localhost:4566/b/big", headers=headers)

    class _KeepMarker(S3SigV4Auth):
        def payload(self, request: AWSRequest) -> str:
            return marker

    _KeepMarker(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "us-east-1").add_auth(aws)
    return to_http_request(aws)


def test_many_signed_chunks_stream_through() -> None:
    parts = [os.urandom(64 * 1024) for _ in range(40)] + [os.urandom(100)]
    data = b"".join(parts)
    request = _streaming_request("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", len(data))
    request.body = Body(_sign_chunks(request, parts))
    info = read_signing_info(request)
    assert info is not None
    verify_signature(request, info, SECRET_KEY, now=now())
    payload = decode_payload(request, info, SECRET_KEY, digests=("md5", "crc64nvme"))
    assert _take(payload.body) == data
    assert payload.hexdigest("md5") == hashlib.md5(data).hexdigest()
    assert payload.checksums["crc64nvme"] == checksums.compute(data, ["crc64nvme"])["crc64nvme"]


def test_signed_chunks_with_a_signed_sha256_trailer() -> None:
    parts = [b"x" * 9000, b"y" * 10]
    data = b"".join(parts)
    value = checksums.compute(data, ["sha256"])["sha256"]
    request = _streaming_request(
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", len(data), "x-amz-checksum-sha256"
    )
    request.body = Body(_sign_chunks(request, parts, {"x-amz-checksum-sha256": value}))
    info = read_signing_info(request)
    assert info is not None
    verify_signature(request, info, SECRET_KEY, now=now())
    payload = decode_payload(request, info, SECRET_KEY)
    assert _take(payload.body) == data
    assert payload.client_checksum == ("sha256", value)


def test_signed_trailer_with_a_wrong_checksum_is_bad_digest() -> None:
    request = _streaming_request(
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", 5, "x-amz-checksum-crc32"
    )
    wrong = checksums.compute(b"other", ["crc32"])["crc32"]
    request.body = Body(_sign_chunks(request, [b"hello"], {"x-amz-checksum-crc32": wrong}))
    info = read_signing_info(request)
    with pytest.raises(BadDigest):
        decode_body(request, info, SECRET_KEY)


def test_signed_chunks_smaller_than_8k_are_refused_unless_last() -> None:
    parts = [b"a" * 100, b"b" * 100]
    request = _streaming_request("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", 200)
    request.body = Body(_sign_chunks(request, parts))
    info = read_signing_info(request)
    with pytest.raises(InvalidChunkSizeError) as caught:
        decode_body(request, info, SECRET_KEY)
    assert caught.value.fields == {"Chunk": "1", "BadChunkSize": "100"}


# -- malformed bodies ------------------------------------------------------------------------


def _unsigned_trailer_request(body: bytes, trailer: str | None, size: int) -> HttpRequest:
    headers = [
        ("Host", "localhost"),
        ("Content-Encoding", "aws-chunked"),
        ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
        ("x-amz-decoded-content-length", str(size)),
    ]
    if trailer:
        headers.append(("x-amz-trailer", trailer))
    return HttpRequest(method="PUT", path="/b/k", headers=Headers(headers), body=Body(body))


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", IncompleteBody),
        (b"5\r\nhel", IncompleteBody),
        (b"5\r\nhello", IncompleteBody),
        (b"zz\r\nhello\r\n0\r\n\r\n", InvalidRequest),
        (b"0x5\r\nhello\r\n0\r\n\r\n", InvalidRequest),
        (b"-5\r\nhello\r\n0\r\n\r\n", InvalidRequest),
        (b"3\r\nhello\r\n0\r\n\r\n", InvalidRequest),
        (b"5" * 20000, InvalidRequest),
        (b"5\r\nhello\r\n0\r\nno-colon\r\n\r\n", InvalidRequest),
    ],
)
def test_malformed_chunked_bodies(body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode_body(_unsigned_trailer_request(body, None, 5), None, None)


def test_lenient_endings_are_accepted() -> None:
    for body in (b"5\r\nhello\r\n0\r\n", b"5\nhello\n0\n\n", b"5;ext=1\r\nhello\r\n0\r\n\r\n"):
        request = _unsigned_trailer_request(body, None, 5)
        assert _take(decode_body(request, None, None)) == b"hello"
