"""Managed policy operations: create, read, list and delete policies, their versions, their
tags, and the entities that use them.

The rules these apply in a transaction are in :mod:`kumo.services.iam.policies`.
"""

from __future__ import annotations

from collections.abc import Callable

from kumo.aws.context import RequestContext
from kumo.services.iam import policies
from kumo.services.iam import store as db
from kumo.services.iam.documents import validate_identity_policy
from kumo.services.iam.host import Host, Output, Tags
from kumo.services.iam.models import caller_of, new_policy
from kumo.services.iam.paging import by_position, paginate, tags_page
from kumo.services.iam.rules import check_policy_path
from kumo.storage.base import Tx

__all__ = [
    "create_policy",
    "create_policy_version",
    "delete_policy",
    "delete_policy_version",
    "get_policy",
    "get_policy_version",
    "list_entities_for_policy",
    "list_policies",
    "list_policy_tags",
    "list_policy_versions",
    "set_default_policy_version",
    "tag_policy",
    "untag_policy",
]


def create_policy(
    iam: Host,
    ctx: RequestContext,
    policy_name: str,
    policy_document: str,
    path: str | None = None,
    description: str | None = None,
    tags: Tags | None = None,
) -> Output:
    policy = new_policy(
        ctx.account_id,
        policy_name,
        policy_document,
        path=path,
        description=description,
        tags=tags,
    )
    iam.store.write(lambda tx: policies.create(tx, policy))
    return {"Policy": policy.to_wire()}


def get_policy(iam: Host, ctx: RequestContext, policy_arn: str) -> Output:
    def read(tx: Tx) -> Output:
        policy = db.require_policy(tx, ctx.account_id, policy_arn)
        return policies.describe(tx, ctx.account_id, policy)

    return {"Policy": iam.store.read(read)}


def delete_policy(iam: Host, ctx: RequestContext, policy_arn: str) -> Output:
    caller = caller_of(ctx).arn
    iam.store.write(lambda tx: policies.delete(tx, ctx.account_id, policy_arn, caller))
    return {}


def list_policies(
    iam: Host,
    ctx: RequestContext,
    scope: str | None = None,
    only_attached: bool | None = None,
    path_prefix: str | None = None,
    policy_usage_filter: str | None = None,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    prefix = path_prefix or "/"
    check_policy_path(prefix, "pathPrefix")
    found = iam.store.read(
        lambda tx: policies.list_policies(
            tx,
            ctx.account_id,
            scope=scope or "All",
            only_attached=bool(only_attached),
            path_prefix=prefix,
            usage=policy_usage_filter,
        )
    )
    page, more = paginate(
        found, lambda p: f"{p['PolicyName'].lower()}\x00{p['Arn']}", marker, max_items
    )
    return {"Policies": page, **more}


def list_entities_for_policy(
    iam: Host,
    ctx: RequestContext,
    policy_arn: str,
    entity_filter: str | None = None,
    path_prefix: str | None = None,
    policy_usage_filter: str | None = None,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    found = iam.store.read(
        lambda tx: policies.entities_for(
            tx,
            ctx.account_id,
            policy_arn,
            entity_filter=entity_filter,
            path_prefix=path_prefix or "/",
            usage=policy_usage_filter,
        )
    )
    # one page holds everything: an account has few entities per policy
    return {**found, "IsTruncated": False}


# -- versions --------------------------------------------------------------------------------


def get_policy_version(iam: Host, ctx: RequestContext, policy_arn: str, version_id: str) -> Output:
    policies.check_version_id(version_id)
    version = iam.store.read(
        lambda tx: policies.get_version(tx, ctx.account_id, policy_arn, version_id)
    )
    return {"PolicyVersion": version}


def create_policy_version(
    iam: Host,
    ctx: RequestContext,
    policy_arn: str,
    policy_document: str,
    set_as_default: bool | None = None,
) -> Output:
    validate_identity_policy(policy_document, managed=True)
    caller = caller_of(ctx).arn
    version = iam.store.write(
        lambda tx: policies.create_version(
            tx, ctx.account_id, policy_arn, policy_document, bool(set_as_default), caller
        )
    )
    return {"PolicyVersion": version}


def list_policy_versions(
    iam: Host,
    ctx: RequestContext,
    policy_arn: str,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    versions = iam.store.read(lambda tx: policies.list_versions(tx, ctx.account_id, policy_arn))
    page, more = paginate(by_position(versions), lambda p: p[0], marker, max_items)
    return {"Versions": [version for _, version in page], **more}


# policies.delete_version or policies.set_default_version:
# (tx, account id, policy ARN, version id, caller ARN)
VersionChange = Callable[[Tx, str, str, str, str], None]


def _change_version(
    iam: Host, ctx: RequestContext, change: VersionChange, policy_arn: str, version_id: str
) -> Output:
    policies.check_version_id(version_id)
    caller = caller_of(ctx).arn
    iam.store.write(lambda tx: change(tx, ctx.account_id, policy_arn, version_id, caller))
    return {}


def delete_policy_version(
    iam: Host, ctx: RequestContext, policy_arn: str, version_id: str
) -> Output:
    return _change_version(iam, ctx, policies.delete_version, policy_arn, version_id)


def set_default_policy_version(
    iam: Host, ctx: RequestContext, policy_arn: str, version_id: str
) -> Output:
    return _change_version(iam, ctx, policies.set_default_version, policy_arn, version_id)


# -- tags ------------------------------------------------------------------------------------


def tag_policy(iam: Host, ctx: RequestContext, policy_arn: str, tags: Tags) -> Output:
    caller = caller_of(ctx).arn
    iam.store.write(lambda tx: policies.tag(tx, ctx.account_id, policy_arn, tags, caller))
    return {}


def untag_policy(iam: Host, ctx: RequestContext, policy_arn: str, tag_keys: list[str]) -> Output:
    caller = caller_of(ctx).arn
    iam.store.write(lambda tx: policies.untag(tx, ctx.account_id, policy_arn, tag_keys, caller))
    return {}


def list_policy_tags(
    iam: Host,
    ctx: RequestContext,
    policy_arn: str,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    policy = iam.store.read(lambda tx: db.require_policy(tx, ctx.account_id, policy_arn))
    return tags_page(policy.tags, marker, max_items)
