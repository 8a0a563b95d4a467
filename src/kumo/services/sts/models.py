"""STS's rules: session names and durations, the ARNs of sessions, temporary credentials.

Temporary credentials are IAM :class:`~kumo.services.iam.models.AccessKey` records with a
session token and an expiration; STS builds them here and stores them through IAM's
store, where the wire layer finds them to verify signatures.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from kumo.aws.errors import ServiceError
from kumo.services.iam.errors import validation_error
from kumo.services.iam.models import (
    TEMPORARY_KEY_PREFIX,
    AccessKey,
    new_access_key_id,
    new_secret_access_key,
    utcnow,
)
from kumo.services.iam.rules import check_length, check_range

__all__ = [
    "ROLE_DURATION",
    "SESSION_DURATION",
    "JwtClaims",
    "RoleRef",
    "assumed_role_arn",
    "check_duration",
    "check_session_name",
    "decode_jwt",
    "issue",
    "parse_role_arn",
]


@dataclass(frozen=True)
class DurationRule:
    """A session duration: its allowed range and the default when none is asked for."""

    low: int
    high: int
    default: int


# AssumeRole*: 15 minutes to 12 hours, bounded further by the role's MaxSessionDuration
ROLE_DURATION = DurationRule(900, 43200, 3600)
# GetSessionToken and GetFederationToken: 15 minutes to 36 hours
SESSION_DURATION = DurationRule(900, 129600, 43200)
# the account root's sessions last at most an hour
ROOT_MAX_SECONDS = 3600
# a role session assuming another role ("role chaining") gets at most an hour
CHAINED_MAX_SECONDS = 3600

_SESSION_NAME = re.compile(r"[\w+=,.@-]*", re.ASCII)
_SESSION_NAME_PATTERN = r"[\w+=,.@-]*"
_ROLE_ARN = re.compile(r"^arn:aws:iam::(\d{12}):role(/(?:[^/]+/)*)([\w+=,.@-]+)$")


def check_session_name(value: str, member: str = "roleSessionName", high: int = 64) -> None:
    check_length(value, member, 2, high)
    if not _SESSION_NAME.fullmatch(value):
        raise validation_error(
            value,
            member,
            f"Member must satisfy regular expression pattern: {_SESSION_NAME_PATTERN}",
        )


def check_duration(value: int | None, rule: DurationRule) -> int:
    """The session length in seconds: ``value`` checked against ``rule``, or its default."""
    if value is None:
        return rule.default
    check_range(value, "durationSeconds", rule.low, rule.high)
    return value


@dataclass(frozen=True)
class RoleRef:
    """A role named by ARN: ``arn:aws:iam::<account>:role<path><name>``."""

    arn: str
    account_id: str
    path: str
    name: str


def parse_role_arn(arn: str) -> RoleRef | None:
    """The role an ARN names; None for an ARN that names no role (AWS then denies access).

    A value that is no ARN at all is a ``ValidationError``.
    """
    if not arn.startswith("arn:") or arn.count(":") < 5:
        raise ServiceError("Request ARN is invalid", code="ValidationError", status=400)
    match = _ROLE_ARN.match(arn)
    if match is None:
        return None
    account, path, name = match.groups()
    return RoleRef(arn=arn, account_id=account, path=path, name=name)


def assumed_role_arn(account_id: str, role_name: str, session_name: str) -> str:
    return f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}"


def federated_user_arn(account_id: str, name: str) -> str:
    return f"arn:aws:sts::{account_id}:federated-user/{name}"


def new_session_token() -> str:
    """An opaque session token, as long as AWS's usually are."""
    return base64.b64encode(b"kumo" + secrets.token_bytes(236)).decode()


def issue(
    *,
    account_id: str,
    arn: str,
    user_id: str,
    seconds: int,
    role_arn: str | None = None,
    now: dt.datetime | None = None,
) -> AccessKey:
    """New temporary credentials for the principal ``arn`` that expire in ``seconds``."""
    start = now or utcnow()
    return AccessKey(
        access_key_id=new_access_key_id(TEMPORARY_KEY_PREFIX),
        secret_access_key=new_secret_access_key(),
        account_id=account_id,
        arn=arn,
        user_id=user_id,
        create_date=start,
        session_token=new_session_token(),
        expiration=start + dt.timedelta(seconds=seconds),
        role_arn=role_arn,
    )


def credentials_shape(key: AccessKey) -> dict[str, Any]:
    """The ``Credentials`` output shape."""
    return {
        "AccessKeyId": key.access_key_id,
        "SecretAccessKey": key.secret_access_key,
        "SessionToken": key.session_token,
        "Expiration": key.expiration,
    }


@dataclass(frozen=True)
class JwtClaims:
    """The claims of an OIDC token that AssumeRoleWithWebIdentity reports back."""

    subject: str
    issuer: str
    audience: str


INVALID_JWT = (
    "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
)


def decode_jwt(token: str) -> JwtClaims:
    """Read a JWT's claims. kumo does not verify the signature: it trusts any issuer."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ServiceError(INVALID_JWT, code="InvalidIdentityTokenException", status=400)
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        raise ServiceError(INVALID_JWT, code="InvalidIdentityTokenException", status=400) from None
    if not isinstance(claims, dict):
        raise ServiceError(INVALID_JWT, code="InvalidIdentityTokenException", status=400)
    audience = claims.get("aud", "")
    if isinstance(audience, list):
        audience = audience[0] if audience else ""
    return JwtClaims(
        subject=str(claims.get("sub", "")),
        issuer=str(claims.get("iss", "")),
        audience=str(audience),
    )
