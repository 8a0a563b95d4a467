"""IAM's tables: roles, users, managed and inline policies, attachments and credentials.

Every key starts with the account id, except credentials, which are found by access key id
alone (that is how a signed request names them). Names are IAM's case-insensitive
identifiers, so keys hold them lower-cased while records keep the spelling they were
created with. Functions here take a transaction; the provider chooses read or write.

:func:`lookup_access_key` is the entry point the wire layer uses to verify signatures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from kumo.services.iam.errors import no_such_entity
from kumo.services.iam.managed import aws_managed_policies, aws_managed_policy
from kumo.services.iam.models import (
    AWS_MANAGED_ACCOUNT,
    AccessKey,
    ManagedPolicy,
    Role,
    User,
    parse_policy_arn,
)
from kumo.storage.base import Store, Tx
from kumo.storage.keys import decode_key, key

__all__ = [
    "ACCESS_KEYS",
    "ATTACHMENTS",
    "INLINE_POLICIES",
    "POLICIES",
    "ROLES",
    "SESSION_EXPIRY",
    "USERS",
    "USER_KEYS",
    "lookup_access_key",
]

ROLES = "iam.roles"
USERS = "iam.users"
POLICIES = "iam.policies"
INLINE_POLICIES = "iam.inline_policies"
ATTACHMENTS = "iam.attachments"
ACCESS_KEYS = "iam.access_keys"
USER_KEYS = "iam.user_access_keys"
SESSION_EXPIRY = "iam.session_expiry"

# how attachments are used: as permissions, or as a permissions boundary
PERMISSIONS = "permissions"
BOUNDARY = "boundary"

ROLE = "role"
USER = "user"


# -- roles and users -------------------------------------------------------------------------

# a role or a user, as the record type that says which table it is kept in
_E = TypeVar("_E", Role, User)


def _table(record: type[Role] | type[User]) -> str:
    return ROLES if record is Role else USERS


def _entity_key(account_id: str, name: str) -> bytes:
    return key(account_id, name.lower())


def _get(tx: Tx, record: type[_E], account_id: str, name: str) -> _E | None:
    data = tx.get(_table(record), _entity_key(account_id, name))
    return record.from_record(data) if data is not None else None


def _require(tx: Tx, record: type[_E], account_id: str, name: str) -> _E:
    entity = _get(tx, record, account_id, name)
    if entity is None:
        kind = ROLE if record is Role else USER
        raise no_such_entity(f"The {kind} with name {name} cannot be found.")
    return entity


def _list(tx: Tx, record: type[_E], account_id: str) -> list[_E]:
    return [record.from_record(v) for _, v in tx.scan(_table(record), prefix=key(account_id))]


def get_role(tx: Tx, account_id: str, name: str) -> Role | None:
    return _get(tx, Role, account_id, name)


def get_user(tx: Tx, account_id: str, name: str) -> User | None:
    return _get(tx, User, account_id, name)


def require_role(tx: Tx, account_id: str, name: str) -> Role:
    return _require(tx, Role, account_id, name)


def require_user(tx: Tx, account_id: str, name: str) -> User:
    return _require(tx, User, account_id, name)


def require_entity(tx: Tx, account_id: str, kind: str, name: str) -> Role | User:
    """The role (``kind`` ``role``) or user (``user``) with this name; NoSuchEntity if none."""
    return (
        require_role(tx, account_id, name) if kind == ROLE else require_user(tx, account_id, name)
    )


def list_roles(tx: Tx, account_id: str) -> list[Role]:
    return _list(tx, Role, account_id)


def list_users(tx: Tx, account_id: str) -> list[User]:
    return _list(tx, User, account_id)


def put_entity(tx: Tx, entity: Role | User) -> None:
    tx.put(_table(type(entity)), _entity_key(entity.account_id, entity.name), entity.to_record())


def put_role(tx: Tx, role: Role) -> None:
    put_entity(tx, role)


def delete_entity(tx: Tx, entity: Role | User) -> None:
    tx.delete(_table(type(entity)), _entity_key(entity.account_id, entity.name))


# -- managed policies ----------------------------------------------------------------------


def get_policy(tx: Tx, account_id: str, arn: str) -> ManagedPolicy | None:
    """The managed policy ``arn`` names as seen from ``account_id`` (AWS managed included).

    Raises ``InvalidInput`` when ``arn`` is not a policy ARN.
    """
    parsed = parse_policy_arn(arn)
    if parsed.account_id == AWS_MANAGED_ACCOUNT:
        return aws_managed_policy(arn)
    if parsed.account_id != account_id:
        # another account's customer managed policies are neither visible nor attachable
        return None
    data = tx.get(POLICIES, key(account_id, parsed.name.lower()))
    if data is None:
        return None
    policy = ManagedPolicy.from_record(data)
    return policy if policy.arn == arn else None


def require_policy(tx: Tx, account_id: str, arn: str) -> ManagedPolicy:
    policy = get_policy(tx, account_id, arn)
    if policy is None:
        raise no_such_entity(f"Policy {arn} was not found.")
    return policy


def get_policy_by_name(tx: Tx, account_id: str, name: str) -> ManagedPolicy | None:
    data = tx.get(POLICIES, key(account_id, name.lower()))
    return ManagedPolicy.from_record(data) if data is not None else None


def put_policy(tx: Tx, policy: ManagedPolicy) -> None:
    tx.put(POLICIES, key(policy.account_id, policy.name.lower()), policy.to_record())


def delete_policy(tx: Tx, policy: ManagedPolicy) -> None:
    tx.delete(POLICIES, key(policy.account_id, policy.name.lower()))


def list_policies(
    tx: Tx, account_id: str, *, local: bool = True, aws: bool = True
) -> list[ManagedPolicy]:
    """Managed policies visible in the account: its own (``local``) and AWS's (``aws``)."""
    found: list[ManagedPolicy] = []
    if aws:
        found.extend(aws_managed_policies())
    if local:
        found.extend(
            ManagedPolicy.from_record(v) for _, v in tx.scan(POLICIES, prefix=key(account_id))
        )
    return found


# -- inline policies -----------------------------------------------------------------------


def _inline_key(account_id: str, kind: str, entity: str, name: str) -> bytes:
    return key(account_id, kind, entity.lower(), name)


def get_inline(tx: Tx, account_id: str, kind: str, entity: str, name: str) -> str | None:
    data = tx.get(INLINE_POLICIES, _inline_key(account_id, kind, entity, name))
    return data["document"] if data is not None else None


def put_inline(tx: Tx, account_id: str, kind: str, entity: str, name: str, doc: str) -> None:
    tx.put(
        INLINE_POLICIES,
        _inline_key(account_id, kind, entity, name),
        {"name": name, "document": doc},
    )


def delete_inline(tx: Tx, account_id: str, kind: str, entity: str, name: str) -> bool:
    return tx.delete(INLINE_POLICIES, _inline_key(account_id, kind, entity, name))


def list_inline(tx: Tx, account_id: str, kind: str, entity: str) -> dict[str, str]:
    """Inline policy name -> document, for one role or user."""
    prefix = key(account_id, kind, entity.lower())
    return {v["name"]: v["document"] for _, v in tx.scan(INLINE_POLICIES, prefix=prefix)}


# -- attachments ---------------------------------------------------------------------------


def _attachment_key(account_id: str, arn: str, use: str, kind: str, entity: str) -> bytes:
    return key(account_id, arn, use, kind, entity.lower())


def add_attachment(tx: Tx, account_id: str, arn: str, use: str, kind: str, entity: str) -> None:
    tx.put(
        ATTACHMENTS,
        _attachment_key(account_id, arn, use, kind, entity),
        {"use": use, "kind": kind, "entity": entity},
    )


def remove_attachment(tx: Tx, account_id: str, arn: str, use: str, kind: str, entity: str) -> None:
    tx.delete(ATTACHMENTS, _attachment_key(account_id, arn, use, kind, entity))


def attachment_counts(tx: Tx, account_id: str, arn: str) -> tuple[int, int]:
    """How many entities of the account use the policy: as permissions, as a boundary."""
    perms = tx.count(ATTACHMENTS, prefix=key(account_id, arn, PERMISSIONS))
    bounds = tx.count(ATTACHMENTS, prefix=key(account_id, arn, BOUNDARY))
    return perms, bounds


def policy_entities(tx: Tx, account_id: str, arn: str) -> list[dict[str, str]]:
    """Every ``{use, kind, entity}`` of the account that uses the policy."""
    return [v for _, v in tx.scan(ATTACHMENTS, prefix=key(account_id, arn))]


def attached_arns(tx: Tx, account_id: str) -> set[str]:
    """Policy ARNs attached (as permissions) to some entity of the account."""
    arns: set[str] = set()
    for raw, value in tx.scan(ATTACHMENTS, prefix=key(account_id)):
        if value["use"] == PERMISSIONS:
            arns.add(str(decode_key(raw)[1]))
    return arns


# -- credentials ---------------------------------------------------------------------------


def _owner_key(access_key: AccessKey) -> bytes:
    # long-term keys are indexed under their user; the root's keys under the empty name
    owner = (access_key.user_name or "").lower()
    return key(access_key.account_id, owner, access_key.access_key_id)


def get_access_key(tx: Tx, access_key_id: str) -> AccessKey | None:
    data = tx.get(ACCESS_KEYS, access_key_id)
    return AccessKey.from_record(data) if data is not None else None


def put_access_key(tx: Tx, access_key: AccessKey) -> None:
    """Store a credential; a user's key is also indexed under its user."""
    tx.put(ACCESS_KEYS, access_key.access_key_id, access_key.to_record())
    if access_key.session_token is None:
        tx.put(USER_KEYS, _owner_key(access_key), {"access_key_id": access_key.access_key_id})
    if access_key.expiration is not None:
        tx.put(
            SESSION_EXPIRY,
            key(access_key.expiration.isoformat(), access_key.access_key_id),
            {"access_key_id": access_key.access_key_id},
        )


def delete_access_key(tx: Tx, access_key: AccessKey) -> None:
    tx.delete(ACCESS_KEYS, access_key.access_key_id)
    if access_key.session_token is None:
        tx.delete(USER_KEYS, _owner_key(access_key))
    if access_key.expiration is not None:
        tx.delete(SESSION_EXPIRY, key(access_key.expiration.isoformat(), access_key.access_key_id))


def user_access_keys(tx: Tx, account_id: str, user_name: str | None) -> list[AccessKey]:
    """The long-term keys of a user (``None``: of the account root)."""
    keys: list[AccessKey] = []
    for _, value in tx.scan(USER_KEYS, prefix=key(account_id, (user_name or "").lower())):
        found = get_access_key(tx, value["access_key_id"])
        if found is not None:
            keys.append(found)
    return keys


# Expired session credentials are kept a while, so that a client using one is told its
# token expired rather than that it is unknown; after that they are dropped.
EXPIRED_RETENTION = dt.timedelta(days=1)


def purge_expired_sessions(tx: Tx, now: dt.datetime, *, limit: int = 16) -> int:
    """Drop up to ``limit`` session credentials that expired over a day ago."""
    cutoff = key((now - EXPIRED_RETENTION).isoformat())
    dropped = 0
    for raw, value in list(tx.scan(SESSION_EXPIRY, end=cutoff, limit=limit)):
        tx.delete(SESSION_EXPIRY, raw)
        tx.delete(ACCESS_KEYS, value["access_key_id"])
        dropped += 1
    return dropped


def lookup_access_key(store: Store, access_key_id: str) -> dict[str, Any] | None:
    """The credential kumo issued under ``access_key_id``, for verifying a signature.

    Returns ``{access_key_id, secret_access_key, account_id, arn, user_id, session_token,
    expiration, status, user_name, role_arn}`` — ``session_token`` and ``expiration`` (an
    aware datetime) are None for long-term keys. Returns None when the key is unknown; an
    inactive key is returned with its ``status`` so that requests signed with it are
    refused rather than taken for a stranger's.
    """
    found = store.read(lambda tx: get_access_key(tx, access_key_id))
    if found is None:
        return None
    return {
        "access_key_id": found.access_key_id,
        "secret_access_key": found.secret_access_key,
        "account_id": found.account_id,
        "arn": found.arn,
        "user_id": found.user_id,
        "session_token": found.session_token,
        "expiration": found.expiration,
        "status": found.status,
        "user_name": found.user_name,
        "role_arn": found.role_arn,
    }
