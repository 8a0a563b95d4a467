"""What IAM does to its principals, roles and users, inside one transaction.

Roles and users share most rules — inline policies, attached managed policies, tags and a
permissions boundary — so the functions here take the entity ``kind`` (``role`` or
``user``). Each function checks the state it needs and raises the error AWS returns.
"""

from __future__ import annotations

from kumo.aws.errors import ServiceError
from kumo.services.iam import store as db
from kumo.services.iam.documents import ROLE_INLINE_MAX, USER_INLINE_MAX, policy_size
from kumo.services.iam.errors import (
    delete_conflict,
    entity_exists,
    limit_exceeded,
    no_such_entity,
)
from kumo.services.iam.models import Role, User
from kumo.services.iam.rules import merge_tags, remove_tags
from kumo.storage.base import Tx

__all__ = [
    "MAX_ATTACHED",
    "attach",
    "create",
    "delete",
    "delete_inline",
    "detach",
    "get_inline",
    "put_inline",
    "set_boundary",
    "tag",
    "untag",
    "update_role",
]

# AWS lets an account raise the managed policies per role or user from 10 to 20; kumo
# allows the most, so whatever works in some AWS account works here.
MAX_ATTACHED = 20

Entity = Role | User


def _kind(entity: Entity) -> str:
    return db.ROLE if isinstance(entity, Role) else db.USER


def _require_boundary(tx: Tx, account_id: str, arn: str) -> None:
    if db.get_policy(tx, account_id, arn) is None:
        raise no_such_entity(f"Scope ARN: {arn} does not exist or is not attachable.")


def create(tx: Tx, entity: Entity) -> None:
    """Store a new role or user; EntityAlreadyExists when the name is taken (in any case)."""
    kind = _kind(entity)
    existing = (
        db.get_role(tx, entity.account_id, entity.name)
        if kind == db.ROLE
        else db.get_user(tx, entity.account_id, entity.name)
    )
    if existing is not None:
        label = "Role" if kind == db.ROLE else "User"
        raise entity_exists(f"{label} with name {entity.name} already exists.")
    if entity.permissions_boundary:
        _require_boundary(tx, entity.account_id, entity.permissions_boundary)
        db.add_attachment(
            tx, entity.account_id, entity.permissions_boundary, db.BOUNDARY, kind, entity.name
        )
    db.put_entity(tx, entity)


def delete(tx: Tx, account_id: str, kind: str, name: str) -> None:
    """Remove a role or user that no longer has policies (or, for users, access keys)."""
    entity = db.require_entity(tx, account_id, kind, name)
    if kind == db.USER and db.user_access_keys(tx, account_id, entity.name):
        raise delete_conflict("Cannot delete entity, must delete access keys first.")
    if entity.attached:
        raise delete_conflict("Cannot delete entity, must detach all policies first.")
    if db.list_inline(tx, account_id, kind, entity.name):
        raise delete_conflict("Cannot delete entity, must delete policies first.")
    if entity.permissions_boundary:
        db.remove_attachment(
            tx, account_id, entity.permissions_boundary, db.BOUNDARY, kind, entity.name
        )
    db.delete_entity(tx, entity)


def update_role(
    tx: Tx,
    account_id: str,
    name: str,
    description: str | None = None,
    max_session_duration: int | None = None,
    trust_policy: str | None = None,
) -> Role:
    """Change what is given of a role's description, session limit and trust policy."""
    role = db.require_role(tx, account_id, name)
    if description is not None:
        role.description = description
    if max_session_duration is not None:
        role.max_session_duration = max_session_duration
    if trust_policy is not None:
        role.assume_role_policy = trust_policy
    db.put_role(tx, role)
    return role


def set_boundary(tx: Tx, account_id: str, kind: str, name: str, arn: str | None) -> None:
    """Set (``arn``) or remove (None) the entity's permissions boundary."""
    entity = db.require_entity(tx, account_id, kind, name)
    if arn is not None:
        _require_boundary(tx, account_id, arn)
    if entity.permissions_boundary:
        db.remove_attachment(
            tx, account_id, entity.permissions_boundary, db.BOUNDARY, kind, entity.name
        )
    if arn is not None:
        db.add_attachment(tx, account_id, arn, db.BOUNDARY, kind, entity.name)
    entity.permissions_boundary = arn
    db.put_entity(tx, entity)


def tag(tx: Tx, account_id: str, kind: str, name: str, tags: list[dict[str, str]]) -> None:
    entity = db.require_entity(tx, account_id, kind, name)
    entity.tags = merge_tags(entity.tags, tags)
    db.put_entity(tx, entity)


def untag(tx: Tx, account_id: str, kind: str, name: str, keys: list[str]) -> None:
    entity = db.require_entity(tx, account_id, kind, name)
    entity.tags = remove_tags(entity.tags, keys)
    db.put_entity(tx, entity)


# -- inline policies -----------------------------------------------------------------------


def _inline_missing(kind: str, policy_name: str) -> ServiceError:
    return no_such_entity(f"The {kind} policy with name {policy_name} cannot be found.")


def put_inline(
    tx: Tx, account_id: str, kind: str, name: str, policy_name: str, document: str
) -> None:
    """Add or replace an inline policy, within the entity's total inline size quota."""
    entity = db.require_entity(tx, account_id, kind, name)
    others = db.list_inline(tx, account_id, kind, entity.name)
    others.pop(policy_name, None)
    total = policy_size(document) + sum(policy_size(doc) for doc in others.values())
    limit = ROLE_INLINE_MAX if kind == db.ROLE else USER_INLINE_MAX
    if total > limit:
        raise limit_exceeded(
            f"Maximum policy size of {limit} bytes exceeded for {kind} {entity.name}"
        )
    db.put_inline(tx, account_id, kind, entity.name, policy_name, document)


def get_inline(
    tx: Tx, account_id: str, kind: str, name: str, policy_name: str
) -> tuple[Entity, str]:
    """The entity and the document of its inline policy ``policy_name``."""
    entity = db.require_entity(tx, account_id, kind, name)
    document = db.get_inline(tx, account_id, kind, entity.name, policy_name)
    if document is None:
        raise _inline_missing(kind, policy_name)
    return entity, document


def delete_inline(tx: Tx, account_id: str, kind: str, name: str, policy_name: str) -> None:
    entity = db.require_entity(tx, account_id, kind, name)
    if not db.delete_inline(tx, account_id, kind, entity.name, policy_name):
        raise _inline_missing(kind, policy_name)


def inline_names(tx: Tx, account_id: str, kind: str, name: str) -> list[str]:
    entity = db.require_entity(tx, account_id, kind, name)
    return sorted(db.list_inline(tx, account_id, kind, entity.name))


# -- attached managed policies -------------------------------------------------------------


def attach(tx: Tx, account_id: str, kind: str, name: str, arn: str) -> None:
    """Attach a managed policy (a second attach of the same policy changes nothing)."""
    entity = db.require_entity(tx, account_id, kind, name)
    if db.get_policy(tx, account_id, arn) is None:
        raise no_such_entity(f"Policy {arn} does not exist or is not attachable.")
    if arn in entity.attached:
        return
    if len(entity.attached) >= MAX_ATTACHED:
        quota = "PoliciesPerRole" if kind == db.ROLE else "PoliciesPerUser"
        raise limit_exceeded(f"Cannot exceed quota for {quota}: {MAX_ATTACHED}")
    entity.attached.append(arn)
    db.add_attachment(tx, account_id, arn, db.PERMISSIONS, kind, entity.name)
    db.put_entity(tx, entity)


def detach(tx: Tx, account_id: str, kind: str, name: str, arn: str) -> None:
    entity = db.require_entity(tx, account_id, kind, name)
    if arn not in entity.attached:
        raise no_such_entity(f"Policy {arn} was not found.")
    entity.attached.remove(arn)
    db.remove_attachment(tx, account_id, arn, db.PERMISSIONS, kind, entity.name)
    db.put_entity(tx, entity)
