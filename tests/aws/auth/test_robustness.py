"""Garbage in never crashes: reading signatures and decoding bodies raise only AWS errors,
and decoding a large body takes constant memory."""

from __future__ import annotations

import contextlib
import os
import tempfile
import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st

from kumo.aws.auth import decode_body, read_signing_info
from kumo.aws.errors import ServiceError
from kumo.aws.http import Body, Headers, HttpRequest

_HEADER_NAMES = st.sampled_from(
    [
        "Authorization",
        "X-Amz-Date",
        "Date",
        "X-Amz-Content-Sha256",
        "Content-Encoding",
        "X-Amz-Trailer",
        "X-Amz-Decoded-Content-Length",
        "X-Amz-Checksum-Crc32",
        "X-Amzn-Authorization",
        "Content-Type",
        "Content-MD5",
    ]
)
_VALUES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/s3/aws4_request, "
            "SignedHeaders=host, Signature=abc",
            "AWS a:b",
            "AWS3-HTTPS AWSAccessKeyId=a,Signature=b",
            "aws-chunked",
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "x-amz-checksum-crc32",
            "20260101T000000Z",
            "application/x-www-form-urlencoded",
        ]
    ),
)
_QUERIES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb",
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20260101%2Fus-east-1%2Fs3"
            "%2Faws4_request&X-Amz-Date=x&X-Amz-SignedHeaders=host&X-Amz-Signature=s"
            "&X-Amz-Expires=-1",
            "AWSAccessKeyId=a&Signature=b&Expires=99999999999999999999",
            "AWSAccessKeyId=a&Signature=b&SignatureVersion=2&Timestamp=zz",
        ]
    ),
)


def _request(headers: list[tuple[str, str]], query: str, body: bytes) -> HttpRequest:
    return HttpRequest(
        method="POST", path="/", query_string=query, headers=Headers(headers), body=Body(body)
    )


@settings(max_examples=300)
@given(st.lists(st.tuples(_HEADER_NAMES, _VALUES), max_size=6), _QUERIES, st.binary(max_size=64))
def test_reading_signatures_never_crashes(
    headers: list[tuple[str, str]], query: str, body: bytes
) -> None:
    with contextlib.suppress(ServiceError):
        read_signing_info(_request(headers, query, body))


_CHUNKED_BODIES = st.one_of(
    st.binary(max_size=200),
    st.lists(
        st.sampled_from(
            [b"5\r\n", b"hello", b"\r\n", b"0\r\n", b"0;chunk-signature=ab\r\n", b"x-amz-a:b\r\n"]
        ),
        max_size=10,
    ).map(b"".join),
)


@settings(max_examples=300)
@given(st.lists(st.tuples(_HEADER_NAMES, _VALUES), max_size=6), _CHUNKED_BODIES)
def test_decoding_bodies_never_crashes(headers: list[tuple[str, str]], body: bytes) -> None:
    request = _request([("Content-Encoding", "aws-chunked"), *headers], "", body)
    with contextlib.suppress(ServiceError):
        decode_body(request, None, None).close()


def test_decoding_a_large_body_takes_constant_memory() -> None:
    chunk = os.urandom(1024 * 1024)
    size = 24 * len(chunk)
    with tempfile.TemporaryFile() as source:
        for _ in range(24):
            source.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        source.write(b"0\r\n\r\n")
        source.seek(0)
        request = _request(
            [
                ("Content-Encoding", "aws-chunked"),
                ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
                ("x-amz-decoded-content-length", str(size)),
            ],
            "",
            b"",
        )
        request.body = Body(source)
        tracemalloc.start()
        try:
            decoded = decode_body(request, None, None)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 8 * 1024 * 1024, f"peak {peak} bytes for a {size}-byte body"
        assert decoded.size() == size
        decoded.seek(size - len(chunk))
        assert decoded.read() == chunk
        decoded.close()
