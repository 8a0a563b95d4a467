"""The older signatures: S3's SigV2 (``Authorization: AWS key:sig`` and presigned URLs with
``AWSAccessKeyId``/``Signature``/``Expires``), the SigV2 query API (``SignatureVersion=2``)
and SigV3 (``X-Amzn-Authorization: AWS3-HTTPS``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
from collections.abc import Iterator
from urllib.parse import parse_qsl, quote, unquote_plus

from kumo.aws.auth._common import check_skew, iso_extended, mismatch, same
from kumo.aws.auth._info import SignatureKind, SigningInfo
from kumo.aws.errors import AccessDenied
from kumo.aws.http import HttpRequest

# Query parameters S3 includes in the SigV2 canonical resource (sub-resources and
# response header overrides); every other parameter is left out.
S3_SUBRESOURCES = frozenset(
    {
        "accelerate",
        "acl",
        "analytics",
        "cors",
        "defaultObjectAcl",
        "delete",
        "encryption",
        "intelligent-tiering",
        "inventory",
        "legal-hold",
        "lifecycle",
        "location",
        "logging",
        "metrics",
        "notification",
        "object-lock",
        "ownershipControls",
        "partNumber",
        "policy",
        "policyStatus",
        "publicAccessBlock",
        "replication",
        "requestPayment",
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
        "response-content-language",
        "response-content-type",
        "response-expires",
        "restore",
        "retention",
        "select",
        "select-type",
        "storageClass",
        "tagging",
        "torrent",
        "uploadId",
        "uploads",
        "versionId",
        "versioning",
        "versions",
        "website",
    }
)
_DATE_REQUIRED = "AWS authentication requires a valid Date or x-amz-date header"


def _hmac_b64(secret_key: str, message: str, digest: str) -> str:
    mac = hmac.new(secret_key.encode("utf-8"), message.encode("utf-8"), digest)
    return base64.b64encode(mac.digest()).decode("ascii")


def _provided(signature: str) -> str:
    # A raw "+" in a query string reads back as a space.
    return signature.replace(" ", "+")


# -- S3 SigV2 -------------------------------------------------------------------------------


def verify_s3_v2(
    request: HttpRequest,
    info: SigningInfo,
    secret_key: str,
    *,
    now: dt.datetime,
    skew_seconds: int,
    s3_bucket: str | None,
) -> None:
    """Verify S3's SigV2 header or presigned query (HMAC-SHA1 over the S3 string to sign)."""
    presigned = info.kind is SignatureKind.S3_SIGV2_QUERY
    if presigned:
        assert info.expires is not None
        if now > info.expires:
            raise AccessDenied(
                "Request has expired",
                Expires=iso_extended(info.expires),
                ServerTime=iso_extended(now),
            )
    else:
        if info.date is None:
            raise AccessDenied(_DATE_REQUIRED)
        sent = request.headers.get("x-amz-date") or request.headers.get("date", "")
        check_skew(info.date, now, skew_seconds, s3=True, sent=sent)
    provided = _provided(info.signature)
    first = ""
    for candidate in _s3_strings_to_sign(request, presigned=presigned, s3_bucket=s3_bucket):
        if same(provided, _hmac_b64(secret_key, candidate, "sha1")):
            return
        first = first or candidate
    raise mismatch(
        AWSAccessKeyId=info.access_key_id,
        StringToSign=first,
        SignatureProvided=provided,
        StringToSignBytes=" ".join(f"{b:02x}" for b in first.encode("utf-8")),
    )


def _s3_strings_to_sign(
    request: HttpRequest, *, presigned: bool, s3_bucket: str | None
) -> Iterator[str]:
    headers = request.headers
    query = dict(parse_qsl(request.query_string, keep_blank_values=True)) if presigned else {}

    def standard(name: str) -> str:
        value = query.get(name) if presigned else None
        return (value if value is not None else headers.get(name, "")).strip()

    amz: dict[str, str] = {}
    for name in headers:
        lower = name.lower()
        if lower.startswith("x-amz-"):
            amz[lower] = ",".join(v.strip() for v in headers.get_all(name))
    if presigned:
        # The presigner moves the x-amz-* headers it signed into the query string.
        for name, value in query.items():
            if name.lower().startswith("x-amz-"):
                amz[name.lower()] = value.strip()
    amz_block = "".join(f"{k}:{amz[k]}\n" for k in sorted(amz))
    if presigned:
        dates = [query.get("Expires", "")]
    else:
        dates = [headers.get("date", "").strip()]
        if "x-amz-date" in amz:
            dates.append("")
    head = f"{request.method}\n{standard('content-md5')}\n{standard('content-type')}\n"
    seen: set[str] = set()
    for date in dates:
        for resource in _s3_resources(request, s3_bucket):
            candidate = f"{head}{date}\n{amz_block}{resource}"
            if candidate not in seen:
                seen.add(candidate)
                yield candidate


def _s3_resources(request: HttpRequest, s3_bucket: str | None) -> list[str]:
    path = request.raw_path or "/"
    if s3_bucket:
        paths = [f"/{s3_bucket}{path}"]
    else:
        paths = [path]
        if path.count("/") == 1 and len(path) > 1:
            # A bucket-level request signs "/bucket/" even when it is sent to "/bucket".
            paths.append(path + "/")
    decoded: list[tuple[str, str | None]] = []
    verbatim: list[tuple[str, str | None]] = []
    for pair in request.query_string.split("&") if request.query_string else []:
        key, eq, value = pair.partition("=")
        if key in S3_SUBRESOURCES:
            decoded.append((key, unquote_plus(value) if eq else None))
            verbatim.append((key, value if eq else None))
    out: list[str] = []
    for sub in (decoded, verbatim):
        suffix = ""
        if sub:
            sub = sorted(sub, key=lambda kv: kv[0])
            suffix = "?" + "&".join(k if v is None else f"{k}={v}" for k, v in sub)
        out.extend(p + suffix for p in paths)
    return list(dict.fromkeys(out))


# -- SigV2 query API and SigV3 ----------------------------------------------------------------


def verify_v2_query(
    request: HttpRequest,
    info: SigningInfo,
    secret_key: str,
    *,
    now: dt.datetime,
    skew_seconds: int,
) -> None:
    """Verify a ``SignatureVersion=2`` query-API request (query string or form body)."""
    if info.expires is not None:
        if now > info.expires:
            raise AccessDenied("Request has expired")
    elif info.date is not None:
        check_skew(info.date, now, skew_seconds, s3=False, sent=info.timestamp)
    else:
        raise AccessDenied("Request must contain either a valid Timestamp or Expires parameter")
    source = request.query_string
    if "Signature=" not in source and request.method == "POST":
        source = request.body.readall().decode("utf-8", "replace")
        request.body.seek(0)
    params = [(k, v) for k, v in parse_qsl(source, keep_blank_values=True) if k != "Signature"]
    method = dict(params).get("SignatureMethod", "HmacSHA256")
    digest = "sha1" if method == "HmacSHA1" else "sha256"
    query = "&".join(
        f"{quote(k.encode(), safe='')}={quote(v.encode(), safe='-_~')}" for k, v in sorted(params)
    )
    host = request.headers.get("host", "")
    provided = _provided(info.signature)
    for candidate_host in dict.fromkeys([host, host.lower()]):
        to_sign = f"{request.method}\n{candidate_host}\n{request.raw_path or '/'}\n{query}"
        if same(provided, _hmac_b64(secret_key, to_sign, digest)):
            return
    raise mismatch()


def verify_v3(
    request: HttpRequest,
    info: SigningInfo,
    secret_key: str,
    *,
    now: dt.datetime,
    skew_seconds: int,
) -> None:
    """Verify SigV3 over HTTPS: an HMAC-SHA256 of the ``Date`` header."""
    if info.date is None:
        raise AccessDenied(_DATE_REQUIRED)
    check_skew(info.date, now, skew_seconds, s3=False, sent=info.timestamp)
    headers = request.headers
    for value in dict.fromkeys([headers.get("date", ""), headers.get("x-amz-date", "")]):
        if value and same(info.signature, _hmac_b64(secret_key, value, "sha256")):
            return
    raise mismatch()
