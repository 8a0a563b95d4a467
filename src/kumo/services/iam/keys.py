"""Access key operations: create, list, update and delete a user's (or the root's)
long-term keys, and report when one was last used.

The rules these apply in a transaction are in :mod:`kumo.services.iam.access_keys`.
"""

from __future__ import annotations

from kumo.aws.context import RequestContext
from kumo.services.iam import access_keys
from kumo.services.iam.host import Host, Output
from kumo.services.iam.models import caller_of
from kumo.services.iam.paging import by_position, paginate

__all__ = [
    "create_access_key",
    "delete_access_key",
    "get_access_key_last_used",
    "list_access_keys",
    "update_access_key",
]


def create_access_key(iam: Host, ctx: RequestContext, user_name: str | None = None) -> Output:
    caller = caller_of(ctx)
    key = iam.store.write(lambda tx: access_keys.create(tx, caller, user_name))
    return {"AccessKey": key.to_wire()}


def list_access_keys(
    iam: Host,
    ctx: RequestContext,
    user_name: str | None = None,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    caller = caller_of(ctx)
    keys = iam.store.read(lambda tx: access_keys.list_keys(tx, caller, user_name))
    page, more = paginate(by_position(keys), lambda p: p[0], marker, max_items)
    return {"AccessKeyMetadata": [key.metadata() for _, key in page], **more}


def delete_access_key(
    iam: Host, ctx: RequestContext, access_key_id: str, user_name: str | None = None
) -> Output:
    caller = caller_of(ctx)
    iam.store.write(lambda tx: access_keys.delete(tx, caller, user_name, access_key_id))
    return {}


def update_access_key(
    iam: Host,
    ctx: RequestContext,
    access_key_id: str,
    status: str,
    user_name: str | None = None,
) -> Output:
    caller = caller_of(ctx)
    iam.store.write(lambda tx: access_keys.update(tx, caller, user_name, access_key_id, status))
    return {}


def get_access_key_last_used(iam: Host, ctx: RequestContext, access_key_id: str) -> Output:
    caller = caller_of(ctx)
    return iam.store.read(lambda tx: access_keys.last_used(tx, caller, access_key_id))
