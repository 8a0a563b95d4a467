"""Operations roles and users share: listing them, their tags, their inline policies and
the managed policies attached to them.

Each pair of operations (``TagRole``/``TagUser``, ``PutRolePolicy``/``PutUserPolicy``, ...)
runs one helper here given the entity ``kind`` (``role`` or ``user``) and its name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from kumo.aws.context import RequestContext
from kumo.services.iam import entities
from kumo.services.iam import store as db
from kumo.services.iam.documents import url_encode, validate_identity_policy
from kumo.services.iam.host import Host, Output, Tags
from kumo.services.iam.models import Role, User, parse_policy_arn
from kumo.services.iam.paging import attached_page, paginate, tags_page
from kumo.services.iam.rules import check_name, check_path_prefix
from kumo.storage.base import Tx

__all__ = [
    "attach_role_policy",
    "attach_user_policy",
    "delete_role_policy",
    "delete_user_policy",
    "detach_role_policy",
    "detach_user_policy",
    "get_role_policy",
    "get_user_policy",
    "list_attached_role_policies",
    "list_attached_user_policies",
    "list_page",
    "list_role_policies",
    "list_role_tags",
    "list_user_policies",
    "list_user_tags",
    "put_role_policy",
    "put_user_policy",
    "tag_role",
    "tag_user",
    "untag_role",
    "untag_user",
]

ROLE = db.ROLE
USER = db.USER

E = TypeVar("E", Role, User)


def list_page(
    iam: Host,
    ctx: RequestContext,
    list_all: Callable[[Tx, str], list[E]],
    member: str,
    path_prefix: str | None,
    marker: str | None,
    max_items: int | None,
) -> Output:
    """A ListRoles / ListUsers output: the account's entities under ``path_prefix``, in
    ``member``."""
    prefix = path_prefix or "/"
    check_path_prefix(prefix)
    found = iam.store.read(lambda tx: list_all(tx, ctx.account_id))
    page, more = paginate(
        (e for e in found if e.path.startswith(prefix)),
        lambda e: e.name.lower(),
        marker,
        max_items,
    )
    return {member: [e.to_wire(detail=False) for e in page], **more}


# -- tags ------------------------------------------------------------------------------------


def _tag(iam: Host, ctx: RequestContext, kind: str, name: str, tags: Tags) -> Output:
    iam.store.write(lambda tx: entities.tag(tx, ctx.account_id, kind, name, tags))
    return {}


def tag_role(iam: Host, ctx: RequestContext, role_name: str, tags: Tags) -> Output:
    return _tag(iam, ctx, ROLE, role_name, tags)


def tag_user(iam: Host, ctx: RequestContext, user_name: str, tags: Tags) -> Output:
    return _tag(iam, ctx, USER, user_name, tags)


def _untag(iam: Host, ctx: RequestContext, kind: str, name: str, tag_keys: list[str]) -> Output:
    iam.store.write(lambda tx: entities.untag(tx, ctx.account_id, kind, name, tag_keys))
    return {}


def untag_role(iam: Host, ctx: RequestContext, role_name: str, tag_keys: list[str]) -> Output:
    return _untag(iam, ctx, ROLE, role_name, tag_keys)


def untag_user(iam: Host, ctx: RequestContext, user_name: str, tag_keys: list[str]) -> Output:
    return _untag(iam, ctx, USER, user_name, tag_keys)


def _list_tags(
    iam: Host,
    ctx: RequestContext,
    kind: str,
    name: str,
    marker: str | None,
    max_items: int | None,
) -> Output:
    entity = iam.store.read(lambda tx: db.require_entity(tx, ctx.account_id, kind, name))
    return tags_page(entity.tags, marker, max_items)


def list_role_tags(
    iam: Host,
    ctx: RequestContext,
    role_name: str,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    return _list_tags(iam, ctx, ROLE, role_name, marker, max_items)


def list_user_tags(
    iam: Host,
    ctx: RequestContext,
    user_name: str,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    return _list_tags(iam, ctx, USER, user_name, marker, max_items)


# -- inline policies -------------------------------------------------------------------------


def _put_inline(
    iam: Host, ctx: RequestContext, kind: str, name: str, policy_name: str, document: str
) -> Output:
    check_name(policy_name, "policyName", 128)
    validate_identity_policy(document)
    iam.store.write(
        lambda tx: entities.put_inline(tx, ctx.account_id, kind, name, policy_name, document)
    )
    return {}


def put_role_policy(
    iam: Host, ctx: RequestContext, role_name: str, policy_name: str, policy_document: str
) -> Output:
    return _put_inline(iam, ctx, ROLE, role_name, policy_name, policy_document)


def put_user_policy(
    iam: Host, ctx: RequestContext, user_name: str, policy_name: str, policy_document: str
) -> Output:
    return _put_inline(iam, ctx, USER, user_name, policy_name, policy_document)


def _get_inline(
    iam: Host, ctx: RequestContext, kind: str, name: str, policy_name: str
) -> tuple[Role | User, str]:
    entity, document = iam.store.read(
        lambda tx: entities.get_inline(tx, ctx.account_id, kind, name, policy_name)
    )
    return entity, url_encode(document)


def get_role_policy(iam: Host, ctx: RequestContext, role_name: str, policy_name: str) -> Output:
    role, document = _get_inline(iam, ctx, ROLE, role_name, policy_name)
    return {"RoleName": role.name, "PolicyName": policy_name, "PolicyDocument": document}


def get_user_policy(iam: Host, ctx: RequestContext, user_name: str, policy_name: str) -> Output:
    user, document = _get_inline(iam, ctx, USER, user_name, policy_name)
    return {"UserName": user.name, "PolicyName": policy_name, "PolicyDocument": document}


def _delete_inline(
    iam: Host, ctx: RequestContext, kind: str, name: str, policy_name: str
) -> Output:
    iam.store.write(lambda tx: entities.delete_inline(tx, ctx.account_id, kind, name, policy_name))
    return {}


def delete_role_policy(iam: Host, ctx: RequestContext, role_name: str, policy_name: str) -> Output:
    return _delete_inline(iam, ctx, ROLE, role_name, policy_name)


def delete_user_policy(iam: Host, ctx: RequestContext, user_name: str, policy_name: str) -> Output:
    return _delete_inline(iam, ctx, USER, user_name, policy_name)


def _list_inline(
    iam: Host,
    ctx: RequestContext,
    kind: str,
    name: str,
    marker: str | None,
    max_items: int | None,
) -> Output:
    names = iam.store.read(lambda tx: entities.inline_names(tx, ctx.account_id, kind, name))
    page, more = paginate(names, lambda n: n, marker, max_items)
    return {"PolicyNames": page, **more}


def list_role_policies(
    iam: Host,
    ctx: RequestContext,
    role_name: str,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    return _list_inline(iam, ctx, ROLE, role_name, marker, max_items)


def list_user_policies(
    iam: Host,
    ctx: RequestContext,
    user_name: str,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    return _list_inline(iam, ctx, USER, user_name, marker, max_items)


# -- attached managed policies ---------------------------------------------------------------

# entities.attach or entities.detach: (tx, account id, kind, name, policy ARN)
Change = Callable[[Tx, str, str, str, str], None]


def _change_attachment(
    iam: Host, ctx: RequestContext, change: Change, kind: str, name: str, policy_arn: str
) -> Output:
    parse_policy_arn(policy_arn)
    iam.store.write(lambda tx: change(tx, ctx.account_id, kind, name, policy_arn))
    return {}


def attach_role_policy(iam: Host, ctx: RequestContext, role_name: str, policy_arn: str) -> Output:
    return _change_attachment(iam, ctx, entities.attach, ROLE, role_name, policy_arn)


def attach_user_policy(iam: Host, ctx: RequestContext, user_name: str, policy_arn: str) -> Output:
    return _change_attachment(iam, ctx, entities.attach, USER, user_name, policy_arn)


def detach_role_policy(iam: Host, ctx: RequestContext, role_name: str, policy_arn: str) -> Output:
    return _change_attachment(iam, ctx, entities.detach, ROLE, role_name, policy_arn)


def detach_user_policy(iam: Host, ctx: RequestContext, user_name: str, policy_arn: str) -> Output:
    return _change_attachment(iam, ctx, entities.detach, USER, user_name, policy_arn)


def _list_attached(
    iam: Host,
    ctx: RequestContext,
    kind: str,
    name: str,
    path_prefix: str | None,
    marker: str | None,
    max_items: int | None,
) -> Output:
    entity = iam.store.read(lambda tx: db.require_entity(tx, ctx.account_id, kind, name))
    return attached_page(entity.attached, path_prefix, marker, max_items)


def list_attached_role_policies(
    iam: Host,
    ctx: RequestContext,
    role_name: str,
    path_prefix: str | None = None,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    return _list_attached(iam, ctx, ROLE, role_name, path_prefix, marker, max_items)


def list_attached_user_policies(
    iam: Host,
    ctx: RequestContext,
    user_name: str,
    path_prefix: str | None = None,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    return _list_attached(iam, ctx, USER, user_name, path_prefix, marker, max_items)
