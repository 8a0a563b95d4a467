"""User operations: create, read, list and delete users.

What users share with roles (tags, inline and attached policies) is in
:mod:`kumo.services.iam.principals`; their access keys in :mod:`kumo.services.iam.keys`.
"""

from __future__ import annotations

from kumo.aws.context import RequestContext
from kumo.services.iam import entities
from kumo.services.iam import store as db
from kumo.services.iam.errors import non_user_caller
from kumo.services.iam.host import Host, Output, Tags
from kumo.services.iam.models import caller_of, new_user, root_arn
from kumo.services.iam.principals import list_page

__all__ = ["create_user", "delete_user", "get_user", "list_users"]


def create_user(
    iam: Host,
    ctx: RequestContext,
    user_name: str,
    path: str | None = None,
    permissions_boundary: str | None = None,
    tags: Tags | None = None,
) -> Output:
    user = new_user(
        ctx.account_id,
        user_name,
        path=path,
        permissions_boundary=permissions_boundary,
        tags=tags,
    )
    iam.store.write(lambda tx: entities.create(tx, user))
    return {"User": user.to_wire()}


def get_user(iam: Host, ctx: RequestContext, user_name: str | None = None) -> Output:
    caller = caller_of(ctx)
    name = user_name if user_name is not None else caller.user_name
    if name is None:
        if caller.is_root:
            # the root user has no name, path or creation record of its own in kumo
            return {"User": {"UserId": caller.account_id, "Arn": root_arn(caller.account_id)}}
        raise non_user_caller()
    user = iam.store.read(lambda tx: db.require_user(tx, ctx.account_id, name))
    return {"User": user.to_wire()}


def list_users(
    iam: Host,
    ctx: RequestContext,
    path_prefix: str | None = None,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    return list_page(iam, ctx, db.list_users, "Users", path_prefix, marker, max_items)


def delete_user(iam: Host, ctx: RequestContext, user_name: str) -> Output:
    iam.store.write(lambda tx: entities.delete(tx, ctx.account_id, db.USER, user_name))
    return {}
