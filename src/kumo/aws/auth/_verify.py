"""Verifying a request's signature against the secret key of the access key it names."""

from __future__ import annotations

import datetime as dt

from kumo.aws.auth._info import SignatureKind, SigningInfo
from kumo.aws.auth._sigv2 import verify_s3_v2, verify_v2_query, verify_v3
from kumo.aws.auth._sigv4 import verify_v4
from kumo.aws.errors import SignatureDoesNotMatch
from kumo.aws.http import HttpRequest

DEFAULT_SKEW_SECONDS = 15 * 60


def verify_signature(
    request: HttpRequest,
    info: SigningInfo,
    secret_key: str,
    *,
    now: dt.datetime,
    skew_seconds: int = DEFAULT_SKEW_SECONDS,
    s3_bucket: str | None = None,
) -> None:
    """Check that ``info`` (read from ``request``) is a valid signature made with
    ``secret_key``; raise the error AWS returns when it is not.

    ``now`` is an aware datetime. Header signatures must be within ``skew_seconds`` of it;
    presigned URLs until they expire. A SigV4 payload hash the client declared in
    ``x-amz-content-sha256`` is trusted here: :func:`decode_body` checks it against the
    body (and verifies aws-chunked chunk signatures), so call it after this.

    ``s3_bucket`` is the bucket of a virtual-hosted S3 request (``bucket.s3.host``); S3's
    SigV2 signs the path-style resource ``/bucket/key``, which the request path lacks.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    kind = info.kind
    if kind in (SignatureKind.SIGV4, SignatureKind.SIGV4_QUERY):
        verify_v4(request, info, secret_key, now=now, skew_seconds=skew_seconds)
    elif kind in (SignatureKind.S3_SIGV2, SignatureKind.S3_SIGV2_QUERY):
        verify_s3_v2(
            request, info, secret_key, now=now, skew_seconds=skew_seconds, s3_bucket=s3_bucket
        )
    elif kind is SignatureKind.SIGV2:
        verify_v2_query(request, info, secret_key, now=now, skew_seconds=skew_seconds)
    elif kind is SignatureKind.SIGV3:
        verify_v3(request, info, secret_key, now=now, skew_seconds=skew_seconds)
    elif kind in (SignatureKind.S3_POST_SIGV4, SignatureKind.S3_POST_SIGV2):
        raise ValueError("verify a POST upload's policy with verify_post_policy()")
    else:
        raise SignatureDoesNotMatch(
            "kumo cannot verify SigV4A (AWS4-ECDSA-P256-SHA256) signatures; "
            "sign the request with SigV4 (AWS4-HMAC-SHA256).",
        )
