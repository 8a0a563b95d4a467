"""Table settings changed apart from UpdateTable: tags (by table ARN) and time to live."""

from __future__ import annotations

from kumo.services.dynamodb import store as db
from kumo.services.dynamodb.errors import resource_not_found, validation
from kumo.services.dynamodb.models import Table
from kumo.storage.base import Tx

__all__ = ["MAX_TAGS", "set_time_to_live", "table_for_arn", "tag_table"]

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
