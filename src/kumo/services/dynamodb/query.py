"""Query and Scan over tables and secondary indexes.

A Query is a range scan of one partition's storage keys (items or index entries), bounded
by the key condition's range operator; a Scan walks the table's (or index's) keys in
partition-hash order, and a parallel Scan segment is a range of those hashes. Paging is
DynamoDB's: ``Limit`` and the 1 MB page limit count items read before the filter, and
``LastEvaluatedKey`` names the last item read (for an index: table key plus index key).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kumo.aws.context import RequestContext
from kumo.services.dynamodb import keys as ks
from kumo.services.dynamodb import store as db
from kumo.services.dynamodb.capacity import Capacity, read_units
from kumo.services.dynamodb.errors import invalid, validation
from kumo.services.dynamodb.expressions import Path
from kumo.services.dynamodb.exprs import Parsed, parse_request
from kumo.services.dynamodb.host import Host, Output
from kumo.services.dynamodb.models import Index, Table
from kumo.services.dynamodb.values import validate_item
from kumo.storage.base import Store, Tx
from kumo.storage.keys import key, prefix_end

__all__ = ["ReadRequest", "query", "scan"]

PAGE_BYTES = 1024 * 1024

Item = dict[str, Any]


@dataclass
class ReadRequest:
    """The members Query and Scan share."""

    store: Store
    account: str
    region: str
    table_name: str
    index_name: str | None = None
    select: str | None = None
    attributes_to_get: list[str] | None = None
    limit: int | None = None
    consistent_read: bool | None = None
    exclusive_start_key: Item | None = None
    return_consumed_capacity: str | None = None
    projection_expression: str | None = None
    filter_expression: str | None = None
    names: dict[str, str] | None = None
    values: dict[str, Any] | None = None
    conditional_operator: str | None = None
    # PartiQL's WHERE clause is a filter that may repeat the key condition
    key_filter: bool = False

    def parse(
        self,
        legacy_filter: dict[str, Any] | None,
        legacy_filter_name: str,
        accepts: tuple[str, ...],
        *,
        key_condition_expression: str | None = None,
        key_conditions: dict[str, Any] | None = None,
        hash_key: str | None = None,
        range_key: str | None = None,
    ) -> Parsed:
        """The request's projection and filter (legacy or expression), with a Query's key
        condition; ``accepts`` names the operation's expression parameters."""
        return parse_request(
            names=self.names,
            values=self.values,
            projection_expression=self.projection_expression,
            attributes_to_get=self.attributes_to_get,
            filter_expression=self.filter_expression,
            legacy_filter=legacy_filter,
            legacy_filter_name=legacy_filter_name,
            conditional_operator=self.conditional_operator,
            key_condition_expression=key_condition_expression,
            key_conditions=key_conditions,
            hash_key=hash_key,
            range_key=range_key,
            accepts=accepts,
        )


def _index(table: Table, req: ReadRequest) -> Index | None:
    if req.index_name is None:
        return None
    index = table.index(req.index_name)
    if index is None:
        raise validation(f"The table does not have the specified index: {req.index_name}")
    if index.is_global and req.consistent_read:
        raise validation("Consistent reads are not supported on global secondary indexes")
    return index


def _select(table: Table, index: Index | None, req: ReadRequest, parsed: Parsed) -> str:
    projected = req.projection_expression is not None or req.attributes_to_get is not None
    which = "ProjectionExpression" if req.projection_expression is not None else "AttributesToGet"
    select = req.select
    if select is None:
        if projected:
            return "SPECIFIC_ATTRIBUTES"
        return "ALL_PROJECTED_ATTRIBUTES" if index is not None else "ALL_ATTRIBUTES"
    if select == "SPECIFIC_ATTRIBUTES":
        if not projected:
            raise validation(
                "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
                "SPECIFIC_ATTRIBUTES"
            )
        return select
    if projected:
        if select == "COUNT":
            raise validation(f"Cannot specify the {which} when choosing to get only the Count")
        raise validation(f"Cannot specify the {which} when choosing to get {select}")
    if select == "ALL_PROJECTED_ATTRIBUTES" and index is None:
        raise validation(
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
        )
    if (
        select == "ALL_ATTRIBUTES"
        and index is not None
        and index.is_global
        and index.projection_type != "ALL"
    ):
        raise invalid(
            f"Select type ALL_ATTRIBUTES is not supported for global secondary index "
            f"{index.name} because its projection type is not ALL"
        )
    return select


def _start_key(table: Table, index: Index | None, start: Item | None) -> bytes | None:
    """The storage key of ExclusiveStartKey, checked against the schema."""
    if start is None:
        return None
    start = validate_item(start)
    names = set(table.key_names())
    if index is not None:
        names.update(index.key_names())
    if set(start) != names or any(next(iter(start[n])) != table.attribute_types[n] for n in names):
        raise validation(
            "The provided starting key is invalid: The provided key element does not match "
            "the schema"
        )
    if index is None:
        return ks.item_key(table, start)
    return ks.index_key(table, index, start)


def _last_key(table: Table, index: Index | None, item: Item) -> Item:
    names = list(table.key_names())
    if index is not None:
        names += [n for n in index.key_names() if n not in names]
    return {n: item[n] for n in names if n in item}


@dataclass
class _Page:
    items: list[Item]
    count: int
    scanned: int
    size: int
    last: Item | None


def _page(
    tx: Tx,
    table: Table,
    index: Index | None,
    rows: Iterator[tuple[bytes, Any]],
    req: ReadRequest,
    parsed: Parsed,
    select: str,
) -> _Page:
    limit = req.limit
    items: list[Item] = []
    count = scanned = size = 0
    last: Item | None = None
    full = index is not None and not index.is_global and index.projection_type != "ALL"
    for _, data in rows:
        item = db.decode_item(data["i"])
        size += int(data["s"])
        scanned += 1
        if full and select in ("ALL_ATTRIBUTES", "SPECIFIC_ATTRIBUTES"):
            # a local index reads the attributes it does not project from the table
            found = db.read_item(tx, table, ks.key_of(table, item))
            if found is not None:
                item = found[0]
        if parsed.filter is None or parsed.filter.evaluate(item):
            count += 1
            if select != "COUNT":
                items.append(parsed.projection.apply(item) if parsed.projection else item)
        if (limit is not None and scanned >= limit) or size >= PAGE_BYTES:
            last = _last_key(table, index, item)
            break
    return _Page(items, count, scanned, size, last)


def _output(
    table: Table, index: Index | None, page: _Page, req: ReadRequest, select: str
) -> Output:
    out: Output = {"Count": page.count, "ScannedCount": page.scanned}
    if select != "COUNT":
        out["Items"] = page.items
    if page.last is not None:
        out["LastEvaluatedKey"] = page.last
    capacity = Capacity(table.name)
    units = read_units(page.size, bool(req.consistent_read))
    if index is None:
        capacity.add_read(units)
    else:
        capacity.add_index(index.name, units, is_global=index.is_global, write=False)
    consumed = capacity.shape(req.return_consumed_capacity)
    if consumed is not None:
        out["ConsumedCapacity"] = consumed
    return out


def _top_names(node: Any) -> set[str]:
    """The top-level attribute names a parsed expression tree refers to."""
    if isinstance(node, Path):
        return {node.top}
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        names: set[str] = set()
        for f in dataclasses.fields(node):
            names |= _top_names(getattr(node, f.name))
        return names
    if isinstance(node, tuple | list):
        return set().union(*(_top_names(n) for n in node)) if node else set()
    return set()


def _check_filter_keys(parsed: Parsed, keys: list[str]) -> None:
    """A Query's FilterExpression may not test the key attributes it queries by."""
    if parsed.filter is None:
        return
    used = _top_names(parsed.filter.node)
    for name in keys:
        if name in used:
            raise validation(
                "Filter Expression can only contain non-primary key attributes: Primary key "
                f"attribute: {name}"
            )


def _check_key_type(table: Table, name: str, value: Item) -> None:
    if next(iter(value)) != table.attribute_types[name]:
        raise invalid("Condition parameter type does not match schema type")


def query(
    host: Host,
    ctx: RequestContext,
    table_name: str,
    index_name: str | None = None,
    select: str | None = None,
    attributes_to_get: list[str] | None = None,
    limit: int | None = None,
    consistent_read: bool | None = None,
    key_conditions: dict[str, Any] | None = None,
    query_filter: dict[str, Any] | None = None,
    conditional_operator: str | None = None,
    scan_index_forward: bool | None = None,
    exclusive_start_key: dict[str, Any] | None = None,
    return_consumed_capacity: str | None = None,
    projection_expression: str | None = None,
    filter_expression: str | None = None,
    key_condition_expression: str | None = None,
    expression_attribute_names: dict[str, str] | None = None,
    expression_attribute_values: dict[str, Any] | None = None,
) -> Output:
    req = ReadRequest(
        host.store, ctx.account_id, ctx.region, table_name, index_name, select,
        attributes_to_get, limit, consistent_read, exclusive_start_key,
        return_consumed_capacity, projection_expression, filter_expression,
        expression_attribute_names, expression_attribute_values, conditional_operator,
    )  # fmt: skip
    table = db.cached_table(req.store, req.account, req.region, req.table_name)

    def read(tx: Tx) -> Output:
        index = _index(table, req)
        hash_key, range_key = (
            (index.hash_key, index.range_key) if index else (table.hash_key, table.range_key)
        )
        if key_condition_expression is None and key_conditions is None:
            raise validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be "
                "specified in the request."
            )
        parsed = req.parse(
            query_filter,
            "QueryFilter",
            ("ProjectionExpression", "FilterExpression", "KeyConditionExpression"),
            key_condition_expression=key_condition_expression,
            key_conditions=key_conditions,
            hash_key=hash_key,
            range_key=range_key,
        )
        select = _select(table, index, req, parsed)
        if req.filter_expression is not None and not req.key_filter:
            _check_filter_keys(parsed, [k for k in (hash_key, range_key) if k is not None])
        cond = parsed.key_condition
        assert cond is not None  # one of the two key condition forms is present
        _check_key_type(table, hash_key, cond.hash_value)
        for value in cond.range_values or []:
            assert range_key is not None
            _check_key_type(table, range_key, value)
        if index is None:
            prefix = ks.partition_prefix(table, cond.hash_value)
            table_name = db.ITEMS
        else:
            prefix = ks.index_partition_prefix(table, index, cond.hash_value)
            table_name = db.INDEX
        low, high = ks.range_bounds(prefix, cond.range_op, cond.range_values or ())
        forward = scan_index_forward is not False
        start = _start_key(table, index, req.exclusive_start_key)
        if start is not None and not (low <= start and (high is None or start < high)):
            raise validation(
                "The provided starting key is outside query boundaries based on provided conditions"
            )
        if start is not None:
            if forward:
                low = max(low, start + b"\x00")
            else:
                high = start if high is None else min(high, start)
        rows = tx.scan(table_name, start=low, end=high, reverse=not forward)
        page = _page(tx, table, index, rows, req, parsed, select)
        return _output(table, index, page, req, select)

    return req.store.read(read)


def scan(
    host: Host,
    ctx: RequestContext,
    table_name: str,
    index_name: str | None = None,
    attributes_to_get: list[str] | None = None,
    limit: int | None = None,
    select: str | None = None,
    scan_filter: dict[str, Any] | None = None,
    conditional_operator: str | None = None,
    exclusive_start_key: dict[str, Any] | None = None,
    return_consumed_capacity: str | None = None,
    total_segments: int | None = None,
    segment: int | None = None,
    projection_expression: str | None = None,
    filter_expression: str | None = None,
    expression_attribute_names: dict[str, str] | None = None,
    expression_attribute_values: dict[str, Any] | None = None,
    consistent_read: bool | None = None,
) -> Output:
    req = ReadRequest(
        host.store, ctx.account_id, ctx.region, table_name, index_name, select,
        attributes_to_get, limit, consistent_read, exclusive_start_key,
        return_consumed_capacity, projection_expression, filter_expression,
        expression_attribute_names, expression_attribute_values, conditional_operator,
    )  # fmt: skip
    if segment is not None and total_segments is None:
        raise validation(
            "The TotalSegments parameter is required but was not present in the request when "
            "Segment parameter is present"
        )
    if total_segments is not None and segment is None:
        raise validation(
            "The Segment parameter is required but was not present in the request when "
            "parameter TotalSegments is present"
        )
    if segment is not None and total_segments is not None and segment >= total_segments:
        raise validation(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
            f"Segment: {segment} is not less than TotalSegments: {total_segments}"
        )
    parsed = req.parse(scan_filter, "ScanFilter", ("ProjectionExpression", "FilterExpression"))

    table = db.cached_table(req.store, req.account, req.region, req.table_name)

    def read(tx: Tx) -> Output:
        index = _index(table, req)
        select = _select(table, index, req, parsed)
        if index is None:
            base = key(table.id)
            table_name = db.ITEMS
        else:
            base = key(table.id, index.name)
            table_name = db.INDEX
        low, high = base, prefix_end(base)
        if segment is not None and total_segments is not None:
            first = segment * ks.BUCKETS // total_segments
            low = base + key(first)
            if segment + 1 < total_segments:
                high = base + key((segment + 1) * ks.BUCKETS // total_segments)
        start = _start_key(table, index, req.exclusive_start_key)
        if start is not None:
            low = max(low, start + b"\x00")
        rows = tx.scan(table_name, start=low, end=high)
        page = _page(tx, table, index, rows, req, parsed, select)
        return _output(table, index, page, req, select)

    return req.store.read(read)
