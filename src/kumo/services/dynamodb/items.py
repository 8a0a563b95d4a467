"""Single-item operations: PutItem, GetItem, DeleteItem, UpdateItem.

Each write reads the current item, evaluates its condition and writes the new item inside
one store transaction, so a conditional write is atomic against every other writer. The
pure parts — computing the new item and what to return — are shared with
TransactWriteItems (:mod:`kumo.services.dynamodb.transactions`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kumo.aws.context import RequestContext
from kumo.services.dynamodb import exprs
from kumo.services.dynamodb import keys as ks
from kumo.services.dynamodb import store as db
from kumo.services.dynamodb.capacity import Capacity, read_units, write_units
from kumo.services.dynamodb.errors import conditional_check_failed, invalid, validation
from kumo.services.dynamodb.expressions import Update, project_paths
from kumo.services.dynamodb.exprs import Parsed, parse_request
from kumo.services.dynamodb.host import Host, Output
from kumo.services.dynamodb.models import Table
from kumo.services.dynamodb.values import MAX_ITEM_SIZE, item_size, validate_item
from kumo.storage.base import Store, Tx

__all__ = [
    "Change",
    "apply_change",
    "charge_write",
    "check_item",
    "check_update_keys",
    "collection_metrics",
    "delete_item",
    "get_item",
    "put_item",
    "update_item",
]

Item = dict[str, Any]


@dataclass
class _Write:
    """What PutItem, DeleteItem and UpdateItem share: where the write goes, the condition it
    must meet and what it answers."""

    operation: str
    store: Store
    account: str
    region: str
    table_name: str
    expected: dict[str, Any] | None
    conditional_operator: str | None
    condition_expression: str | None
    names: dict[str, str] | None
    values: dict[str, Any] | None
    return_values: str | None
    return_values_on_condition_check_failure: str | None
    return_consumed_capacity: str | None
    return_item_collection_metrics: str | None


@dataclass
class Change:
    """One planned write: the kind, the key or item, and its parsed expressions."""

    kind: str  # Put | Update | Delete | ConditionCheck
    key: Item
    item: Item | None = None  # Put
    parsed: Parsed = field(default_factory=Parsed)
    return_values_on_failure: str | None = None


def check_item(table: Table, item: Any) -> Item:
    checked = validate_item(item)
    ks.check_item_keys(table, checked)
    if item_size(checked) > MAX_ITEM_SIZE:
        raise validation("Item size has exceeded the maximum allowed size")
    return checked


def check_update_keys(table: Table, parsed: Parsed) -> None:
    if parsed.update is None:
        return
    for name in parsed.update.top_level_names:
        if name in table.key_names():
            raise invalid(f"Cannot update attribute {name}. This attribute is part of the key")


def apply_change(table: Table, change: Change, old: Item | None) -> Item | None:
    """The item after ``change`` (None: deleted or absent); raises when its condition fails."""
    parsed = change.parsed
    if parsed.condition is not None and not parsed.condition.evaluate(old):
        item = old if change.return_values_on_failure == "ALL_OLD" else None
        raise conditional_check_failed(item)
    if change.kind == "Put":
        return change.item
    if change.kind == "Delete":
        return None
    if change.kind == "ConditionCheck":
        return old
    update = parsed.update
    if old is None and update is not None and _only_removes(update):
        # DynamoDB does not create an item just to remove attributes from it
        return None
    base = dict(old) if old is not None else dict(change.key)
    new = update.apply(base) if update is not None else base
    ks.check_index_keys(table, new)
    if item_size(new) > MAX_ITEM_SIZE:
        raise validation("Item size to update has exceeded the maximum allowed size")
    return dict(new)


def _only_removes(update: Update) -> bool:
    return not update.sets and not update.adds and bool(update.removes or update.deletes)


def collection_metrics(
    table: Table, mode: str | None, key: Item, writer: db.ItemWriter
) -> dict[str, Any] | None:
    if mode != "SIZE" or not table.local_indexes:
        return None
    # the size of the item collection (all items with this partition key), in GB bounds
    size = 0
    for _, data in writer.tx.scan(db.ITEMS, prefix=ks.partition_prefix(table, key[table.hash_key])):
        size += int(data["s"])
    gb = size / (1024**3)
    return {
        "ItemCollectionKey": {table.hash_key: key[table.hash_key]},
        "SizeEstimateRangeGB": [round(gb, 6), round(gb + 1, 6)],
    }


def charge_write(
    capacity: Capacity, table: Table, old: Item | None, new: Item | None, factor: float = 1.0
) -> None:
    size = max(item_size(old) if old else 0, item_size(new) if new else 0)
    capacity.add_write(write_units(size) * factor)
    for index in table.indexes():
        touched = [x for x in (old, new) if x is not None and ks.indexed(table, index, x)]
        if touched:
            units = sum(write_units(item_size(db.project(table, index, x))) for x in touched)
            if len(touched) == 2 and ks.index_key(table, index, touched[0]) == ks.index_key(
                table, index, touched[1]
            ):
                units = write_units(max(item_size(db.project(table, index, x)) for x in touched))
            capacity.add_index(index.name, units * factor, is_global=index.is_global, write=True)


def _returned(mode: str, old: Item | None, new: Item | None, parsed: Parsed) -> Item | None:
    if mode == "ALL_OLD":
        return old
    if mode == "ALL_NEW":
        return new
    if mode in ("UPDATED_OLD", "UPDATED_NEW"):
        source = old if mode == "UPDATED_OLD" else new
        if source is None or parsed.update is None:
            return None
        # only the updated paths, keeping their nesting, as DynamoDB returns them
        return project_paths(source, parsed.update.paths) or None
    return None


def _write(
    req: _Write,
    change_for: Callable[[Table, Parsed], Change],
    update_expression: str | None = None,
    attribute_updates: dict[str, Any] | None = None,
) -> Output:
    mode = exprs.return_values(req.operation, req.return_values)
    accepts: tuple[str, ...] = ("ConditionExpression",)
    if req.operation == "UpdateItem":
        accepts = ("UpdateExpression", "ConditionExpression")
    parsed = parse_request(
        names=req.names,
        values=req.values,
        condition_expression=req.condition_expression,
        expected=req.expected,
        conditional_operator=req.conditional_operator,
        update_expression=update_expression,
        attribute_updates=attribute_updates,
        accepts=accepts,
    )
    now = time.time()

    def write(tx: Tx) -> Output:
        table = db.require_table(tx, req.account, req.region, req.table_name)
        change: Change = change_for(table, parsed)
        writer = db.ItemWriter(tx, table, now)
        old = writer.get(change.key)
        new = apply_change(table, change, old)
        writer.write(old, new)
        metrics = collection_metrics(table, req.return_item_collection_metrics, change.key, writer)
        writer.close()
        capacity = Capacity(table.name)
        charge_write(capacity, table, old, new)
        out: Output = {}
        returned = _returned(mode, old, new, parsed)
        if returned:
            out["Attributes"] = returned
        consumed = capacity.shape(req.return_consumed_capacity)
        if consumed is not None:
            out["ConsumedCapacity"] = consumed
        if metrics is not None:
            out["ItemCollectionMetrics"] = metrics
        return out

    return req.store.write(write)


def put_item(
    host: Host,
    ctx: RequestContext,
    table_name: str,
    item: Item,
    expected: dict[str, Any] | None = None,
    return_values: str | None = None,
    return_consumed_capacity: str | None = None,
    return_item_collection_metrics: str | None = None,
    conditional_operator: str | None = None,
    condition_expression: str | None = None,
    expression_attribute_names: dict[str, str] | None = None,
    expression_attribute_values: dict[str, Any] | None = None,
    return_values_on_condition_check_failure: str | None = None,
) -> Output:
    def change_for(table: Table, parsed: Parsed) -> Change:
        checked = check_item(table, item)
        key = ks.key_of(table, checked)
        return Change("Put", key, checked, parsed, return_values_on_condition_check_failure)

    req = _Write(
        "PutItem", host.store, ctx.account_id, ctx.region, table_name, expected,
        conditional_operator, condition_expression, expression_attribute_names,
        expression_attribute_values, return_values, return_values_on_condition_check_failure,
        return_consumed_capacity, return_item_collection_metrics,
    )  # fmt: skip
    return _write(req, change_for)


def delete_item(
    host: Host,
    ctx: RequestContext,
    table_name: str,
    key: Item,
    expected: dict[str, Any] | None = None,
    conditional_operator: str | None = None,
    return_values: str | None = None,
    return_consumed_capacity: str | None = None,
    return_item_collection_metrics: str | None = None,
    condition_expression: str | None = None,
    expression_attribute_names: dict[str, str] | None = None,
    expression_attribute_values: dict[str, Any] | None = None,
    return_values_on_condition_check_failure: str | None = None,
) -> Output:
    def change_for(table: Table, parsed: Parsed) -> Change:
        checked = ks.check_key(table, validate_item(key))
        return Change("Delete", checked, None, parsed, return_values_on_condition_check_failure)

    req = _Write(
        "DeleteItem", host.store, ctx.account_id, ctx.region, table_name, expected,
        conditional_operator, condition_expression, expression_attribute_names,
        expression_attribute_values, return_values, return_values_on_condition_check_failure,
        return_consumed_capacity, return_item_collection_metrics,
    )  # fmt: skip
    return _write(req, change_for)


def update_item(
    host: Host,
    ctx: RequestContext,
    table_name: str,
    key: Item,
    attribute_updates: dict[str, Any] | None = None,
    expected: dict[str, Any] | None = None,
    conditional_operator: str | None = None,
    return_values: str | None = None,
    return_consumed_capacity: str | None = None,
    return_item_collection_metrics: str | None = None,
    update_expression: str | None = None,
    condition_expression: str | None = None,
    expression_attribute_names: dict[str, str] | None = None,
    expression_attribute_values: dict[str, Any] | None = None,
    return_values_on_condition_check_failure: str | None = None,
) -> Output:
    def change_for(table: Table, parsed: Parsed) -> Change:
        checked = ks.check_key(table, validate_item(key))
        check_update_keys(table, parsed)
        return Change("Update", checked, None, parsed, return_values_on_condition_check_failure)

    req = _Write(
        "UpdateItem", host.store, ctx.account_id, ctx.region, table_name, expected,
        conditional_operator, condition_expression, expression_attribute_names,
        expression_attribute_values, return_values, return_values_on_condition_check_failure,
        return_consumed_capacity, return_item_collection_metrics,
    )  # fmt: skip
    return _write(req, change_for, update_expression, attribute_updates)


def get_item(
    host: Host,
    ctx: RequestContext,
    table_name: str,
    key: Item,
    attributes_to_get: list[str] | None = None,
    consistent_read: bool | None = None,
    return_consumed_capacity: str | None = None,
    projection_expression: str | None = None,
    expression_attribute_names: dict[str, str] | None = None,
) -> Output:
    parsed = parse_request(
        names=expression_attribute_names,
        projection_expression=projection_expression,
        attributes_to_get=attributes_to_get,
        accepts=("ProjectionExpression",),
    )

    table = db.cached_table(host.store, ctx.account_id, ctx.region, table_name)
    checked = ks.check_key(table, validate_item(key))
    found = host.store.read(lambda tx: db.read_item(tx, table, checked))
    out: Output = {}
    size = 0
    if found is not None:
        item, size = found
        out["Item"] = parsed.projection.apply(item) if parsed.projection is not None else item
    capacity = Capacity(table.name)
    capacity.add_read(read_units(size, bool(consistent_read)))
    consumed = capacity.shape(return_consumed_capacity)
    if consumed is not None:
        out["ConsumedCapacity"] = consumed
    return out
