"""The STS provider: who is calling, and temporary credentials for roles and sessions.

Credentials issued here are real to kumo: requests signed with them are verified and act
as the session's principal (an assumed role, the calling user, a federated user).
"""

from __future__ import annotations

from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.base import Provider, operation
from kumo.services.iam import store as iam_store
from kumo.services.iam.documents import validate_identity_policy
from kumo.services.iam.errors import access_denied, malformed_policy
from kumo.services.iam.models import AccessKey, Caller, caller_of
from kumo.services.iam.rules import check_tags
from kumo.services.sts import models
from kumo.services.sts import store as sts_store
from kumo.services.sts.models import (
    CHAINED_MAX_SECONDS,
    ROLE_DURATION,
    ROOT_MAX_SECONDS,
    SESSION_DURATION,
    RoleRef,
    check_duration,
    check_session_name,
    credentials_shape,
)
from kumo.storage.base import Tx

__all__ = ["StsProvider"]

Output = dict[str, Any]

# a session policy and session tags are packed into the token; AWS reports the share of
# the allowed size they use
_PACKED_LIMIT = 2048


def _check_session_policy(policy: str | None) -> None:
    if policy is None:
        return
    try:
        validate_identity_policy(policy)
    except ServiceError as exc:
        # STS words every session policy fault alike
        raise malformed_policy(exc.message) from None


def _packed_size(policy: str | None, tags: list[dict[str, str]] | None) -> int | None:
    if policy is None and not tags:
        return None
    size = len(policy or "") + sum(len(t["Key"]) + len(t.get("Value", "")) for t in tags or [])
    percent = max(1, -(-size * 100 // _PACKED_LIMIT))
    if percent > 100:
        raise ServiceError(
            f"Packed policy consumes {percent}% of allotted space, please use smaller policy.",
            code="PackedPolicyTooLargeException",
            status=400,
        )
    return percent


class StsProvider(Provider):
    """AWS Security Token Service."""

    service = "sts"

    @operation("GetCallerIdentity")
    def get_caller_identity(self, ctx: RequestContext) -> Output:
        caller = caller_of(ctx)
        return {"UserId": caller.user_id, "Account": caller.account_id, "Arn": caller.arn}

    @operation("AssumeRole")
    def assume_role(
        self,
        ctx: RequestContext,
        role_arn: str,
        role_session_name: str,
        duration_seconds: int | None = None,
        policy: str | None = None,
        tags: list[dict[str, str]] | None = None,
        source_identity: str | None = None,
    ) -> Output:
        caller = caller_of(ctx)
        check_session_name(role_session_name)
        seconds = check_duration(duration_seconds, ROLE_DURATION)
        if source_identity is not None:
            check_session_name(source_identity, "sourceIdentity")
        if tags:
            check_tags(tags)
        _check_session_policy(policy)
        packed = _packed_size(policy, tags)
        denied = access_denied(
            f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: "
            f"{role_arn}"
        )
        ref = models.parse_role_arn(role_arn)
        if ref is None:
            raise denied
        out = self._assume(ctx, ref, role_session_name, duration_seconds, seconds, caller, denied)
        if packed is not None:
            out["PackedPolicySize"] = packed
        if source_identity is not None:
            out["SourceIdentity"] = source_identity
        return out

    @operation("AssumeRoleWithWebIdentity")
    def assume_role_with_web_identity(
        self,
        ctx: RequestContext,
        role_arn: str,
        role_session_name: str,
        web_identity_token: str,
        duration_seconds: int | None = None,
        policy: str | None = None,
    ) -> Output:
        check_session_name(role_session_name)
        seconds = check_duration(duration_seconds, ROLE_DURATION)
        _check_session_policy(policy)
        claims = models.decode_jwt(web_identity_token)
        denied = access_denied("Not authorized to perform sts:AssumeRoleWithWebIdentity")
        ref = models.parse_role_arn(role_arn)
        if ref is None:
            raise denied
        out = self._assume(ctx, ref, role_session_name, duration_seconds, seconds, None, denied)
        issuer = claims.issuer.removeprefix("https://")
        out.update(
            SubjectFromWebIdentityToken=claims.subject,
            Provider=issuer,
            Audience=claims.audience,
        )
        packed = _packed_size(policy, None)
        if packed is not None:
            out["PackedPolicySize"] = packed
        return out

    def _assume(
        self,
        ctx: RequestContext,
        ref: RoleRef,
        session_name: str,
        asked_seconds: int | None,
        seconds: int,
        caller: Caller | None,
        denied: ServiceError,
    ) -> Output:
        """Issue a session of the role ``ref`` names; ``denied`` when it does not exist."""

        def assume(tx: Tx) -> AccessKey:
            role = sts_store.find_role(tx, ref)
            if role is None:
                raise denied
            if asked_seconds is not None and asked_seconds > role.max_session_duration:
                raise ServiceError(
                    "The requested DurationSeconds exceeds the MaxSessionDuration set for "
                    "this role.",
                    code="ValidationError",
                    status=400,
                )
            chained = caller is not None and ":assumed-role/" in caller.arn
            if chained and asked_seconds is not None and asked_seconds > CHAINED_MAX_SECONDS:
                raise ServiceError(
                    "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                    "assumed by role chaining.",
                    code="ValidationError",
                    status=400,
                )
            length = min(seconds, CHAINED_MAX_SECONDS) if chained else seconds
            user_id = f"{role.role_id}:{session_name}"
            credentials = models.issue(
                account_id=role.account_id,
                arn=models.assumed_role_arn(role.account_id, role.name, session_name),
                user_id=user_id,
                seconds=length,
                role_arn=role.arn,
            )
            sts_store.save_session(tx, credentials, role=role, region=ctx.region)
            return credentials

        credentials = self.store.write(assume)
        return {
            "Credentials": credentials_shape(credentials),
            "AssumedRoleUser": {"AssumedRoleId": credentials.user_id, "Arn": credentials.arn},
        }

    @operation("GetSessionToken")
    def get_session_token(self, ctx: RequestContext, duration_seconds: int | None = None) -> Output:
        caller = caller_of(ctx)
        seconds = check_duration(duration_seconds, SESSION_DURATION)
        if caller.session_token:
            raise access_denied("Cannot call GetSessionToken with session credentials")
        if caller.is_root:
            seconds = min(seconds, ROOT_MAX_SECONDS)
        credentials = models.issue(
            account_id=caller.account_id, arn=caller.arn, user_id=caller.user_id, seconds=seconds
        )
        self.store.write(lambda tx: sts_store.save_session(tx, credentials))
        return {"Credentials": credentials_shape(credentials)}

    @operation("GetFederationToken")
    def get_federation_token(
        self,
        ctx: RequestContext,
        name: str,
        duration_seconds: int | None = None,
        policy: str | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> Output:
        caller = caller_of(ctx)
        check_session_name(name, "name", 32)
        seconds = check_duration(duration_seconds, SESSION_DURATION)
        if tags:
            check_tags(tags)
        _check_session_policy(policy)
        packed = _packed_size(policy, tags)
        if caller.session_token:
            raise access_denied("Cannot call GetFederationToken with session credentials")
        if caller.is_root:
            seconds = min(seconds, ROOT_MAX_SECONDS)
        credentials = models.issue(
            account_id=caller.account_id,
            arn=models.federated_user_arn(caller.account_id, name),
            user_id=f"{caller.account_id}:{name}",
            seconds=seconds,
        )
        self.store.write(lambda tx: sts_store.save_session(tx, credentials))
        out: Output = {
            "Credentials": credentials_shape(credentials),
            "FederatedUser": {"FederatedUserId": credentials.user_id, "Arn": credentials.arn},
        }
        if packed is not None:
            out["PackedPolicySize"] = packed
        return out

    @operation("GetAccessKeyInfo")
    def get_access_key_info(self, ctx: RequestContext, access_key_id: str) -> Output:
        found = self.store.read(lambda tx: iam_store.get_access_key(tx, access_key_id))
        account = found.account_id if found is not None else caller_of(ctx).account_id
        return {"Account": account}
