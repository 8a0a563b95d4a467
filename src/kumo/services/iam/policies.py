"""What IAM does to managed policies and their versions, inside one transaction.

A customer managed policy keeps up to five versions, one of them the default; AWS managed
policies come from the built-in catalogue and cannot be changed. Attachment counts are
read from the attachments index, so they are always those of the caller's account.
"""

from __future__ import annotations

import re
from typing import Any

from kumo.services.iam import store as db
from kumo.services.iam.errors import (
    access_denied,
    delete_conflict,
    entity_exists,
    limit_exceeded,
    no_such_entity,
    validation_error,
)
from kumo.services.iam.models import (
    MAX_POLICY_VERSIONS,
    ManagedPolicy,
    PolicyVersion,
    utcnow,
)
from kumo.services.iam.rules import merge_tags, remove_tags
from kumo.storage.base import Tx

__all__ = [
    "check_version_id",
    "create",
    "create_version",
    "delete",
    "delete_version",
    "describe",
    "entities_for",
    "get_version",
    "list_policies",
    "list_versions",
    "set_default_version",
    "tag",
    "untag",
]

_VERSION_ID_PATTERN = r"v[1-9][0-9]*(\.[A-Za-z0-9-]*)?"


def create(tx: Tx, policy: ManagedPolicy) -> None:
    if db.get_policy_by_name(tx, policy.account_id, policy.name) is not None:
        raise entity_exists(
            f"A policy called {policy.name} already exists. Duplicate names are not allowed."
        )
    db.put_policy(tx, policy)


def describe(
    tx: Tx, account_id: str, policy: ManagedPolicy, *, detail: bool = True
) -> dict[str, Any]:
    """The ``Policy`` shape, with the account's attachment counts."""
    attachments, boundaries = db.attachment_counts(tx, account_id, policy.arn)
    return policy.to_wire(attachments, boundaries, detail=detail)


def _own(tx: Tx, account_id: str, arn: str, action: str, caller_arn: str) -> ManagedPolicy:
    """A policy the caller may change: it exists and is not AWS managed."""
    policy = db.require_policy(tx, account_id, arn)
    if policy.is_aws_managed:
        raise access_denied(
            f"User: {caller_arn} is not authorized to perform: iam:{action} on resource: "
            f"policy {arn}"
        )
    return policy


def delete(tx: Tx, account_id: str, arn: str, caller_arn: str) -> None:
    policy = _own(tx, account_id, arn, "DeletePolicy", caller_arn)
    if db.policy_entities(tx, account_id, arn):
        raise delete_conflict("Cannot delete a policy attached to entities.")
    if len(policy.versions) > 1:
        raise delete_conflict(
            "This policy has more than one version. Before you delete a policy, you must "
            "delete the policy's versions. The default version is deleted with the policy."
        )
    db.delete_policy(tx, policy)


def _version(policy: ManagedPolicy, version_id: str) -> PolicyVersion:
    version = policy.version(version_id)
    if version is None:
        raise no_such_entity(
            f"Policy {policy.arn} version {version_id} does not exist or is not attachable."
        )
    return version


def check_version_id(version_id: str) -> None:
    if not re.fullmatch(_VERSION_ID_PATTERN, version_id):
        raise validation_error(
            version_id,
            "versionId",
            f"Member must satisfy regular expression pattern: {_VERSION_ID_PATTERN}",
        )


def create_version(
    tx: Tx, account_id: str, arn: str, document: str, set_default: bool, caller_arn: str
) -> dict[str, Any]:
    """Add a version (the new default with ``set_default``); return its ``PolicyVersion``."""
    policy = _own(tx, account_id, arn, "CreatePolicyVersion", caller_arn)
    if len(policy.versions) >= MAX_POLICY_VERSIONS:
        raise limit_exceeded(
            f"A managed policy can have up to {MAX_POLICY_VERSIONS} versions. Before you "
            "create a new version, you must delete an existing version."
        )
    now = utcnow()
    version = PolicyVersion(f"v{policy.next_version}", document, now)
    policy.next_version += 1
    policy.versions.append(version)
    if set_default:
        policy.default_version_id = version.version_id
        policy.update_date = now
    db.put_policy(tx, policy)
    return version.to_wire(policy.default_version_id, document=False)


def get_version(tx: Tx, account_id: str, arn: str, version_id: str) -> dict[str, Any]:
    policy = db.require_policy(tx, account_id, arn)
    return _version(policy, version_id).to_wire(policy.default_version_id)


def list_versions(tx: Tx, account_id: str, arn: str) -> list[dict[str, Any]]:
    """The policy's versions, newest first (documents left out, as AWS does)."""
    policy = db.require_policy(tx, account_id, arn)
    ordered = sorted(policy.versions, key=lambda v: v.create_date, reverse=True)
    return [v.to_wire(policy.default_version_id, document=False) for v in ordered]


def delete_version(tx: Tx, account_id: str, arn: str, version_id: str, caller_arn: str) -> None:
    policy = _own(tx, account_id, arn, "DeletePolicyVersion", caller_arn)
    version = _version(policy, version_id)
    if version.version_id == policy.default_version_id:
        raise delete_conflict("Cannot delete the default version of a policy.")
    policy.versions.remove(version)
    db.put_policy(tx, policy)


def set_default_version(
    tx: Tx, account_id: str, arn: str, version_id: str, caller_arn: str
) -> None:
    policy = _own(tx, account_id, arn, "SetDefaultPolicyVersion", caller_arn)
    _version(policy, version_id)
    policy.default_version_id = version_id
    policy.update_date = utcnow()
    db.put_policy(tx, policy)


def list_policies(
    tx: Tx,
    account_id: str,
    *,
    scope: str,
    only_attached: bool,
    path_prefix: str,
    usage: str | None,
) -> list[dict[str, Any]]:
    """``Policy`` shapes (without description and tags) matching ListPolicies' filters."""
    found = db.list_policies(
        tx, account_id, local=scope in ("All", "Local"), aws=scope in ("All", "AWS")
    )
    out = []
    for policy in found:
        if not policy.path.startswith(path_prefix):
            continue
        wire = describe(tx, account_id, policy, detail=False)
        attachments = wire["AttachmentCount"]
        boundaries = wire["PermissionsBoundaryUsageCount"]
        if usage == "PermissionsBoundary":
            in_use = boundaries
        elif usage == "PermissionsPolicy":
            in_use = attachments
        else:
            in_use = attachments + boundaries
        if (only_attached or usage == "PermissionsBoundary") and not in_use:
            continue
        out.append(wire)
    return out


def tag(tx: Tx, account_id: str, arn: str, tags: list[dict[str, str]], caller_arn: str) -> None:
    policy = _own(tx, account_id, arn, "TagPolicy", caller_arn)
    policy.tags = merge_tags(policy.tags, tags)
    db.put_policy(tx, policy)


def untag(tx: Tx, account_id: str, arn: str, keys: list[str], caller_arn: str) -> None:
    policy = _own(tx, account_id, arn, "UntagPolicy", caller_arn)
    policy.tags = remove_tags(policy.tags, keys)
    db.put_policy(tx, policy)


def entities_for(
    tx: Tx,
    account_id: str,
    arn: str,
    *,
    entity_filter: str | None,
    path_prefix: str,
    usage: str | None,
) -> dict[str, list[dict[str, str]]]:
    """The roles and users that use the policy (ListEntitiesForPolicy), by kind."""
    db.require_policy(tx, account_id, arn)
    roles: list[dict[str, str]] = []
    users: list[dict[str, str]] = []
    wanted_use = {"PermissionsPolicy": db.PERMISSIONS, "PermissionsBoundary": db.BOUNDARY}
    for item in db.policy_entities(tx, account_id, arn):
        if usage is not None and item["use"] != wanted_use.get(usage):
            continue
        if item["kind"] == db.ROLE and entity_filter in (None, "Role"):
            role = db.get_role(tx, account_id, item["entity"])
            if role is not None and role.path.startswith(path_prefix):
                roles.append({"RoleName": role.name, "RoleId": role.role_id})
        elif item["kind"] == db.USER and entity_filter in (None, "User"):
            user = db.get_user(tx, account_id, item["entity"])
            if user is not None and user.path.startswith(path_prefix):
                users.append({"UserName": user.name, "UserId": user.user_id})
    return {"PolicyGroups": [], "PolicyUsers": users, "PolicyRoles": roles}
