"""BatchGetItem and BatchWriteItem.

A batch write runs in one store transaction (DynamoDB only promises each write is atomic on
its own; doing them together is a stronger, compatible guarantee). A batch read reads one
snapshot and answers the keys beyond the 16 MB response limit as UnprocessedKeys.
"""

from __future__ import annotations

import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.services.dynamodb import keys as ks
from kumo.services.dynamodb import store as db
from kumo.services.dynamodb.capacity import Capacity, read_units
from kumo.services.dynamodb.errors import validation
from kumo.services.dynamodb.exprs import parse_request
from kumo.services.dynamodb.host import Host, Output, TablesRequest
from kumo.services.dynamodb.items import (
    Change,
    apply_change,
    charge_write,
    check_item,
    collection_metrics,
)
from kumo.services.dynamodb.values import validate_item
from kumo.storage.base import Tx

__all__ = ["batch_get_item", "batch_write_item"]

MAX_GET = 100
MAX_WRITE = 25
MAX_RESPONSE = 16 * 1024 * 1024

Item = dict[str, Any]


def _duplicates() -> Exception:
    return validation("Provided list of item keys contains duplicates")


def batch_get_item(
    host: Host,
    ctx: RequestContext,
    request_items: dict[str, dict[str, Any]],
    return_consumed_capacity: str | None = None,
) -> Output:
    req = TablesRequest.of(host, ctx, return_consumed_capacity)
    total = sum(len(spec.get("Keys") or []) for spec in request_items.values())
    if total > MAX_GET:
        raise validation("Too many items requested for the BatchGetItem call")
    parsed = {
        name: parse_request(
            names=spec.get("ExpressionAttributeNames"),
            projection_expression=spec.get("ProjectionExpression"),
            attributes_to_get=spec.get("AttributesToGet"),
            accepts=("ProjectionExpression",),
        )
        for name, spec in request_items.items()
    }

    def read(tx: Tx) -> Output:
        responses: dict[str, list[Item]] = {}
        unprocessed: dict[str, dict[str, Any]] = {}
        capacities: list[Capacity] = []
        size = 0
        for name, spec in request_items.items():
            table = db.require_table(tx, req.account, req.region, name)
            seen: set[bytes] = set()
            got = responses.setdefault(name, [])
            capacity = Capacity(name)
            capacities.append(capacity)
            consistent = bool(spec.get("ConsistentRead"))
            for raw in spec.get("Keys") or []:
                checked = ks.check_key(table, validate_item(raw))
                storage_key = ks.item_key(table, checked)
                if storage_key in seen:
                    raise _duplicates()
                seen.add(storage_key)
                if size >= MAX_RESPONSE:
                    rest = unprocessed.setdefault(
                        name, {k: v for k, v in spec.items() if k != "Keys"}
                    )
                    rest.setdefault("Keys", []).append(raw)
                    continue
                found = db.read_item(tx, table, checked)
                capacity.add_read(read_units(found[1] if found else 0, consistent))
                if found is not None:
                    size += found[1]
                    projection = parsed[name].projection
                    got.append(projection.apply(found[0]) if projection else found[0])
        out: Output = {"Responses": responses, "UnprocessedKeys": unprocessed}
        shapes = [c.shape(req.return_consumed_capacity) for c in capacities]
        if req.return_consumed_capacity in ("TOTAL", "INDEXES"):
            out["ConsumedCapacity"] = [s for s in shapes if s is not None]
        return out

    return req.store.read(read)


def batch_write_item(
    host: Host,
    ctx: RequestContext,
    request_items: dict[str, list[dict[str, Any]]],
    return_consumed_capacity: str | None = None,
    return_item_collection_metrics: str | None = None,
) -> Output:
    req = TablesRequest.of(host, ctx, return_consumed_capacity)
    total = sum(len(entries) for entries in request_items.values())
    if total > MAX_WRITE:
        raise validation("Too many items requested for the BatchWriteItem call")
    for entries in request_items.values():
        for entry in entries:
            if len([k for k in ("PutRequest", "DeleteRequest") if entry.get(k)]) != 1:
                raise validation(
                    "1 validation error detected: Value at 'requestItems' failed to satisfy "
                    "constraint: a WriteRequest must contain exactly one of PutRequest and "
                    "DeleteRequest"
                )
    now = time.time()

    def write(tx: Tx) -> Output:
        writers = db.Writers(tx, now)
        capacities: list[Capacity] = []
        planned: list[tuple[Any, Change]] = []
        for name, entries in request_items.items():
            table = db.require_table(tx, req.account, req.region, name)
            seen: set[bytes] = set()
            for entry in entries:
                if entry.get("PutRequest"):
                    item = check_item(table, entry["PutRequest"]["Item"])
                    change = Change("Put", ks.key_of(table, item), item)
                else:
                    key_item = ks.check_key(table, validate_item(entry["DeleteRequest"]["Key"]))
                    change = Change("Delete", key_item)
                storage_key = ks.item_key(table, change.key)
                if storage_key in seen:
                    raise _duplicates()
                seen.add(storage_key)
                planned.append((table, change))
        by_table: dict[str, Capacity] = {}
        metrics: dict[str, list[dict[str, Any]]] = {}
        for table, change in planned:
            writer = writers.of(table)
            old = writer.get(change.key)
            new = apply_change(table, change, old)
            writer.write(old, new)
            found = collection_metrics(table, return_item_collection_metrics, change.key, writer)
            if found is not None:
                metrics.setdefault(table.name, []).append(found)
            capacity = by_table.get(table.name)
            if capacity is None:
                capacity = by_table[table.name] = Capacity(table.name)
                capacities.append(capacity)
            charge_write(capacity, table, old, new)
        writers.close()
        out: Output = {"UnprocessedItems": {}}
        if req.return_consumed_capacity in ("TOTAL", "INDEXES"):
            out["ConsumedCapacity"] = [c.shape(req.return_consumed_capacity) for c in capacities]
        if return_item_collection_metrics == "SIZE":
            # only tables with local secondary indexes have item collections to report
            out["ItemCollectionMetrics"] = metrics
        return out

    return req.store.write(write)
