"""Log group operations: create, delete, describe and list groups, and their retention.

Each operation is a plain function whose first parameter is the provider it is bound to
(see :mod:`kumo.services.logs.provider`). Also :func:`require_group`, which the other
operation modules use to resolve the group a request names.
"""

from __future__ import annotations

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.observe import logs as db
from kumo.services.base import Provider
from kumo.services.logs import filters as flt
from kumo.services.logs import group_settings as gs
from kumo.services.logs import models as m
from kumo.services.logs import resource_policies
from kumo.services.logs.errors import already_exists, invalid_parameter
from kumo.services.logs.models import Output
from kumo.storage.base import Tx

__all__ = [
    "create_log_group",
    "delete_log_group",
    "delete_retention_policy",
    "describe_log_groups",
    "list_log_groups",
    "put_retention_policy",
    "require_group",
]


def require_group(tx: Tx, ctx: RequestContext, name: str) -> db.LogGroup:
    """The group ``name`` in the request's account and region, or ResourceNotFound."""
    return m.require_group(tx, ctx.account_id, ctx.region, name)


def create_log_group(
    provider: Provider,
    ctx: RequestContext,
    log_group_name: str,
    kms_key_id: str | None = None,
    tags: dict[str, str] | None = None,
    log_group_class: str | None = None,
    deletion_protection_enabled: bool | None = None,
) -> Output:
    m.check_group_name(log_group_name)
    if tags and len(tags) > m.MAX_TAGS:
        raise invalid_parameter("A log group may have at most 50 tags.")

    def create(tx: Tx) -> None:
        if db.get_group(tx, ctx.account_id, ctx.region, log_group_name) is not None:
            raise already_exists("The specified log group already exists")
        group = db.LogGroup(
            account=ctx.account_id,
            region=ctx.region,
            name=log_group_name,
            creation_time=db.now_ms(),
            kms_key_id=kms_key_id,
            log_group_class=log_group_class or "STANDARD",
            tags=dict(tags or {}),
        )
        db.put_group(tx, group)
        # a group is created without settings; stale ones of a deleted namesake are gone
        settings = gs.GroupSettings(deletion_protection=bool(deletion_protection_enabled))
        gs.put_settings(tx, ctx.account_id, ctx.region, log_group_name, settings)

    provider.store.write(create)
    return {}


def delete_log_group(provider: Provider, ctx: RequestContext, log_group_name: str) -> Output:
    def delete(tx: Tx) -> None:
        require_group(tx, ctx, log_group_name)
        if gs.settings_of(tx, ctx.account_id, ctx.region, log_group_name).deletion_protection:
            raise ServiceError(
                "Cannot delete log group with deletion protection enabled. "
                "Disable deletion protection first.",
                code="ValidationException",
                status=400,
            )
        db.delete_group(tx, ctx.account_id, ctx.region, log_group_name)
        flt.delete_group_filters(tx, ctx.account_id, ctx.region, log_group_name)
        # the group's data protection policy and resource policy go with it
        gs.delete_group_settings(tx, ctx.account_id, ctx.region, log_group_name)
        resource_policies.delete_group_policy(tx, ctx.account_id, ctx.region, log_group_name)

    provider.store.write(delete)
    return {}


def describe_log_groups(
    provider: Provider,
    ctx: RequestContext,
    log_group_name_prefix: str | None = None,
    log_group_name_pattern: str | None = None,
    next_token: str | None = None,
    limit: int | None = None,
    log_group_class: str | None = None,
    log_group_identifiers: list[str] | None = None,
) -> Output:
    if log_group_name_prefix is not None and log_group_name_pattern is not None:
        raise invalid_parameter(
            "LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters."
        )
    after = m.read_page_token(next_token) if next_token else None
    wanted = {m.group_name_of(i) for i in log_group_identifiers or []}
    return provider.store.read(
        lambda tx: m.describe_groups(
            tx, ctx.account_id, ctx.region, prefix=log_group_name_prefix or "",
            pattern=log_group_name_pattern or "", group_class=log_group_class,
            wanted=wanted, after=after, size=limit or 50,
        )
    )  # fmt: skip


def list_log_groups(
    provider: Provider,
    ctx: RequestContext,
    log_group_name_pattern: str | None = None,
    log_group_class: str | None = None,
    next_token: str | None = None,
    limit: int | None = None,
) -> Output:
    after = m.read_page_token(next_token) if next_token else None
    return provider.store.read(
        lambda tx: m.list_groups(
            tx, ctx.account_id, ctx.region, pattern=log_group_name_pattern,
            group_class=log_group_class, after=after, size=limit or 50,
        )
    )  # fmt: skip


def put_retention_policy(
    provider: Provider, ctx: RequestContext, log_group_name: str, retention_in_days: int
) -> Output:
    m.check_retention(retention_in_days)

    def put(tx: Tx) -> None:
        group = require_group(tx, ctx, log_group_name)
        group.retention_days = retention_in_days
        db.put_group(tx, group)

    provider.store.write(put)
    return {}


def delete_retention_policy(provider: Provider, ctx: RequestContext, log_group_name: str) -> Output:
    def delete(tx: Tx) -> None:
        group = require_group(tx, ctx, log_group_name)
        group.retention_days = None
        db.put_group(tx, group)

    provider.store.write(delete)
    return {}
