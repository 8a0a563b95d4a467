"""Metric filters and subscription filters: their records and the rules on them.

Metric filters live in ``logs.metric_filters`` (the table :mod:`kumo.observe.derive` reads
when events arrive), subscription filters in ``logs.subscription_filters``; both are keyed
``(account, region, group, filter name)``. Subscription filters are stored only: delivering
events to their destinations belongs to the triggers.
"""

from __future__ import annotations

import re
from typing import Any

from kumo.aws.errors import ServiceError
from kumo.observe.derive import METRIC_FILTERS
from kumo.observe.filter_patterns import InvalidPattern, compile_pattern
from kumo.services.logs.errors import invalid_parameter, limit_exceeded, pattern_violation
from kumo.storage.base import Tx
from kumo.storage.keys import key, key_prefix

__all__ = [
    "MAX_METRIC_FILTERS",
    "MAX_SUBSCRIPTION_FILTERS",
    "METRIC_FILTERS",
    "SUBSCRIPTION_FILTERS",
    "check_filter_name",
    "check_pattern",
    "check_transformation",
    "delete_group_filters",
    "describe_metric_filters",
    "describe_subscription_filters",
    "filter_key",
    "invalid_pattern",
    "put_metric_filter",
    "put_subscription_filter",
]

SUBSCRIPTION_FILTERS = "logs.subscription_filters"

# quotas per log group, as CloudWatch Logs documents them
MAX_METRIC_FILTERS = 100
MAX_SUBSCRIPTION_FILTERS = 2

_FILTER_NAME = re.compile(r"[^:*]*")
_METRIC_NAME = re.compile(r"[^:*$]*")


def invalid_pattern() -> ServiceError:
    return invalid_parameter("Invalid filter pattern")


def check_pattern(pattern: str) -> None:
    try:
        compile_pattern(pattern)
    except InvalidPattern as exc:
        raise invalid_pattern() from exc


def check_filter_name(name: str) -> None:
    if not _FILTER_NAME.fullmatch(name):
        raise pattern_violation(name, "filterName", "[^:*]*")


def check_transformation(raw: dict[str, Any]) -> dict[str, Any]:
    """The transformation as stored, after AWS's checks."""
    name = str(raw.get("metricName", ""))
    namespace = str(raw.get("metricNamespace", ""))
    value = str(raw.get("metricValue", ""))
    if not _METRIC_NAME.fullmatch(name):
        raise pattern_violation(name, "metricTransformations.1.member.metricName", "[^:*$]*")
    if not _METRIC_NAME.fullmatch(namespace):
        raise pattern_violation(
            namespace, "metricTransformations.1.member.metricNamespace", "[^:*$]*"
        )
    dimensions = dict(raw.get("dimensions") or {})
    if len(dimensions) > 3:
        raise invalid_parameter("A metric transformation may have at most 3 dimensions.")
    if dimensions and raw.get("defaultValue") is not None:
        raise invalid_parameter(
            "You cannot specify a default value for a metric filter that has dimensions."
        )
    out: dict[str, Any] = {
        "metricName": name,
        "metricNamespace": namespace,
        "metricValue": value,
    }
    if raw.get("defaultValue") is not None:
        out["defaultValue"] = float(raw["defaultValue"])
    if dimensions:
        out["dimensions"] = dimensions
    if raw.get("unit"):
        out["unit"] = raw["unit"]
    return out


# -- records ------------------------------------------------------------------------------


def filter_key(account: str, region: str, group: str, name: str) -> bytes:
    return key(account, region, group, name)


def put_metric_filter(
    tx: Tx,
    account: str,
    region: str,
    group: str,
    name: str,
    pattern: str,
    transformations: list[dict[str, Any]],
    apply_on_transformed_logs: bool,
    now_ms: int,
) -> None:
    fkey = filter_key(account, region, group, name)
    existing = tx.get(METRIC_FILTERS, fkey)
    if existing is None and tx.count(METRIC_FILTERS, prefix=key(account, region, group)) >= (
        MAX_METRIC_FILTERS
    ):
        raise limit_exceeded("Resource limit exceeded.")
    tx.put(
        METRIC_FILTERS,
        fkey,
        {
            "filterName": name,
            "filterPattern": pattern,
            "metricTransformations": transformations,
            "creationTime": existing["creationTime"] if existing else now_ms,
            "logGroupName": group,
            "applyOnTransformedLogs": apply_on_transformed_logs,
        },
    )


def describe_metric_filters(
    tx: Tx,
    account: str,
    region: str,
    group: str | None,
    name_prefix: str | None,
    metric_name: str | None,
    metric_namespace: str | None,
    after: bytes | None,
    limit: int,
) -> tuple[list[dict[str, Any]], bytes | None]:
    """A page of metric filters, and the key to continue after (None at the end)."""
    if group is not None:
        prefix = key_prefix(account, region, group, name_prefix or "")
    else:
        prefix = key(account, region)
    start = after + b"\xff" if after is not None else None
    found: list[dict[str, Any]] = []
    last: bytes | None = None
    for k, value in tx.scan(METRIC_FILTERS, prefix=prefix, start=start):
        if metric_name is not None and not any(
            t["metricName"] == metric_name and t["metricNamespace"] == metric_namespace
            for t in value["metricTransformations"]
        ):
            continue
        if len(found) == limit:
            return found, last
        found.append(value)
        last = k
    return found, None


def put_subscription_filter(
    tx: Tx, account: str, region: str, group: str, record: dict[str, Any], now_ms: int
) -> None:
    fkey = filter_key(account, region, group, record["filterName"])
    existing = tx.get(SUBSCRIPTION_FILTERS, fkey)
    if existing is None and tx.count(SUBSCRIPTION_FILTERS, prefix=key(account, region, group)) >= (
        MAX_SUBSCRIPTION_FILTERS
    ):
        raise limit_exceeded("Resource limit exceeded.")
    record["creationTime"] = existing["creationTime"] if existing else now_ms
    tx.put(SUBSCRIPTION_FILTERS, fkey, record)


def describe_subscription_filters(
    tx: Tx, account: str, region: str, group: str, name_prefix: str, after: str | None, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """A page of a group's subscription filters, and whether more follow."""
    start = key(account, region, group, after) + b"\xff" if after is not None else None
    found: list[dict[str, Any]] = []
    scan = tx.scan(SUBSCRIPTION_FILTERS, prefix=key_prefix(account, region, group, name_prefix),
                   start=start)  # fmt: skip
    for _, value in scan:
        if len(found) == limit:
            return found, True
        found.append(value)
    return found, False


def delete_group_filters(tx: Tx, account: str, region: str, group: str) -> None:
    for table in (METRIC_FILTERS, SUBSCRIPTION_FILTERS):
        for k, _ in tx.scan(table, prefix=key(account, region, group)):
            tx.delete(table, k)
