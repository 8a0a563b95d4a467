"""What a request says about its signature, read without verifying anything.

:func:`read_signing_info` recognises every way an AWS client signs: the SigV4
``Authorization`` header and presigned query, SigV4A (read only), S3's SigV2 header and
presigned query, the SigV2 query API and SigV3. It runs before the service is known (the
credential scope names it), so it is cheap, returns ``None`` for anything that is not an AWS
signature and raises only for a request that is plainly an AWS signature but malformed, with
the error AWS gives.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl

from kumo.aws.auth._errors import (
    AuthorizationHeaderMalformed,
    AuthorizationQueryParametersError,
    InvalidArgument,
)
from kumo.aws.errors import AccessDenied, IncompleteSignature, ServiceError
from kumo.aws.http import SPOOL_MAX_MEMORY, HttpRequest

ALGORITHM_V4 = "AWS4-HMAC-SHA256"
ALGORITHM_V4A = "AWS4-ECDSA-P256-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_UNSIGNED_PAYLOAD_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_PAYLOAD_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_ECDSA_PAYLOAD = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
STREAMING_ECDSA_PAYLOAD_TRAILER = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
STREAMING_EVENTS = "STREAMING-AWS4-HMAC-SHA256-EVENTS"
# A presigned SigV4 URL lives at most a week.
MAX_PRESIGN_EXPIRES = 7 * 24 * 3600

_AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_SEPARATORS = re.compile(r"[,\s]+")
_V4_QUERY_MISSING = (
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
    "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
)
_S3_DATE_REQUIRED = "AWS authentication requires a valid Date or x-amz-date header"


class SignatureKind(StrEnum):
    """How a request was signed."""

    SIGV4 = "sigv4"  # Authorization: AWS4-HMAC-SHA256 ...
    SIGV4_QUERY = "sigv4-query"  # presigned URL, X-Amz-Algorithm=AWS4-HMAC-SHA256
    SIGV4A = "sigv4a"  # Authorization: AWS4-ECDSA-P256-SHA256 ... (read, not verified)
    SIGV4A_QUERY = "sigv4a-query"
    S3_SIGV2 = "s3-sigv2"  # Authorization: AWS AKID:signature
    S3_SIGV2_QUERY = "s3-sigv2-query"  # presigned URL with AWSAccessKeyId, Signature, Expires
    SIGV2 = "sigv2"  # query API: SignatureVersion=2 in the query string or form body
    SIGV3 = "sigv3"  # X-Amzn-Authorization: AWS3-HTTPS ...
    S3_POST_SIGV4 = "s3-post-sigv4"  # browser upload form, policy signed with SigV4
    S3_POST_SIGV2 = "s3-post-sigv2"  # browser upload form, policy signed with SigV2


@dataclass(frozen=True)
class SigningInfo:
    """The signature a request carries, as read from it.

    ``date`` is when the client signed (``None`` for an S3 SigV2 presigned URL, which has
    only an expiry); ``expires`` is the moment a presigned request stops being valid.
    ``scope_date`` is the ``YYYYMMDD`` of the SigV4 credential scope; ``payload_hash`` is
    the ``x-amz-content-sha256`` the client declared.
    """

    kind: SignatureKind
    access_key_id: str
    signature: str
    region: str | None = None
    service: str | None = None
    date: dt.datetime | None = None
    signed_headers: tuple[str, ...] = ()
    security_token: str | None = None
    expires: dt.datetime | None = None
    payload_hash: str | None = None
    scope_date: str | None = None

    @property
    def is_presigned(self) -> bool:
        return self.kind in (
            SignatureKind.SIGV4_QUERY,
            SignatureKind.SIGV4A_QUERY,
            SignatureKind.S3_SIGV2_QUERY,
        )

    @property
    def is_s3(self) -> bool:
        return self.service in ("s3", "s3-object-lambda", "s3-outposts", "s3express")

    @property
    def timestamp(self) -> str:
        """The signing time in the ISO 8601 basic form SigV4 signs (``20260101T000000Z``)."""
        return self.date.strftime(_AMZ_DATE_FORMAT) if self.date is not None else ""

    @property
    def credential_scope(self) -> str:
        return f"{self.scope_date}/{self.region}/{self.service}/aws4_request"


def read_signing_info(request: HttpRequest) -> SigningInfo | None:
    """The signature ``request`` carries, or ``None`` when it carries none."""
    headers = request.headers
    authorization = headers.get("authorization", "").strip()
    query = request.query_string
    presigned = _query_auth(query) if query else None
    if authorization.startswith(("AWS4-", "AWS ")):
        if presigned is not None:
            raise InvalidArgument(
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                "Signature query string parameter or the Authorization header should be "
                "specified",
                ArgumentName="Authorization",
                ArgumentValue=authorization,
            )
        if authorization.startswith("AWS4-"):
            return _read_v4_header(request, authorization)
        return _read_s3_v2_header(request, authorization)
    if presigned is not None:
        return presigned(request)
    amzn = headers.get("x-amzn-authorization", "").strip()
    if amzn.startswith("AWS3-HTTPS "):
        return _read_v3_header(request, amzn)
    return _read_v2_form(request)


# -- SigV4 Authorization header ----------------------------------------------------------


def _read_v4_header(request: HttpRequest, authorization: str) -> SigningInfo:
    algorithm, _, rest = authorization.partition(" ")
    if algorithm not in (ALGORITHM_V4, ALGORITHM_V4A):
        raise IncompleteSignature(
            f"Unsupported AWS 'algorithm': '{algorithm}'",
        )
    params: dict[str, str] = {}
    for part in _SEPARATORS.split(rest.strip()):
        if not part:
            continue
        key, eq, value = part.partition("=")
        if not eq:
            raise IncompleteSignature(
                f"'{part}' not a valid key=value pair (missing equal-sign) in Authorization "
                f"header: '{authorization}'."
            )
        params[key] = value
    credential = params.get("Credential", "")
    is_s3 = "/s3/" in credential
    missing = [p for p in ("Credential", "Signature", "SignedHeaders") if not params.get(p)]
    headers = request.headers
    date_value = headers.get("x-amz-date") or headers.get("date")
    if missing or not date_value:
        if is_s3 and missing:
            raise AuthorizationHeaderMalformed(
                "The authorization header is malformed; the authorization header requires "
                "three components: Credential, SignedHeaders, and Signature.",
            )
        if is_s3:
            raise AccessDenied(_S3_DATE_REQUIRED)
        reasons = [f"Authorization header requires '{p}' parameter." for p in missing]
        if not date_value:
            reasons.append(
                "Authorization header requires existence of either a 'X-Amz-Date' or a "
                "'Date' header."
            )
        raise IncompleteSignature(" ".join(reasons) + f" Authorization={authorization}")
    v4a = algorithm == ALGORITHM_V4A
    access_key, scope_date, region, service = _parse_credential(credential, v4a=v4a)
    if v4a:
        region = _region_set(headers.get("x-amz-region-set", ""))
    date = parse_date(date_value)
    if date is None:
        if service == "s3":
            raise AccessDenied(_S3_DATE_REQUIRED)
        raise IncompleteSignature(
            f"Date must be in ISO-8601 'basic format'. Got '{date_value}'. "
            "See http://en.wikipedia.org/wiki/ISO_8601"
        )
    return SigningInfo(
        kind=SignatureKind.SIGV4A if v4a else SignatureKind.SIGV4,
        access_key_id=access_key,
        signature=params["Signature"],
        region=region,
        service=service,
        date=date,
        signed_headers=tuple(params["SignedHeaders"].split(";")),
        security_token=headers.get("x-amz-security-token"),
        payload_hash=headers.get("x-amz-content-sha256"),
        scope_date=scope_date,
    )


def _parse_credential(credential: str, *, v4a: bool) -> tuple[str, str, str | None, str]:
    """``(access key, scope date, region, service)`` of a credential; SigV4A has no region."""
    parts = credential.rsplit("/", 3 if v4a else 4)
    if len(parts) != (4 if v4a else 5) or not all(parts):
        if "/s3/" in credential:
            raise AuthorizationHeaderMalformed(
                "The authorization header is malformed; the Credential is mal-formed; "
                'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
            )
        raise IncompleteSignature(
            f"Credential should be scoped to a valid region, not '{credential}'. "
            "Credential should be scoped to correct service."
        )
    if parts[-1] != "aws4_request":
        raise IncompleteSignature(
            f"Credential should be scoped with a valid terminator: 'aws4_request', "
            f"not '{parts[-1]}'."
        )
    if v4a:
        return parts[0], parts[1], None, parts[2]
    return parts[0], parts[1], parts[2], parts[3]


def _region_set(value: str) -> str | None:
    regions = [r.strip() for r in value.split(",") if r.strip()]
    return regions[0] if len(regions) == 1 and regions[0] != "*" else None


# -- presigned query -----------------------------------------------------------------------


class _QueryAuth:
    """A query string that carries a signature, parsed once and read by kind."""

    __slots__ = ("kind", "params")

    def __init__(self, kind: SignatureKind | None, params: dict[str, str]) -> None:
        self.kind = kind
        self.params = params

    def __call__(self, request: HttpRequest) -> SigningInfo:
        if self.kind is SignatureKind.S3_SIGV2_QUERY:
            return _read_s3_v2_query(request, self.params)
        if self.kind is SignatureKind.SIGV2:
            return _read_v2_params(request, self.params)
        return _read_v4_query(request, self.params)


def _query_auth(query: str) -> _QueryAuth | None:
    lowered = query.lower()
    if "x-amz-algorithm" in lowered:
        params = _params(query)
        if "x-amz-algorithm" in params:
            return _QueryAuth(None, params)
    if "awsaccesskeyid" in lowered and "signature" in lowered:
        params = _params(query)
        if params.get("awsaccesskeyid") and "signature" in params:
            if params.get("signatureversion") == "2":
                return _QueryAuth(SignatureKind.SIGV2, params)
            if "expires" in params:
                return _QueryAuth(SignatureKind.S3_SIGV2_QUERY, params)
    return None


def _params(query: str) -> dict[str, str]:
    """The query parameters, keys lower-cased; a repeated key keeps its first value."""
    out: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        out.setdefault(key.lower(), value)
    return out


def _read_v4_query(request: HttpRequest, params: dict[str, str]) -> SigningInfo:
    algorithm = params.get("x-amz-algorithm", "")
    if algorithm not in (ALGORITHM_V4, ALGORITHM_V4A):
        raise AuthorizationQueryParametersError(
            'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"',
        )
    v4a = algorithm == ALGORITHM_V4A
    credential = params.get("x-amz-credential", "")
    is_s3 = "/s3/" in credential
    required = ["x-amz-credential", "x-amz-signature", "x-amz-date", "x-amz-signedheaders"]
    if is_s3:
        required.append("x-amz-expires")
    if not all(params.get(name) for name in required):
        raise AuthorizationQueryParametersError(_V4_QUERY_MISSING)
    try:
        access_key, scope_date, region, service = _parse_credential(credential, v4a=v4a)
    except ServiceError:
        raise AuthorizationQueryParametersError(
            "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
            'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
        ) from None
    if v4a:
        region = _region_set(params.get("x-amz-region-set", ""))
    date = parse_date(params["x-amz-date"])
    if date is None:
        raise AuthorizationQueryParametersError(
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
        )
    expires: dt.datetime | None = None
    if "x-amz-expires" in params:
        raw = params["x-amz-expires"]
        try:
            seconds = int(raw)
        except ValueError:
            raise AuthorizationQueryParametersError(
                "X-Amz-Expires should be a number",
            ) from None
        if seconds < 0:
            raise AuthorizationQueryParametersError("X-Amz-Expires must be non-negative")
        if seconds > MAX_PRESIGN_EXPIRES:
            raise AuthorizationQueryParametersError(
                f"X-Amz-Expires must be less than a week (in seconds) that is "
                f"{MAX_PRESIGN_EXPIRES}",
            )
        expires = date + dt.timedelta(seconds=seconds)
    return SigningInfo(
        kind=SignatureKind.SIGV4A_QUERY if v4a else SignatureKind.SIGV4_QUERY,
        access_key_id=access_key,
        signature=params["x-amz-signature"],
        region=region,
        service=service,
        date=date,
        signed_headers=tuple(params["x-amz-signedheaders"].split(";")),
        security_token=params.get("x-amz-security-token"),
        expires=expires,
        payload_hash=params.get("x-amz-content-sha256"),
        scope_date=scope_date,
    )


# -- SigV2 (S3 header and query, query API) and SigV3 --------------------------------------


def _read_s3_v2_header(request: HttpRequest, authorization: str) -> SigningInfo:
    access_key, colon, signature = authorization[4:].strip().partition(":")
    if not colon or not access_key or not signature:
        raise InvalidArgument(
            "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
            ArgumentName="Authorization",
            ArgumentValue=authorization,
        )
    headers = request.headers
    return SigningInfo(
        kind=SignatureKind.S3_SIGV2,
        access_key_id=access_key,
        signature=signature,
        service="s3",
        date=parse_date(headers.get("x-amz-date") or headers.get("date") or ""),
        security_token=headers.get("x-amz-security-token"),
        payload_hash=headers.get("x-amz-content-sha256"),
    )


def _read_s3_v2_query(request: HttpRequest, params: dict[str, str]) -> SigningInfo:
    raw = params["expires"]
    try:
        expires = dt.datetime.fromtimestamp(int(raw), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise AccessDenied(f"Invalid date (should be seconds since epoch): {raw}") from None
    return SigningInfo(
        kind=SignatureKind.S3_SIGV2_QUERY,
        access_key_id=params["awsaccesskeyid"],
        signature=params["signature"],
        service="s3",
        security_token=params.get("x-amz-security-token")
        or request.headers.get("x-amz-security-token"),
        expires=expires,
        payload_hash=request.headers.get("x-amz-content-sha256"),
    )


def _read_v2_params(request: HttpRequest, params: dict[str, str]) -> SigningInfo:
    expires = parse_date(params.get("expires", ""))
    return SigningInfo(
        kind=SignatureKind.SIGV2,
        access_key_id=params["awsaccesskeyid"],
        signature=params["signature"],
        date=parse_date(params.get("timestamp", "")),
        security_token=params.get("securitytoken"),
        expires=expires,
    )


def _read_v2_form(request: HttpRequest) -> SigningInfo | None:
    """SigV2 query-API parameters sent as a form body (POST), read only when small."""
    if request.method != "POST":
        return None
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("application/x-www-form-urlencoded"):
        return None
    body = request.body
    if body.size() > SPOOL_MAX_MEMORY:
        return None
    data = body.readall()
    body.seek(0)
    if b"AWSAccessKeyId=" not in data or b"SignatureVersion=" not in data:
        return None
    auth = _query_auth(data.decode("utf-8", "replace"))
    if auth is None or auth.kind is not SignatureKind.SIGV2:
        return None
    return auth(request)


def _read_v3_header(request: HttpRequest, value: str) -> SigningInfo | None:
    params: dict[str, str] = {}
    for part in value[len("AWS3-HTTPS ") :].split(","):
        key, _, val = part.strip().partition("=")
        params[key] = val
    if not params.get("AWSAccessKeyId") or not params.get("Signature"):
        return None
    headers = request.headers
    return SigningInfo(
        kind=SignatureKind.SIGV3,
        access_key_id=params["AWSAccessKeyId"],
        signature=params["Signature"],
        date=parse_date(headers.get("x-amz-date") or headers.get("date") or ""),
        security_token=headers.get("x-amz-security-token"),
    )


def parse_date(value: str) -> dt.datetime | None:
    """An aware UTC datetime from ISO 8601 basic (``20260101T000000Z``), extended
    (``2026-01-01T00:00:00Z``) or HTTP (RFC 1123) form; ``None`` if it is none of them."""
    value = value.strip()
    if not value:
        return None
    if len(value) == 16 and value[8] == "T" and value[15] == "Z" and value[:8].isdigit():
        # the X-Amz-Date form, on every signed request: sliced, as strptime is slow
        try:
            return dt.datetime(
                int(value[0:4]), int(value[4:6]), int(value[6:8]),
                int(value[9:11]), int(value[11:13]), int(value[13:15]), tzinfo=dt.UTC,
            )  # fmt: skip
        except ValueError:
            return None
    if value[:4].isdigit():
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
