"""STS's state: it keeps none of its own. Roles are IAM's; the temporary credentials it
issues are stored in IAM's credentials table (where signature checks look keys up)."""

from __future__ import annotations

import datetime as dt

from kumo.services.iam import store as iam_store
from kumo.services.iam.models import AccessKey, Role
from kumo.services.sts.models import RoleRef
from kumo.storage.base import Tx

__all__ = ["find_role", "save_session"]


def find_role(tx: Tx, ref: RoleRef) -> Role | None:
    """The role ``ref`` names, if it exists under exactly that path."""
    role = iam_store.get_role(tx, ref.account_id, ref.name)
    if role is None or role.path != ref.path:
        return None
    return role


def save_session(
    tx: Tx, credentials: AccessKey, *, role: Role | None = None, region: str | None = None
) -> None:
    """Store issued credentials; note the role's last use; drop long-expired sessions."""
    now = credentials.create_date
    iam_store.put_access_key(tx, credentials)
    if role is not None:
        role.last_used = now
        role.last_used_region = region
        iam_store.put_role(tx, role)
    iam_store.purge_expired_sessions(tx, now.astimezone(dt.UTC))
