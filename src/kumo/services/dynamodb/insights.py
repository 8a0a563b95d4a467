"""CloudWatch Contributor Insights settings of tables and their global secondary indexes:
UpdateContributorInsights, DescribeContributorInsights, ListContributorInsights.

A setting lives in ``dynamodb.insights`` by ``(table id, index name)`` (``""`` for the table
itself), so the purge of a deleted table (:func:`kumo.services.dynamodb.store.purge_some`)
removes it and a table created again under the same name starts with insights off. There
are no CloudWatch rules behind a setting: changes take effect at once, so UpdateContributorInsights
answers ENABLING/DISABLING as DynamoDB does and the next Describe shows ENABLED/DISABLED.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.services.dynamodb import store as db
from kumo.services.dynamodb.errors import resource_not_found, table_not_found, validation
from kumo.services.dynamodb.host import Host, Output
from kumo.services.dynamodb.models import Table
from kumo.services.dynamodb.recovery import named_table
from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = [
    "INSIGHTS",
    "describe_contributor_insights",
    "list_contributor_insights",
    "update_contributor_insights",
]

INSIGHTS = "dynamodb.insights"
DEFAULT_MODE = "ACCESSED_AND_THROTTLED_KEYS"
MODES = ("ACCESSED_AND_THROTTLED_KEYS", "THROTTLED_KEYS")
ACTIONS = ("ENABLE", "DISABLE")
MAX_RESULTS = 100


def _require(tx: Tx, ctx: RequestContext, table_name: str, index_name: str | None) -> Table:
    table = named_table(tx, ctx.account_id, ctx.region, table_name)
    if table is None:
        raise table_not_found(table_name)
    if index_name is not None:
        index = table.index(index_name)
        if index is None or not index.is_global:
            raise resource_not_found(f"Requested resource not found: Index: {index_name} not found")
    return table


def _rules(table: Table, index_name: str | None, mode: str, stamp: int) -> list[str]:
    """The CloudWatch rule names DynamoDB creates: partition (PK) and sort (SK) keys,
    most accessed (C) and most throttled (T)."""
    index = table.index(index_name) if index_name is not None else None
    has_sort = (index.range_key if index is not None else table.range_key) is not None
    kinds = ["PKC", "PKT"] if mode == DEFAULT_MODE else ["PKT"]
    if has_sort:
        kinds += ["SKC", "SKT"] if mode == DEFAULT_MODE else ["SKT"]
    return [f"DynamoDBContributorInsights-{kind}-{table.name}-{stamp}" for kind in sorted(kinds)]


def _setting(tx: Tx, table: Table, index_name: str | None) -> dict[str, Any] | None:
    data: dict[str, Any] | None = tx.get(INSIGHTS, key(table.id, index_name or ""))
    return data


def update_contributor_insights(
    host: Host,
    ctx: RequestContext,
    table_name: str,
    contributor_insights_action: str,
    index_name: str | None = None,
    contributor_insights_mode: str | None = None,
) -> Output:
    if contributor_insights_action not in ACTIONS:
        raise validation(
            f"1 validation error detected: Value '{contributor_insights_action}' at "
            "'contributorInsightsAction' failed to satisfy constraint: Member must satisfy "
            "enum value set: [ENABLE, DISABLE]"
        )
    if contributor_insights_mode is not None and contributor_insights_mode not in MODES:
        raise validation(
            f"1 validation error detected: Value '{contributor_insights_mode}' at "
            "'contributorInsightsMode' failed to satisfy constraint: Member must satisfy "
            "enum value set: [ACCESSED_AND_THROTTLED_KEYS, THROTTLED_KEYS]"
        )
    enable = contributor_insights_action == "ENABLE"
    now = time.time()

    def change(tx: Tx) -> tuple[Table, dict[str, Any]]:
        table = _require(tx, ctx, table_name, index_name)
        old = _setting(tx, table, index_name) or {}
        mode = contributor_insights_mode or old.get("mode") or DEFAULT_MODE
        setting = {
            "table": table.name,
            "index": index_name,
            "status": "ENABLED" if enable else "DISABLED",
            "mode": mode,
            "updated": now,
            "stamp": int(now * 1000),
        }
        tx.put(INSIGHTS, key(table.id, index_name or ""), setting)
        return table, setting

    table, setting = host.store.write(change)
    out: Output = {"TableName": table.name}
    if index_name is not None:
        out["IndexName"] = index_name
    out["ContributorInsightsStatus"] = "ENABLING" if enable else "DISABLING"
    if enable:
        out["ContributorInsightsMode"] = setting["mode"]
    return out


def describe_contributor_insights(
    host: Host, ctx: RequestContext, table_name: str, index_name: str | None = None
) -> Output:
    def read(tx: Tx) -> tuple[Table, dict[str, Any] | None]:
        table = _require(tx, ctx, table_name, index_name)
        return table, _setting(tx, table, index_name)

    table, setting = host.store.read(read)
    out: Output = {"TableName": table.name}
    if index_name is not None:
        out["IndexName"] = index_name
    if setting is None:
        out["ContributorInsightsStatus"] = "DISABLED"
        return out
    out["ContributorInsightsStatus"] = setting["status"]
    if setting["status"] == "ENABLED":
        mode = setting["mode"]
        out["ContributorInsightsRuleList"] = _rules(table, index_name, mode, setting["stamp"])
        out["ContributorInsightsMode"] = mode
    out["LastUpdateDateTime"] = dt.datetime.fromtimestamp(setting["updated"], dt.UTC)
    return out


def _summary(table: Table, index_name: str | None, setting: dict[str, Any] | None) -> Output:
    out: Output = {"TableName": table.name}
    if index_name is not None:
        out["IndexName"] = index_name
    status = setting["status"] if setting is not None else "DISABLED"
    out["ContributorInsightsStatus"] = status
    if setting is not None and status == "ENABLED":
        out["ContributorInsightsMode"] = setting["mode"]
    return out


def list_contributor_insights(
    host: Host,
    ctx: RequestContext,
    table_name: str | None = None,
    next_token: str | None = None,
    max_results: int | None = None,
) -> Output:
    if max_results is not None and not 0 < max_results <= MAX_RESULTS:
        raise validation(
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to "
            "satisfy constraint: Member must have value less than or equal to 100"
        )
    start = 0
    if next_token is not None:
        if not next_token.isdigit():
            raise validation("Invalid NextToken")
        start = int(next_token)
    limit = max_results or MAX_RESULTS

    def read(tx: Tx) -> list[Output]:
        if table_name is not None:
            # a table and each of its global secondary indexes, configured or not
            table = _require(tx, ctx, table_name, None)
            names: list[str | None] = [None]
            names += [index.name for index in table.global_indexes]
            return [_summary(table, n, _setting(tx, table, n)) for n in names]
        # every table and index of the account and region whose insights were configured
        out: list[Output] = []
        for name in db.list_tables(tx, ctx.account_id, ctx.region, None):
            found = db.get_table(tx, ctx.account_id, ctx.region, name)
            if found is None:
                continue
            for _, setting in tx.scan(INSIGHTS, prefix=key(found.id)):
                index = setting.get("index")
                if index is None or found.index(index) is not None:
                    out.append(_summary(found, index, setting))
        return out

    summaries = host.store.read(read)
    page = summaries[start : start + limit]
    result: Output = {"ContributorInsightsSummaries": page}
    if start + limit < len(summaries):
        result["NextToken"] = str(start + limit)
    return result
