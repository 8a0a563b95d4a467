"""Metric filter operations: put, describe and delete a group's metric filters.

The records and their checks live in :mod:`kumo.services.logs.filters`.
"""

from __future__ import annotations

from typing import Any

from kumo.aws.context import RequestContext
from kumo.observe import logs as db
from kumo.services.base import Provider
from kumo.services.logs import filters as flt
from kumo.services.logs import models as m
from kumo.services.logs.errors import invalid_parameter, not_found
from kumo.services.logs.filters import METRIC_FILTERS
from kumo.services.logs.groups import require_group
from kumo.services.logs.models import Output
from kumo.storage.base import Tx

__all__ = ["delete_metric_filter", "describe_metric_filters", "put_metric_filter"]


def put_metric_filter(
    provider: Provider,
    ctx: RequestContext,
    log_group_name: str,
    filter_name: str,
    filter_pattern: str,
    metric_transformations: list[dict[str, Any]],
    apply_on_transformed_logs: bool | None = None,
) -> Output:
    flt.check_filter_name(filter_name)
    flt.check_pattern(filter_pattern)
    transformations = [flt.check_transformation(t) for t in metric_transformations]

    def put(tx: Tx) -> None:
        require_group(tx, ctx, log_group_name)
        flt.put_metric_filter(
            tx, ctx.account_id, ctx.region, log_group_name, filter_name, filter_pattern,
            transformations, bool(apply_on_transformed_logs), db.now_ms(),
        )  # fmt: skip

    provider.store.write(put)
    return {}


def describe_metric_filters(
    provider: Provider,
    ctx: RequestContext,
    log_group_name: str | None = None,
    filter_name_prefix: str | None = None,
    next_token: str | None = None,
    limit: int | None = None,
    metric_name: str | None = None,
    metric_namespace: str | None = None,
) -> Output:
    if filter_name_prefix is not None and log_group_name is None:
        raise invalid_parameter(
            "If you include the filterNamePrefix, you must also include the logGroupName parameter."
        )
    if (metric_name is None) != (metric_namespace is None):
        raise invalid_parameter(
            "If you include the metricName, you must also include the metricNamespace parameter."
        )
    after = m.read_key_token(next_token) if next_token else None

    def describe(tx: Tx) -> Output:
        if log_group_name is not None:
            require_group(tx, ctx, log_group_name)
        found, last = flt.describe_metric_filters(
            tx, ctx.account_id, ctx.region, log_group_name, filter_name_prefix,
            metric_name, metric_namespace, after, limit or 50,
        )  # fmt: skip
        out: Output = {"metricFilters": found}
        if last is not None:
            out["nextToken"] = m.key_token(last)
        return out

    return provider.store.read(describe)


def delete_metric_filter(
    provider: Provider, ctx: RequestContext, log_group_name: str, filter_name: str
) -> Output:
    def delete(tx: Tx) -> None:
        require_group(tx, ctx, log_group_name)
        fkey = flt.filter_key(ctx.account_id, ctx.region, log_group_name, filter_name)
        if not tx.delete(METRIC_FILTERS, fkey):
            raise not_found("The specified metric filter does not exist.")

    provider.store.write(delete)
    return {}
