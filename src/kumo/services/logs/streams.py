"""Log stream operations: create, delete and describe the streams of a group."""

from __future__ import annotations

from kumo.aws.context import RequestContext
from kumo.observe import logs as db
from kumo.services.base import Provider
from kumo.services.logs import models as m
from kumo.services.logs.errors import NO_STREAM, already_exists, invalid_parameter, not_found
from kumo.services.logs.groups import require_group
from kumo.services.logs.models import Output
from kumo.storage.base import Tx

__all__ = ["create_log_stream", "delete_log_stream", "describe_log_streams"]


def create_log_stream(
    provider: Provider, ctx: RequestContext, log_group_name: str, log_stream_name: str
) -> Output:
    m.check_stream_name(log_stream_name)

    def create(tx: Tx) -> None:
        require_group(tx, ctx, log_group_name)
        if db.get_stream(tx, ctx.account_id, ctx.region, log_group_name, log_stream_name):
            raise already_exists("The specified log stream already exists")
        stream = db.LogStream(log_group_name, log_stream_name, creation_time=db.now_ms())
        db.put_stream(tx, ctx.account_id, ctx.region, stream)

    provider.store.write(create)
    return {}


def delete_log_stream(
    provider: Provider, ctx: RequestContext, log_group_name: str, log_stream_name: str
) -> Output:
    def delete(tx: Tx) -> None:
        group = require_group(tx, ctx, log_group_name)
        if db.get_stream(tx, ctx.account_id, ctx.region, log_group_name, log_stream_name) is None:
            raise not_found(NO_STREAM)
        db.delete_stream(tx, ctx.account_id, ctx.region, group, log_stream_name)

    provider.store.write(delete)
    return {}


def describe_log_streams(
    provider: Provider,
    ctx: RequestContext,
    log_group_name: str | None = None,
    log_group_identifier: str | None = None,
    log_stream_name_prefix: str | None = None,
    order_by: str | None = None,
    descending: bool | None = None,
    next_token: str | None = None,
    limit: int | None = None,
) -> Output:
    name = m.group_param(log_group_name, log_group_identifier)
    by_time = order_by == "LastEventTime"
    if by_time and log_stream_name_prefix:
        raise invalid_parameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
    return provider.store.read(
        lambda tx: m.describe_streams(
            tx, ctx.account_id, ctx.region, name, prefix=log_stream_name_prefix or "",
            by_time=by_time, descending=bool(descending), token=next_token, size=limit or 50,
        )
    )  # fmt: skip
