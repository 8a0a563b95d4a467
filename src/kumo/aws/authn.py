"""Who sent a request: read its signature, look the access key up, verify when required.

In the default local mode any access key maps to the default account (unless kumo itself
issued it, then it is always verified). With ``require_auth`` (or a bind beyond loopback)
every request must carry a valid signature from a key kumo knows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kumo.aws import auth
from kumo.aws.context import Principal, RequestContext
from kumo.aws.errors import (
    AccessDenied,
    ExpiredToken,
    InvalidAccessKeyId,
    InvalidClientTokenId,
    ServiceError,
)
from kumo.aws.protocols.rest_xml import virtual_host_bucket

_INVALID_TOKEN = "The security token included in the request is invalid."

# JSON-protocol services name two signature failures differently from query and S3
_JSON_AUTH_CODES = {
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "InvalidClientTokenId": "UnrecognizedClientException",
}


def _as_json_service_error(ctx: RequestContext, exc: ServiceError) -> ServiceError:
    """The error as the request's service reports it (DynamoDB, Lambda: their own codes)."""
    service = ctx.service
    json_protocol = ctx.protocol in ("json", "rest-json", "smithy-rpc-v2-cbor")
    query_compatible = service is not None and "awsQueryCompatible" in service.metadata
    code = _JSON_AUTH_CODES.get(exc.code)
    if code is None or not json_protocol or query_compatible:
        return exc
    return ServiceError(exc.message, code=code, status=exc.status, headers=exc.headers)


@dataclass(frozen=True)
class Credential:
    """A secret kumo knows, and whom it belongs to."""

    access_key_id: str
    secret_access_key: str
    account_id: str
    arn: str
    user_id: str
    session_token: str | None = None
    expiration: dt.datetime | None = None
    active: bool = True


CredentialLookup = Callable[[str], Credential | None]


class MissingAuthenticationToken(ServiceError):
    code = "MissingAuthenticationToken"
    status = 403


class Authenticator:
    def __init__(
        self,
        lookup: CredentialLookup,
        *,
        default_account: str,
        default_region: str,
        verify_all: bool,
        skew_seconds: int,
    ) -> None:
        self.lookup = lookup
        self.default_account = default_account
        self.default_region = default_region
        self.verify_all = verify_all
        self.skew_seconds = skew_seconds

    def authenticate(self, ctx: RequestContext) -> None:
        """Fill in ctx.principal, account and region; decode aws-chunked bodies."""
        request = ctx.request
        info = auth.read_signing_info(request)
        is_s3 = ctx.service_name == "s3"
        if info is None:
            if self.verify_all:
                if is_s3:
                    raise AccessDenied("Access Denied")
                raise MissingAuthenticationToken("Request is missing Authentication Token")
            ctx.principal = self._root(self.default_account)
            ctx.account_id = self.default_account
            _decode(ctx, None, None)
            return
        ctx.access_key_id = info.access_key_id
        ctx.signing_region = info.region
        ctx.signing_service = info.service
        if info.region:
            ctx.region = info.region
        credential = self.lookup(info.access_key_id)
        if credential is None:
            if self.verify_all:
                if is_s3:
                    raise InvalidAccessKeyId(
                        "The AWS Access Key Id you provided does not exist in our records.",
                        AWSAccessKeyId=info.access_key_id,
                    )
                raise _as_json_service_error(ctx, InvalidClientTokenId(_INVALID_TOKEN))
            # An unknown key's signature is not checked, but a presigned URL's expiry
            # is part of what it says, whoever signed it.
            _check_presigned_expiry(info, dt.datetime.now(dt.UTC))
            ctx.account_id = self.default_account
            principal = self._root(self.default_account)
            principal.access_key_id = info.access_key_id
            ctx.principal = principal
            _decode(ctx, info, None)
            return
        if not credential.active:
            raise _as_json_service_error(ctx, InvalidClientTokenId(_INVALID_TOKEN))
        now = dt.datetime.now(dt.UTC)
        if credential.expiration is not None and credential.expiration <= now:
            raise ExpiredToken("The security token included in the request is expired")
        if credential.session_token and info.security_token != credential.session_token:
            raise _as_json_service_error(ctx, InvalidClientTokenId(_INVALID_TOKEN))
        try:
            auth.verify_signature(
                request,
                info,
                credential.secret_access_key,
                now=now,
                skew_seconds=self.skew_seconds,
                s3_bucket=virtual_host_bucket(request.host) if is_s3 else None,
            )
        except ServiceError as exc:
            raise _as_json_service_error(ctx, exc) from None
        _decode(ctx, info, credential.secret_access_key)
        ctx.account_id = credential.account_id
        ctx.principal = Principal(
            account_id=credential.account_id,
            access_key_id=credential.access_key_id,
            arn=credential.arn,
            user_id=credential.user_id,
            session_token=credential.session_token,
            verified=True,
        )

    @staticmethod
    def _root(account_id: str) -> Principal:
        return Principal(
            account_id=account_id, arn=f"arn:aws:iam::{account_id}:root", user_id=account_id
        )


def _check_presigned_expiry(info: auth.SigningInfo, now: dt.datetime) -> None:
    """Refuse a presigned request (SigV4 or SigV2 query) past its expiry, as S3 words it."""
    presigned = (auth.SignatureKind.SIGV4_QUERY, auth.SignatureKind.S3_SIGV2_QUERY)
    if info.kind not in presigned or info.expires is None or now <= info.expires:
        return
    details: dict[str, Any] = {"Expires": _iso(info.expires), "ServerTime": _iso(now)}
    if info.kind is auth.SignatureKind.SIGV4_QUERY and info.date is not None:
        details = {"X-Amz-Expires": str(int((info.expires - info.date).total_seconds()))} | details
    raise AccessDenied("Request has expired", **details)


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _decode(ctx: RequestContext, info: auth.SigningInfo | None, secret: str | None) -> None:
    """Replace the body by its decoded form; keep the checksums computed on the way."""
    payload = auth.decode_payload(ctx.request, info, secret)
    ctx.request.body = payload.body
    ctx.notes["payload"] = payload
