"""Bucket CORS: the configuration (Put/Get/DeleteBucketCors) and how S3 applies it.

:func:`preflight` answers an ``OPTIONS`` request from the bucket's rules, and
:func:`response_headers` gives the ``Access-Control-*`` headers S3 adds to an ordinary
response carrying a matching ``Origin``. The first rule matching the origin, the method
and every requested header wins, as on S3.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.s3 import store as db
from kumo.services.s3.errors import malformed_xml
from kumo.services.s3.host import Host, Output
from kumo.services.s3.models import Bucket

__all__ = [
    "Preflight",
    "delete_bucket_cors",
    "get_bucket_cors",
    "preflight",
    "put_bucket_cors",
    "response_headers",
]

_METHODS = frozenset({"GET", "PUT", "HEAD", "POST", "DELETE"})
MAX_RULES = 100
NOT_ALLOWED = (
    "This CORS request is not allowed. This is usually because the evalution of Origin, "
    "request method / Access-Control-Request-Method or Access-Control-Request-Headers are "
    "not whitelisted by the resource's CORS spec."
)


def _invalid(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidRequest")


def put_bucket_cors(
    s3: Host, ctx: RequestContext, bucket: str, cors_configuration: dict[str, Any]
) -> Output:
    rules = cors_configuration.get("CORSRules") or []
    if not rules or len(rules) > MAX_RULES:
        raise malformed_xml()
    stored = []
    for rule in rules:
        methods = list(rule.get("AllowedMethods") or [])
        origins = list(rule.get("AllowedOrigins") or [])
        if not methods or not origins:
            raise malformed_xml()
        for method in methods:
            if method not in _METHODS:
                raise _invalid(
                    "Found unsupported HTTP method in CORS config. Unsupported method is " + method
                )
        for origin in origins:
            if origin.count("*") > 1:
                raise _invalid(f'AllowedOrigin "{origin}" can not have more than one wildcard.')
        for header in rule.get("AllowedHeaders") or []:
            if header.count("*") > 1:
                raise _invalid(f'AllowedHeader "{header}" can not have more than one wildcard.')
        stored.append({k: v for k, v in rule.items() if v is not None})
    db.update_bucket(s3.store, bucket, lambda b: b.configs.__setitem__("cors", stored))
    return {}


def get_bucket_cors(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    found = s3.store.read(lambda tx: db.require_bucket(tx, bucket))
    rules = found.configs.get("cors")
    if not rules:
        raise ServiceError(
            "The CORS configuration does not exist",
            code="NoSuchCORSConfiguration",
            status=404,
            BucketName=bucket,
        )
    return {"CORSRules": rules}


def delete_bucket_cors(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    db.update_bucket(s3.store, bucket, lambda b: b.configs.pop("cors", None))
    ctx.response_status = 204
    return {}


# -- applying the rules ------------------------------------------------------------------------


def _like(pattern: str, value: str) -> bool:
    # one "*" wildcard at most; no other glob characters are special in S3's matching
    escaped = pattern.replace("[", "[[]").replace("?", "[?]")
    return fnmatch.fnmatchcase(value, escaped)


def _find_rule(
    rules: list[dict[str, Any]], origin: str, method: str, headers: list[str]
) -> dict[str, Any] | None:
    for rule in rules:
        if not any(_like(o, origin) for o in rule.get("AllowedOrigins") or []):
            continue
        if method not in (rule.get("AllowedMethods") or []):
            continue
        allowed = [h.lower() for h in rule.get("AllowedHeaders") or []]
        if all(any(_like(a, h.lower()) for a in allowed) for h in headers):
            return rule
    return None


def _allow_headers(rule: dict[str, Any], origin: str) -> dict[str, str]:
    wildcard = "*" in (rule.get("AllowedOrigins") or [])
    out = {
        "Access-Control-Allow-Origin": "*" if wildcard else origin,
        "Access-Control-Allow-Methods": ", ".join(rule.get("AllowedMethods") or []),
        "Vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
    }
    if not wildcard:
        out["Access-Control-Allow-Credentials"] = "true"
    if rule.get("ExposeHeaders"):
        out["Access-Control-Expose-Headers"] = ", ".join(rule["ExposeHeaders"])
    if rule.get("MaxAgeSeconds") is not None:
        out["Access-Control-Max-Age"] = str(rule["MaxAgeSeconds"])
    return out


@dataclass
class Preflight:
    """The answer to a preflight: 200 with ``headers``, or ``error``."""

    headers: dict[str, str] = field(default_factory=dict)
    error: ServiceError | None = None


def preflight(bucket: Bucket, origin: str | None, method: str | None, headers: str) -> Preflight:
    if not origin:
        return Preflight(
            error=ServiceError(
                "Insufficient information. Origin request header needed.",
                code="BadRequest",
                status=400,
            )
        )
    if not method:
        return Preflight(
            error=ServiceError(
                "Invalid Access-Control-Request-Method: null", code="BadRequest", status=400
            )
        )
    rules = bucket.configs.get("cors")
    if not rules:
        return Preflight(
            error=ServiceError(
                "CORS is not enabled for this bucket.",
                code="CORSResponse",
                status=403,
                Method="OPTIONS",
                ResourceType="OBJECT",
            )
        )
    requested = [h.strip() for h in headers.split(",") if h.strip()]
    rule = _find_rule(rules, origin, method, requested)
    if rule is None:
        return Preflight(
            error=ServiceError(
                NOT_ALLOWED,
                code="CORSResponse",
                status=403,
                Method="OPTIONS",
                ResourceType="OBJECT",
            )
        )
    out = _allow_headers(rule, origin)
    if requested:
        out["Access-Control-Allow-Headers"] = ", ".join(h.lower() for h in requested)
    return Preflight(headers=out)


def response_headers(bucket: Bucket, origin: str, method: str) -> dict[str, str]:
    """The CORS headers of an ordinary response to ``method`` from ``origin`` (maybe none)."""
    rules = bucket.configs.get("cors")
    if not rules:
        return {}
    rule = _find_rule(rules, origin, method, [])
    return _allow_headers(rule, origin) if rule is not None else {}
