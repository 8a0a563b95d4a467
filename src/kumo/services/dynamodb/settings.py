"""Table settings changed apart from UpdateTable: tags (by table ARN) and time to live, with
their operations (TagResource, UntagResource, ListTagsOfResource, UpdateTimeToLive,
DescribeTimeToLive). Point-in-time recovery lives in :mod:`.recovery`.

UpdateTimeToLive builds or drops the expiry index of every item, so the provider declares
it blocking.
"""

from __future__ import annotations

import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.services.dynamodb import store as db
from kumo.services.dynamodb.errors import resource_not_found, validation
from kumo.services.dynamodb.host import Host, Output
from kumo.services.dynamodb.models import Table
from kumo.storage.base import Tx

__all__ = [
    "MAX_TAGS",
    "describe_time_to_live",
    "list_tags_of_resource",
    "set_time_to_live",
    "table_for_arn",
    "tag_resource",
    "tag_table",
    "untag_resource",
    "update_time_to_live",
]

MAX_TAGS = 50


def table_for_arn(tx: Tx, account: str, region: str, arn: str) -> Table:
    """The table a resource ARN names, or DynamoDB's errors for a bad or unknown ARN."""
    if not arn.startswith("arn:"):
        raise validation(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
    prefix = f"arn:aws:dynamodb:{region}:{account}:table/"
    name = arn[len(prefix) :] if arn.startswith(prefix) else ""
    table = db.get_table(tx, account, region, name) if name and "/" not in name else None
    if table is None:
        # sic: DynamoDB spells it "ResourcArn"
        raise resource_not_found(f"Requested resource not found: ResourcArn: {arn} not found")
    return table


def tag_table(
    tx: Tx, account: str, region: str, arn: str, add: dict[str, str], remove: list[str]
) -> Table:
    table = table_for_arn(tx, account, region, arn)
    table.tags.update(add)
    for k in remove:
        table.tags.pop(k, None)
    if len(table.tags) > MAX_TAGS:
        raise validation("One or more parameter values were invalid: Too many tags")
    db.put_table(tx, table)
    return table


def set_time_to_live(tx: Tx, table: Table, enabled: bool, attribute: str, now: float) -> None:
    """Turn TTL on or off; the expiry index is built or dropped in the same transaction."""
    if enabled and table.ttl_enabled:
        raise validation("TimeToLive is already enabled")
    if not enabled and not table.ttl_enabled:
        raise validation("TimeToLive is already disabled")
    if not enabled and attribute != table.ttl_attribute:
        raise validation(
            "TimeToLive is active on a different AttributeName: current AttributeName "
            f"is {table.ttl_attribute}"
        )
    writer = db.ItemWriter(tx, table, now)
    if not enabled:
        writer.drop_expiry()
    table.ttl_enabled = enabled
    table.ttl_attribute = attribute if enabled else None
    if enabled:
        writer.index_expiry()
    db.put_table(tx, table)


def tag_resource(
    host: Host, ctx: RequestContext, resource_arn: str, tags: list[dict[str, str]]
) -> Output:
    add = {tag["Key"]: tag["Value"] for tag in tags}
    host.store.write(lambda tx: tag_table(tx, ctx.account_id, ctx.region, resource_arn, add, []))
    return {}


def untag_resource(
    host: Host, ctx: RequestContext, resource_arn: str, tag_keys: list[str]
) -> Output:
    host.store.write(
        lambda tx: tag_table(tx, ctx.account_id, ctx.region, resource_arn, {}, tag_keys)
    )
    return {}


def list_tags_of_resource(
    host: Host, ctx: RequestContext, resource_arn: str, next_token: str | None = None
) -> Output:
    table = host.store.read(lambda tx: table_for_arn(tx, ctx.account_id, ctx.region, resource_arn))
    return {"Tags": [{"Key": k, "Value": v} for k, v in table.tags.items()]}


def update_time_to_live(
    host: Host, ctx: RequestContext, table_name: str, time_to_live_specification: dict[str, Any]
) -> Output:
    enabled = bool(time_to_live_specification["Enabled"])
    attribute = time_to_live_specification["AttributeName"]

    def change(tx: Tx) -> None:
        table = db.require_table(tx, ctx.account_id, ctx.region, table_name, named=True)
        set_time_to_live(tx, table, enabled, attribute, time.time())

    host.store.write(change)
    return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attribute}}


def describe_time_to_live(host: Host, ctx: RequestContext, table_name: str) -> Output:
    table = db.cached_table(host.store, ctx.account_id, ctx.region, table_name, named=True)
    if not table.ttl_enabled:
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
    return {
        "TimeToLiveDescription": {
            "TimeToLiveStatus": "ENABLED",
            "AttributeName": table.ttl_attribute,
        }
    }
