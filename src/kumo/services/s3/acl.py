"""Access control lists of buckets and objects: stored and returned as S3 does.

An ACL is a list of grants (grantee and permission); the owner is always the bucket's
account. Canned ACLs (``x-amz-acl``) and ``x-amz-grant-*`` headers are turned into grants.
As on S3 today, a bucket whose ownership is ``BucketOwnerEnforced`` (the default) has ACLs
disabled: only ``private`` and ``bucket-owner-full-control`` are accepted there, anything
else is ``AccessControlListNotSupported``. kumo does not enforce ACLs on access.
"""

from __future__ import annotations

import re
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.s3 import store as db
from kumo.services.s3 import versions
from kumo.services.s3.configs import DEFAULT_OWNERSHIP
from kumo.services.s3.errors import malformed_xml
from kumo.services.s3.host import Host, Output
from kumo.services.s3.models import Bucket, canonical_id, owner
from kumo.services.s3.notifications import actor_of, notify
from kumo.storage.base import Tx

__all__ = [
    "canned_grants",
    "check_acl_allowed",
    "get_bucket_acl",
    "get_object_acl",
    "put_bucket_acl",
    "put_object_acl",
]

Grants = list[dict[str, Any]]

_GROUPS = "http://acs.amazonaws.com/groups/"
ALL_USERS = _GROUPS + "global/AllUsers"
AUTHENTICATED_USERS = _GROUPS + "global/AuthenticatedUsers"
LOG_DELIVERY = _GROUPS + "s3/LogDelivery"
_PERMISSIONS = frozenset({"FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP"})
_GRANT_ITEM = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*"?([^",]+)"?\s*(?:,|$)')
_ALLOWED_WHEN_ENFORCED = frozenset({"private", "bucket-owner-full-control"})


def _user(account_id: str) -> dict[str, str]:
    return {"Type": "CanonicalUser", **owner(account_id)}


def _group(uri: str) -> dict[str, str]:
    return {"Type": "Group", "URI": uri}


def canned_grants(canned: str, account_id: str) -> Grants:
    """The grants a canned ACL stands for; ``InvalidArgument`` for an unknown name."""
    full = {"Grantee": _user(account_id), "Permission": "FULL_CONTROL"}
    extra: dict[str, list[tuple[dict[str, str], str]]] = {
        "private": [],
        "bucket-owner-full-control": [],
        "bucket-owner-read": [],
        "aws-exec-read": [],
        "public-read": [(_group(ALL_USERS), "READ")],
        "public-read-write": [(_group(ALL_USERS), "READ"), (_group(ALL_USERS), "WRITE")],
        "authenticated-read": [(_group(AUTHENTICATED_USERS), "READ")],
        "log-delivery-write": [(_group(LOG_DELIVERY), "WRITE"), (_group(LOG_DELIVERY), "READ_ACP")],
    }
    if canned not in extra:
        raise ServiceError(
            "", code="InvalidArgument", ArgumentName="x-amz-acl", ArgumentValue=canned
        )
    return [full] + [{"Grantee": g, "Permission": p} for g, p in extra[canned]]


def _header_grants(headers: dict[str, str | None]) -> Grants:
    """Grants from ``x-amz-grant-<permission>`` headers (``id="..", uri=".."``)."""
    grants: Grants = []
    for permission, value in headers.items():
        if not value:
            continue
        for kind, ident in _GRANT_ITEM.findall(value):
            if kind == "id":
                grantee = {"Type": "CanonicalUser", "ID": ident}
            elif kind == "uri":
                grantee = _group(ident)
            else:
                grantee = {"Type": "AmazonCustomerByEmail", "EmailAddress": ident}
            grants.append({"Grantee": grantee, "Permission": permission})
    return grants


def _policy_grants(policy: dict[str, Any]) -> Grants:
    grants: Grants = []
    for grant in policy.get("Grants") or []:
        grantee = dict(grant.get("Grantee") or {})
        if grant.get("Permission") not in _PERMISSIONS or grantee.get("Type") not in (
            "CanonicalUser",
            "Group",
            "AmazonCustomerByEmail",
        ):
            raise malformed_xml()
        grants.append({"Grantee": grantee, "Permission": grant["Permission"]})
    return grants


def _ownership(bucket: Bucket) -> str | None:
    config = bucket.configs.get("ownership", DEFAULT_OWNERSHIP)
    return config["Rules"][0]["ObjectOwnership"] if config else None


def check_acl_allowed(bucket: Bucket, canned: str | None, grants: Grants | None = None) -> None:
    """``AccessControlListNotSupported`` when the bucket has ACLs disabled."""
    if _ownership(bucket) != "BucketOwnerEnforced":
        return
    if canned is not None and canned in _ALLOWED_WHEN_ENFORCED:
        return
    if (
        canned is None
        and grants is not None
        and all(
            g["Grantee"].get("ID") == canonical_id(bucket.account_id)
            and g["Permission"] == "FULL_CONTROL"
            for g in grants
        )
    ):
        return
    raise ServiceError("The bucket does not allow ACLs", code="AccessControlListNotSupported")


def _requested_grants(
    account_id: str,
    acl: str | None,
    access_control_policy: dict[str, Any] | None,
    headers: dict[str, str | None],
) -> Grants:
    given = sum(x is not None for x in (acl, access_control_policy)) + any(headers.values())
    if given > 1:
        raise ServiceError(
            "Specifying both Canned ACLs and Header Grants is not allowed",
            code="InvalidRequest",
        )
    if acl is not None:
        return canned_grants(acl, account_id)
    if access_control_policy is not None:
        return _policy_grants(access_control_policy)
    if any(headers.values()):
        return _header_grants(headers)
    raise ServiceError(
        "Your request was missing a required header",
        code="MissingSecurityHeader",
        MissingHeaderName="x-amz-acl",
    )


def _output(account_id: str, grants: Grants | None) -> Output:
    listed = grants if grants is not None else canned_grants("private", account_id)
    return {"Owner": owner(account_id), "Grants": listed}


# -- operations --------------------------------------------------------------------------------


def put_bucket_acl(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    acl: str | None = None,
    access_control_policy: dict[str, Any] | None = None,
    grant_full_control: str | None = None,
    grant_read: str | None = None,
    grant_read_acp: str | None = None,
    grant_write: str | None = None,
    grant_write_acp: str | None = None,
) -> Output:
    headers = {
        "FULL_CONTROL": grant_full_control,
        "READ": grant_read,
        "READ_ACP": grant_read_acp,
        "WRITE": grant_write,
        "WRITE_ACP": grant_write_acp,
    }

    def put(tx: Tx) -> None:
        found = db.require_bucket(tx, bucket)
        grants = _requested_grants(found.account_id, acl, access_control_policy, headers)
        check_acl_allowed(found, acl, grants)
        found.configs["acl"] = grants
        db.put_bucket(tx, found)

    s3.store.write(put)
    return {}


def get_bucket_acl(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    found = s3.store.read(lambda tx: db.require_bucket(tx, bucket))
    return _output(found.account_id, found.configs.get("acl"))


def put_object_acl(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    key: str,
    acl: str | None = None,
    access_control_policy: dict[str, Any] | None = None,
    grant_full_control: str | None = None,
    grant_read: str | None = None,
    grant_read_acp: str | None = None,
    grant_write_acp: str | None = None,
    version_id: str | None = None,
) -> Output:
    headers = {
        "FULL_CONTROL": grant_full_control,
        "READ": grant_read,
        "READ_ACP": grant_read_acp,
        "WRITE_ACP": grant_write_acp,
    }

    actor = actor_of(ctx)

    def put(tx: Tx) -> None:
        found, obj = versions.read_version(tx, bucket, key, version_id, "PUT")
        grants = _requested_grants(found.account_id, acl, access_control_policy, headers)
        check_acl_allowed(found, acl, grants)
        obj.acl = grants
        versions.save_version(tx, bucket, obj)
        notify(tx, found, "ObjectAcl:Put", obj, actor)

    s3.store.write(put)
    return {}


def get_object_acl(
    s3: Host, ctx: RequestContext, bucket: str, key: str, version_id: str | None = None
) -> Output:
    found, obj = s3.store.read(lambda tx: versions.read_version(tx, bucket, key, version_id))
    return _output(found.account_id, obj.acl)
