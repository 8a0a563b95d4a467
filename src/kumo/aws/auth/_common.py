"""Pieces every signature version shares: the time window, constant-time comparison, the
SHA-256 of a body, and the errors for a signature that does not match."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from kumo.aws.auth._errors import SIGNATURE_MISMATCH_MESSAGE
from kumo.aws.errors import RequestTimeTooSkewed, SignatureDoesNotMatch
from kumo.aws.http import Body

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
_READ_SIZE = 1024 * 1024
_AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


def same(provided: str, expected: str) -> bool:
    """Constant-time equality of two signatures."""
    return hmac.compare_digest(provided.encode("utf-8", "replace"), expected.encode("ascii"))


def body_sha256(body: Body) -> str:
    """Hex SHA-256 of the whole body, read in pieces; the position is restored."""
    start = body.tell()
    body.seek(0)
    digest = hashlib.sha256()
    while chunk := body.read(_READ_SIZE):
        digest.update(chunk)
    body.seek(start)
    return digest.hexdigest()


def iso_basic(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime(_AMZ_DATE_FORMAT)


def iso_extended(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_skew(
    signed_at: dt.datetime, now: dt.datetime, skew_seconds: int, *, s3: bool, sent: str
) -> None:
    """``RequestTimeTooSkewed`` when the signing time is outside ``now ± skew_seconds``.

    S3 words it as S3 does; the other services say the signature expired or is not yet
    current, as their endpoints do.
    """
    window = dt.timedelta(seconds=skew_seconds)
    if abs(now - signed_at) <= window:
        return
    if s3:
        raise RequestTimeTooSkewed(
            "The difference between the request time and the current time is too large.",
            RequestTime=sent,
            ServerTime=iso_extended(now),
            MaxAllowedSkewMilliseconds=str(skew_seconds * 1000),
        )
    minutes = f"{skew_seconds // 60} min." if skew_seconds % 60 == 0 else f"{skew_seconds} sec."
    stamp = iso_basic(signed_at)
    if signed_at < now:
        raise RequestTimeTooSkewed(
            f"Signature expired: {stamp} is now earlier than {iso_basic(now - window)} "
            f"({iso_basic(now)} - {minutes})"
        )
    raise RequestTimeTooSkewed(
        f"Signature not yet current: {stamp} is still later than {iso_basic(now + window)} "
        f"({iso_basic(now)} + {minutes})"
    )


def mismatch(**fields: Any) -> SignatureDoesNotMatch:
    """The error for a signature that does not match; S3 adds what it computed."""
    return SignatureDoesNotMatch(SIGNATURE_MISMATCH_MESSAGE, **fields)
