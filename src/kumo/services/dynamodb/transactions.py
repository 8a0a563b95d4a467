"""TransactWriteItems and TransactGetItems.

A write transaction runs as ONE store transaction: every condition is checked against the
same state and either every change is written (with its index entries, stats and stream
records) or none is, whatever other clients do at the same time. A ClientRequestToken is
remembered for ten minutes in the store, in the same transaction: a retry with the same
token and request gets the first answer without writing again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.dynamodb import keys as ks
from kumo.services.dynamodb import store as db
from kumo.services.dynamodb.capacity import Capacity, read_units, write_units
from kumo.services.dynamodb.errors import validation
from kumo.services.dynamodb.exprs import parse_request
from kumo.services.dynamodb.host import Host, Output, TablesRequest
from kumo.services.dynamodb.items import (
    Change,
    apply_change,
    charge_write,
    check_item,
    check_update_keys,
    collection_metrics,
)
from kumo.services.dynamodb.values import validate_item
from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = ["TOKENS", "transact_get_items", "transact_write_items"]

TOKENS = "dynamodb.tokens"
TOKEN_TTL = 600.0

Item = dict[str, Any]


def _same_item() -> ServiceError:
    return validation("Transaction request cannot include multiple operations on one item")


def _fingerprint(value: Any) -> str:
    def default(v: Any) -> Any:
        if isinstance(v, bytes | bytearray):
            return base64.b64encode(bytes(v)).decode()
        raise TypeError(type(v).__name__)

    text = json.dumps(value, sort_keys=True, default=default)
    return hashlib.sha256(text.encode()).hexdigest()


def _plan(table: Any, kind: str, spec: dict[str, Any]) -> Change:
    parsed = parse_request(
        names=spec.get("ExpressionAttributeNames"),
        values=spec.get("ExpressionAttributeValues"),
        condition_expression=spec.get("ConditionExpression"),
        update_expression=spec.get("UpdateExpression"),
        accepts=("UpdateExpression", "ConditionExpression")
        if kind == "Update"
        else ("ConditionExpression",),
    )
    on_failure = spec.get("ReturnValuesOnConditionCheckFailure")
    if kind == "Put":
        item = check_item(table, spec["Item"])
        return Change("Put", ks.key_of(table, item), item, parsed, on_failure)
    key_item = ks.check_key(table, validate_item(spec["Key"]))
    if kind == "Update":
        check_update_keys(table, parsed)
    return Change(kind, key_item, None, parsed, on_failure)


def _reasons_message(codes: list[str]) -> str:
    return (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        f"[{', '.join(codes)}]"
    )


def transact_write_items(
    host: Host,
    ctx: RequestContext,
    transact_items: list[dict[str, Any]],
    return_consumed_capacity: str | None = None,
    return_item_collection_metrics: str | None = None,
    client_request_token: str | None = None,
) -> Output:
    req = TablesRequest.of(host, ctx, return_consumed_capacity)
    entries: list[tuple[str, dict[str, Any]]] = []
    for entry in transact_items:
        kinds = [k for k in ("ConditionCheck", "Put", "Delete", "Update") if entry.get(k)]
        if len(kinds) != 1:
            raise validation("TransactItems can only contain one of Check, Put, Update or Delete")
        entries.append((kinds[0], entry[kinds[0]]))
    # the answer's form (ReturnConsumedCapacity) is not part of what makes a request the same
    fingerprint = _fingerprint(transact_items)
    now = time.time()

    def write(tx: Tx) -> Output:
        token_key = key(req.account, req.region, client_request_token or "")
        if client_request_token is not None:
            seen = tx.get(TOKENS, token_key)
            if seen is not None and seen["t"] > now - TOKEN_TTL:
                if seen["f"] != fingerprint:
                    raise ServiceError(
                        "Specified idempotency token was already used with different request "
                        "parameters",
                        code="IdempotentParameterMismatchException",
                        status=400,
                    )
                return _replayed(tx, req, entries, seen["out"])
        planned = []
        seen_keys: set[bytes] = set()
        for kind, spec in entries:
            table = db.require_table(tx, req.account, req.region, spec["TableName"])
            change = _plan(table, kind, spec)
            storage_key = ks.item_key(table, change.key)
            if storage_key in seen_keys:
                raise _same_item()
            seen_keys.add(storage_key)
            planned.append((table, change))
        writers = db.Writers(tx, now)
        results: list[tuple[Any, Item | None, Item | None, Change]] = []
        reasons: list[dict[str, Any]] = []
        failed = False
        for table, change in planned:
            writer = writers.of(table)
            old = writer.get(change.key)
            try:
                new = apply_change(table, change, old)
            except ServiceError as exc:
                # errors that depend on the item's state cancel the transaction with a reason
                if exc.code == "ConditionalCheckFailedException":
                    reason: dict[str, Any] = {
                        "Code": "ConditionalCheckFailed",
                        "Message": "The conditional request failed",
                    }
                    if exc.fields.get("Item") is not None:
                        reason["Item"] = exc.fields["Item"]
                elif exc.code == "ValidationException":
                    reason = {"Code": "ValidationError", "Message": exc.message}
                else:
                    raise
                failed = True
                reasons.append(reason)
                continue
            reasons.append({"Code": "None"})
            results.append((table, old, new, change))
        if failed:
            raise ServiceError(
                _reasons_message([r["Code"] for r in reasons]),
                code="TransactionCanceledException",
                status=400,
                CancellationReasons=reasons,
            )
        capacities: dict[str, Capacity] = {}
        metrics: dict[str, list[dict[str, Any]]] = {}
        for table, old, new, change in results:
            capacity = capacities.setdefault(table.name, Capacity(table.name, split=True))
            if change.kind == "ConditionCheck":
                # a transactional condition check is billed as a write of the item it checks
                capacity.add_write(2 * write_units(db.item_size_of(old)))
                continue
            writer = writers.of(table)
            writer.write(old, new)
            charge_write(capacity, table, old, new, factor=2.0)
            found = collection_metrics(table, return_item_collection_metrics, change.key, writer)
            if found is not None:
                metrics.setdefault(table.name, []).append(found)
        writers.close()
        out: Output = {}
        if req.return_consumed_capacity in ("TOTAL", "INDEXES"):
            out["ConsumedCapacity"] = [
                c.shape(req.return_consumed_capacity) for c in capacities.values()
            ]
        if return_item_collection_metrics == "SIZE":
            out["ItemCollectionMetrics"] = metrics
        if client_request_token is not None:
            # a replay recomputes its capacity and reports no item collections (their keys
            # may hold binary values, which the JSON store does not keep)
            stored = {
                k: v
                for k, v in out.items()
                if k not in ("ConsumedCapacity", "ItemCollectionMetrics")
            }
            tx.put(TOKENS, token_key, {"f": fingerprint, "t": now, "out": stored})
        return out

    return req.store.write(write)


def _replayed(
    tx: Tx, req: TablesRequest, entries: list[tuple[str, dict[str, Any]]], stored: Output
) -> Output:
    """The answer to a retry with a known token: nothing is written again; its consumed
    capacity is that of reading the items (transactionally), as DynamoDB reports it."""
    out = dict(stored)
    if req.return_consumed_capacity not in ("TOTAL", "INDEXES"):
        return out
    capacities: dict[str, Capacity] = {}
    for _, spec in entries:
        table = db.get_table(tx, req.account, req.region, spec["TableName"])
        if table is None:
            continue
        key_item = spec.get("Key") or ks.key_of(table, validate_item(spec["Item"]))
        found = db.read_item(tx, table, validate_item(key_item))
        capacity = capacities.setdefault(table.name, Capacity(table.name, split=True))
        capacity.add_read(2 * read_units(found[1] if found else 0, True))
    out["ConsumedCapacity"] = [c.shape(req.return_consumed_capacity) for c in capacities.values()]
    return out


def expire_tokens(tx: Tx, now: float) -> None:
    for k, data in list(tx.scan(TOKENS)):
        if data["t"] <= now - TOKEN_TTL:
            tx.delete(TOKENS, k)


def transact_get_items(
    host: Host,
    ctx: RequestContext,
    transact_items: list[dict[str, Any]],
    return_consumed_capacity: str | None = None,
) -> Output:
    req = TablesRequest.of(host, ctx, return_consumed_capacity)
    specs = [entry["Get"] for entry in transact_items]
    parsed = [
        parse_request(
            names=spec.get("ExpressionAttributeNames"),
            projection_expression=spec.get("ProjectionExpression"),
            accepts=("ProjectionExpression",),
        )
        for spec in specs
    ]

    def read(tx: Tx) -> Output:
        seen: set[bytes] = set()
        responses: list[dict[str, Any]] = []
        capacities: dict[str, Capacity] = {}
        for spec, p in zip(specs, parsed, strict=True):
            table = db.require_table(tx, req.account, req.region, spec["TableName"])
            checked = ks.check_key(table, validate_item(spec["Key"]))
            storage_key = ks.item_key(table, checked)
            if storage_key in seen:
                raise _same_item()
            seen.add(storage_key)
            found = db.read_item(tx, table, checked)
            capacity = capacities.setdefault(table.name, Capacity(table.name, split=True))
            capacity.add_read(2 * read_units(found[1] if found else 0, True))
            if found is None:
                responses.append({})
            else:
                item = p.projection.apply(found[0]) if p.projection else found[0]
                responses.append({"Item": item})
        out: Output = {"Responses": responses}
        if req.return_consumed_capacity in ("TOTAL", "INDEXES"):
            out["ConsumedCapacity"] = [
                c.shape(req.return_consumed_capacity) for c in capacities.values()
            ]
        return out

    return req.store.read(read)
