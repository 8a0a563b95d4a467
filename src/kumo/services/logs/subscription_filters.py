"""Subscription filter operations: put, describe and delete a group's subscription filters.

They are stored here; delivering events to their destinations belongs to the triggers.
"""

from __future__ import annotations

from kumo.aws.context import RequestContext
from kumo.observe import logs as db
from kumo.services.base import Provider
from kumo.services.logs import filters as flt
from kumo.services.logs import models as m
from kumo.services.logs.errors import invalid_parameter, not_found
from kumo.services.logs.filters import SUBSCRIPTION_FILTERS
from kumo.services.logs.groups import require_group
from kumo.services.logs.models import Output
from kumo.storage.base import Tx

__all__ = [
    "delete_subscription_filter",
    "describe_subscription_filters",
    "put_subscription_filter",
]


def put_subscription_filter(
    provider: Provider,
    ctx: RequestContext,
    log_group_name: str,
    filter_name: str,
    filter_pattern: str,
    destination_arn: str,
    role_arn: str | None = None,
    distribution: str | None = None,
    apply_on_transformed_logs: bool | None = None,
) -> Output:
    flt.check_filter_name(filter_name)
    flt.check_pattern(filter_pattern)
    if not destination_arn.startswith("arn:"):
        raise invalid_parameter(f"Invalid destination ARN: {destination_arn}")
    record: Output = {
        "filterName": filter_name,
        "logGroupName": log_group_name,
        "filterPattern": filter_pattern,
        "destinationArn": destination_arn,
        "distribution": distribution or "ByLogStream",
        "applyOnTransformedLogs": bool(apply_on_transformed_logs),
    }
    if role_arn:
        record["roleArn"] = role_arn

    def put(tx: Tx) -> None:
        require_group(tx, ctx, log_group_name)
        flt.put_subscription_filter(
            tx, ctx.account_id, ctx.region, log_group_name, record, db.now_ms()
        )

    provider.store.write(put)
    return {}


def describe_subscription_filters(
    provider: Provider,
    ctx: RequestContext,
    log_group_name: str,
    filter_name_prefix: str | None = None,
    next_token: str | None = None,
    limit: int | None = None,
) -> Output:
    after = m.read_page_token(next_token) if next_token else None

    def describe(tx: Tx) -> Output:
        require_group(tx, ctx, log_group_name)
        found, more = flt.describe_subscription_filters(
            tx, ctx.account_id, ctx.region, log_group_name, filter_name_prefix or "",
            after, limit or 50,
        )  # fmt: skip
        out: Output = {"subscriptionFilters": found}
        if more:
            out["nextToken"] = m.page_token(found[-1]["filterName"])
        return out

    return provider.store.read(describe)


def delete_subscription_filter(
    provider: Provider, ctx: RequestContext, log_group_name: str, filter_name: str
) -> Output:
    def delete(tx: Tx) -> None:
        require_group(tx, ctx, log_group_name)
        fkey = flt.filter_key(ctx.account_id, ctx.region, log_group_name, filter_name)
        if not tx.delete(SUBSCRIPTION_FILTERS, fkey):
            raise not_found("The specified subscription filter does not exist.")

    provider.store.write(delete)
    return {}
