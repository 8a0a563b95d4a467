"""Role operations: create, read, list, update and delete roles, their trust policy and
permissions boundary.

What roles share with users (tags, inline and attached policies) is in
:mod:`kumo.services.iam.principals`.
"""

from __future__ import annotations

from kumo.aws.context import RequestContext
from kumo.services.iam import entities
from kumo.services.iam import store as db
from kumo.services.iam.documents import validate_trust_policy
from kumo.services.iam.host import Host, Output, Tags
from kumo.services.iam.models import new_role, parse_policy_arn
from kumo.services.iam.principals import list_page
from kumo.services.iam.rules import check_description, check_range

__all__ = [
    "create_role",
    "delete_role",
    "delete_role_permissions_boundary",
    "get_role",
    "list_roles",
    "put_role_permissions_boundary",
    "update_assume_role_policy",
    "update_role",
    "update_role_description",
]


def create_role(
    iam: Host,
    ctx: RequestContext,
    role_name: str,
    assume_role_policy_document: str,
    path: str | None = None,
    description: str | None = None,
    max_session_duration: int | None = None,
    permissions_boundary: str | None = None,
    tags: Tags | None = None,
) -> Output:
    role = new_role(
        ctx.account_id,
        role_name,
        assume_role_policy_document,
        path=path,
        description=description,
        max_session_duration=max_session_duration,
        permissions_boundary=permissions_boundary,
        tags=tags,
    )
    iam.store.write(lambda tx: entities.create(tx, role))
    wire = role.to_wire()
    del wire["RoleLastUsed"]
    return {"Role": wire}


def get_role(iam: Host, ctx: RequestContext, role_name: str) -> Output:
    role = iam.store.read(lambda tx: db.require_role(tx, ctx.account_id, role_name))
    return {"Role": role.to_wire()}


def list_roles(
    iam: Host,
    ctx: RequestContext,
    path_prefix: str | None = None,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    return list_page(iam, ctx, db.list_roles, "Roles", path_prefix, marker, max_items)


def delete_role(iam: Host, ctx: RequestContext, role_name: str) -> Output:
    iam.store.write(lambda tx: entities.delete(tx, ctx.account_id, db.ROLE, role_name))
    return {}


def update_role(
    iam: Host,
    ctx: RequestContext,
    role_name: str,
    description: str | None = None,
    max_session_duration: int | None = None,
) -> Output:
    if description is not None:
        check_description(description)
    if max_session_duration is not None:
        check_range(max_session_duration, "maxSessionDuration", 3600, 43200)
    iam.store.write(
        lambda tx: entities.update_role(
            tx, ctx.account_id, role_name, description, max_session_duration
        )
    )
    return {}


def update_role_description(
    iam: Host, ctx: RequestContext, role_name: str, description: str
) -> Output:
    check_description(description)
    role = iam.store.write(
        lambda tx: entities.update_role(tx, ctx.account_id, role_name, description)
    )
    return {"Role": role.to_wire()}


def update_assume_role_policy(
    iam: Host, ctx: RequestContext, role_name: str, policy_document: str
) -> Output:
    validate_trust_policy(policy_document)
    iam.store.write(
        lambda tx: entities.update_role(tx, ctx.account_id, role_name, trust_policy=policy_document)
    )
    return {}


def put_role_permissions_boundary(
    iam: Host, ctx: RequestContext, role_name: str, permissions_boundary: str
) -> Output:
    parse_policy_arn(permissions_boundary)
    iam.store.write(
        lambda tx: entities.set_boundary(
            tx, ctx.account_id, db.ROLE, role_name, permissions_boundary
        )
    )
    return {}


def delete_role_permissions_boundary(iam: Host, ctx: RequestContext, role_name: str) -> Output:
    iam.store.write(lambda tx: entities.set_boundary(tx, ctx.account_id, db.ROLE, role_name, None))
    return {}
