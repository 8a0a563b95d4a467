"""Signature Version 4: the canonical request, the signing key, and verification of the
``Authorization`` header and presigned URLs.

The canonical request is rebuilt from the request as received, the way the client built it:
S3 signs its path as sent, every other service normalizes the path and URI-encodes it a
second time. Clients differ in small ways (the CRT signer re-encodes query parameters,
botocore's pure-Python signer sorts them as sent), so a few canonical forms are tried in
turn, the standard one first; each is one SHA-256 and one HMAC. Every form is a faithful
reading of the same request (same decoded path and query), so trying several never lets a
signature stand for a request that kumo would read differently.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from kumo.aws.auth._common import (
    EMPTY_SHA256,
    body_sha256,
    check_skew,
    iso_extended,
    mismatch,
    same,
)
from kumo.aws.auth._errors import (
    AuthorizationHeaderMalformed,
    AuthorizationQueryParametersError,
    InvalidRequest,
)
from kumo.aws.auth._info import ALGORITHM_V4, UNSIGNED_PAYLOAD, SignatureKind, SigningInfo
from kumo.aws.errors import AccessDenied, SignatureDoesNotMatch
from kumo.aws.http import HttpRequest

# x-amz-* headers an S3 request may carry without signing them.
_S3_UNSIGNED_AMZ_OK = frozenset(
    {"x-amz-content-sha256", "x-amz-date", "x-amz-security-token", "x-amz-signature"}
)


@functools.lru_cache(maxsize=512)
def signing_key(secret_key: str, scope_date: str, region: str, service: str) -> bytes:
    """The derived key of one credential scope (cached: it changes once a day)."""
    key = hmac.new(f"AWS4{secret_key}".encode(), scope_date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def sign(key: bytes, string_to_sign: str) -> str:
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def string_to_sign(info: SigningInfo, canonical_request: str) -> str:
    digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    return f"{ALGORITHM_V4}\n{info.timestamp}\n{info.credential_scope}\n{digest}"


def verify_v4(
    request: HttpRequest,
    info: SigningInfo,
    secret_key: str,
    *,
    now: dt.datetime,
    skew_seconds: int,
) -> None:
    """Verify a SigV4 ``Authorization`` header or presigned URL; raise as AWS does."""
    assert info.date is not None and info.scope_date and info.region and info.service
    _check_scope_date(info)
    _check_time(info, now, skew_seconds)
    if info.is_s3:
        _check_s3_headers(request, info)
    payload = _payload_hash(request, info)
    signed_headers = ";".join(info.signed_headers)
    headers = canonical_headers(request, info.signed_headers)
    key = signing_key(secret_key, info.scope_date, info.region, info.service)
    first: tuple[str, str] | None = None
    for uri, query in _candidates(request, info):
        canonical = f"{request.method}\n{uri}\n{query}\n{headers}\n{signed_headers}\n{payload}"
        to_sign = string_to_sign(info, canonical)
        if same(info.signature, sign(key, to_sign)):
            return
        if first is None:
            first = (canonical, to_sign)
    assert first is not None
    if not info.is_s3:
        raise mismatch()
    canonical, to_sign = first
    raise mismatch(
        AWSAccessKeyId=info.access_key_id,
        StringToSign=to_sign,
        SignatureProvided=info.signature,
        StringToSignBytes=_spaced_hex(to_sign),
        CanonicalRequest=canonical,
        CanonicalRequestBytes=_spaced_hex(canonical),
    )


def _check_scope_date(info: SigningInfo) -> None:
    assert info.date is not None
    day = info.date.strftime("%Y%m%d")
    if info.scope_date == day:
        return
    if info.is_s3 and info.kind is SignatureKind.SIGV4_QUERY:
        raise AuthorizationQueryParametersError(
            f'Invalid credential date "{info.scope_date}". This date is not the same as '
            f'X-Amz-Date: "{day}".',
        )
    if info.is_s3:
        raise AuthorizationHeaderMalformed(
            "The authorization header is malformed; Invalid credential date. "
            "Date is not the same as X-Amz-Date.",
        )
    raise SignatureDoesNotMatch(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
        f"from HTTP: '{info.scope_date}' != '{day}', from '{info.timestamp}'."
    )


def _check_time(info: SigningInfo, now: dt.datetime, skew_seconds: int) -> None:
    assert info.date is not None
    if info.kind is not SignatureKind.SIGV4_QUERY or info.expires is None:
        check_skew(info.date, now, skew_seconds, s3=info.is_s3, sent=info.timestamp)
        return
    if now > info.expires:
        seconds = int((info.expires - info.date).total_seconds())
        details: dict[str, Any] = {
            "X-Amz-Expires": str(seconds),
            "Expires": iso_extended(info.expires),
            "ServerTime": iso_extended(now),
        }
        raise AccessDenied("Request has expired", **details)
    if info.date - now > dt.timedelta(seconds=skew_seconds):
        raise AccessDenied("Request is not valid yet")


def _check_s3_headers(request: HttpRequest, info: SigningInfo) -> None:
    """S3 wants the payload hash in a header, and refuses ``x-amz-*`` headers that the
    signature does not cover: a presigned URL must not let its holder add ``x-amz-acl``."""
    if info.kind is SignatureKind.SIGV4 and "x-amz-content-sha256" not in request.headers:
        raise InvalidRequest("Missing required header for this request: x-amz-content-sha256")
    signed = {h.lower() for h in info.signed_headers}
    unsigned = sorted(
        name.lower()
        for name in request.headers
        if name.lower().startswith("x-amz-")
        and name.lower() not in signed
        and name.lower() not in _S3_UNSIGNED_AMZ_OK
    )
    if unsigned:
        raise AccessDenied(
            "There were headers present in the request which were not signed",
            HeadersNotSigned=", ".join(unsigned),
        )


def _payload_hash(request: HttpRequest, info: SigningInfo) -> str:
    if info.payload_hash:
        return info.payload_hash
    if info.kind is SignatureKind.SIGV4_QUERY and info.is_s3:
        return UNSIGNED_PAYLOAD
    if request.body.size() == 0:
        return EMPTY_SHA256
    return body_sha256(request.body)


def canonical_headers(request: HttpRequest, names: tuple[str, ...]) -> str:
    """The canonical header block (each line ends with a newline)."""
    lines = []
    for name in names:
        values = request.headers.get_all(name)
        lines.append(f"{name}:{','.join(' '.join(v.split()) for v in values)}\n")
    return "".join(lines)


def _candidates(request: HttpRequest, info: SigningInfo) -> Iterator[tuple[str, str]]:
    """``(canonical URI, canonical query)`` forms to try, the standard one first."""
    presigned = info.kind is SignatureKind.SIGV4_QUERY
    uris = _uri_forms(request.raw_path, s3=info.is_s3)
    queries = _query_forms(request.query_string, drop_signature=presigned)
    seen: set[tuple[str, str]] = set()
    for query in queries:
        for uri in uris:
            if (uri, query) not in seen:
                seen.add((uri, query))
                yield uri, query


def _uri_forms(raw_path: str, *, s3: bool) -> list[str]:
    path = raw_path.split("?", 1)[0] or "/"
    if not s3:
        return [quote(normalize_path(path), safe="/~")]
    # S3 signs the path as the client encoded it; a client whose HTTP stack re-encodes
    # after signing signed the strict encoding of the same decoded segments.
    strict = "/".join(quote(unquote_to_bytes(segment), safe="~") for segment in path.split("/"))
    return _unique([path, strict])


def normalize_path(path: str) -> str:
    """Remove ``.``/``..`` segments and empty segments (RFC 3986 and SigV4's rule)."""
    if not path:
        return "/"
    out: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if out:
                out.pop()
            continue
        out.append(segment)
    normalized = "/" + "/".join(out)
    if path.endswith("/") and out:
        normalized += "/"
    return normalized


def _query_forms(query: str, *, drop_signature: bool) -> list[str]:
    """The canonical query: each name and value decoded (``+`` is a space, as the query is
    parsed) and strictly re-encoded, sorted; then the pairs as sent, sorted, which is what
    botocore's pure-Python signer signs. Both read the query the way kumo parses it, so a
    signature never carries over to a query that means something else."""
    if not query:
        return [""]
    pairs = [pair.partition("=") for pair in query.split("&")]
    raw = [(k, v) for k, _, v in pairs]
    if drop_signature:
        raw = [(k, v) for k, v in raw if k.lower() != "x-amz-signature"]
    encoded = sorted(
        (_encode(key.replace("+", " ")), _encode(value.replace("+", " ")))
        for key, value in raw
        if key or value
    )
    return _unique(
        [
            "&".join(f"{k}={v}" for k, v in encoded),
            "&".join(f"{k}={v}" for k, v in sorted(raw)),
        ]
    )


def _encode(component: str) -> str:
    return quote(unquote_to_bytes(component), safe="-_.~")


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _spaced_hex(text: str) -> str:
    return " ".join(f"{b:02x}" for b in text.encode("utf-8"))
