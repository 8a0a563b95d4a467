"""Long-term access keys of IAM users (and of the account root), inside one transaction.

An operation without ``UserName`` acts on the caller: the IAM user who signed, or the
account root. A key created here is stored with the principal it signs for, so the wire
layer can verify requests signed with it (see :func:`store.lookup_access_key`).
"""

from __future__ import annotations

from typing import Any

from kumo.aws.errors import ServiceError
from kumo.services.iam import store as db
from kumo.services.iam.errors import (
    limit_exceeded,
    no_such_entity,
    non_user_caller,
    validation_error,
)
from kumo.services.iam.models import (
    ACTIVE,
    INACTIVE,
    MAX_ACCESS_KEYS_PER_USER,
    AccessKey,
    Caller,
    User,
    new_access_key_id,
    new_secret_access_key,
    utcnow,
)
from kumo.storage.base import Tx

__all__ = ["create", "delete", "last_used", "list_keys", "update"]


def _owner(tx: Tx, caller: Caller, user_name: str | None) -> User | None:
    """The user the operation acts on; None for the account root."""
    if user_name is not None:
        return db.require_user(tx, caller.account_id, user_name)
    if caller.is_root:
        return None
    own_name = caller.user_name
    if own_name is None:
        raise non_user_caller()
    return db.require_user(tx, caller.account_id, own_name)


def create(tx: Tx, caller: Caller, user_name: str | None) -> AccessKey:
    owner = _owner(tx, caller, user_name)
    name = owner.name if owner is not None else None
    if len(db.user_access_keys(tx, caller.account_id, name)) >= MAX_ACCESS_KEYS_PER_USER:
        raise limit_exceeded(
            f"Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS_PER_USER}"
        )
    access_key = AccessKey(
        access_key_id=new_access_key_id(),
        secret_access_key=new_secret_access_key(),
        account_id=caller.account_id,
        arn=owner.arn if owner is not None else caller.arn,
        user_id=owner.user_id if owner is not None else caller.account_id,
        create_date=utcnow(),
        user_name=name,
    )
    db.put_access_key(tx, access_key)
    return access_key


def _find(tx: Tx, caller: Caller, user_name: str | None, access_key_id: str) -> AccessKey:
    owner = _owner(tx, caller, user_name)
    wanted = (owner.name if owner is not None else "").lower()
    found = db.get_access_key(tx, access_key_id)
    if (
        found is None
        or found.session_token is not None
        or found.account_id != caller.account_id
        or (found.user_name or "").lower() != wanted
    ):
        raise no_such_entity(f"The Access Key with id {access_key_id} cannot be found.")
    return found


def list_keys(tx: Tx, caller: Caller, user_name: str | None) -> list[AccessKey]:
    owner = _owner(tx, caller, user_name)
    keys = db.user_access_keys(tx, caller.account_id, owner.name if owner else None)
    return sorted(keys, key=lambda k: (k.create_date, k.access_key_id))


def delete(tx: Tx, caller: Caller, user_name: str | None, access_key_id: str) -> None:
    db.delete_access_key(tx, _find(tx, caller, user_name, access_key_id))


def update(tx: Tx, caller: Caller, user_name: str | None, access_key_id: str, status: str) -> None:
    if status not in (ACTIVE, INACTIVE):
        raise validation_error(
            status, "status", "Member must satisfy enum value set: [Active, Inactive, Expired]"
        )
    found = _find(tx, caller, user_name, access_key_id)
    found.status = status
    db.put_access_key(tx, found)


def last_used(tx: Tx, caller: Caller, access_key_id: str) -> dict[str, Any]:
    """GetAccessKeyLastUsed: kumo does not track use, so it reports none, as for a new key."""
    found = db.get_access_key(tx, access_key_id)
    if found is None or found.account_id != caller.account_id:
        raise ServiceError(
            f"The Access Key with id {access_key_id} cannot be found",
            code="AccessDenied",
            status=403,
        )
    out: dict[str, Any] = {"AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}
    if found.user_name is not None:
        out["UserName"] = found.user_name
    return out
