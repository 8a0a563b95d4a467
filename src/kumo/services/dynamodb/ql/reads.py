"""SELECT: a Query when the WHERE clause pins the partition key, a Scan otherwise.

The whole WHERE clause is the filter either way, so the plan only narrows which storage
keys are read: one partition (of the table or the index) bounded by the first usable
sort-key condition (one partition after another for ``key IN [...]``), or every key of the
table or index. ``Limit`` counts items read before
the filter, a page stops at 1 MB as DynamoDB's pages do, and ``NextToken`` carries the
storage key of the last item read, bound to the statement it came from.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kumo.services.dynamodb import keys as ks
from kumo.services.dynamodb import store as db
from kumo.storage.base import Tx
from kumo.storage.keys import key, prefix_end

from ..errors import validation
from ..expressions import Path, project_paths
from ..expressions.condition import evaluate, resolve
from ..expressions.nodes import (
    Between,
    Comparison,
    FunctionCondition,
    In,
    Node,
    PathOperand,
    ValueOperand,
)
from ..models import Index, Table
from ..values import AttributeValue, Item, compare, value_type
from .statements import Select
from .target import conjuncts, equality

__all__ = ["Page", "fingerprint", "project", "read_page", "select_index"]

PAGE_BYTES = 1024 * 1024
_FLIPPED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass
class Page:
    items: list[Item]
    size: int
    last_key: Item | None
    next_token: str | None


def fingerprint(statement: str, parameters: Sequence[Any] | None) -> str:
    """A digest of a statement and its parameters, binding a NextToken to its request."""

    def default(value: Any) -> Any:
        if isinstance(value, bytes | bytearray):
            return base64.b64encode(bytes(value)).decode()
        raise TypeError(type(value).__name__)

    text = json.dumps([statement, list(parameters or [])], sort_keys=True, default=default)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _encode_token(position: int, storage_key: bytes, digest: str) -> str:
    data = json.dumps({"p": position, "k": base64.b64encode(storage_key).decode(), "h": digest})
    return base64.b64encode(data.encode()).decode()


def _decode_token(token: str, digest: str) -> tuple[int, bytes]:
    """The range position and storage key a NextToken resumes after."""
    try:
        data = json.loads(base64.b64decode(token, validate=True))
        storage_key = base64.b64decode(data["k"], validate=True)
        owner = data["h"]
        position = int(data["p"])
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise validation("Invalid NextToken") from None
    if owner != digest or position < 0:
        raise validation("NextToken does not match request")
    return position, storage_key


def select_index(table: Table, statement: Select, consistent_read: bool | None) -> Index | None:
    """The index a SELECT reads (None: the table), checked as DynamoDB checks it."""
    if statement.index is None:
        return None
    index = table.index(statement.index)
    if index is None:
        raise validation(f"The table does not have the specified index: {statement.index}")
    if index.is_global and consistent_read:
        raise validation("Strongly consistent read is not supported on Global Secondary Indexes")
    return index


def project(item: Item, paths: tuple[Path, ...] | None) -> Item:
    """A SELECT's projection: each path's value under its last attribute name."""
    if paths is None:
        return item
    out: Item = {}
    for position, path in enumerate(paths, start=1):
        value = resolve(item, path)
        if value is None:
            continue
        if len(path.elements) == 1:
            out.update(project_paths(item, [path]))
            continue
        last = path.elements[-1]
        out[last if isinstance(last, str) else f"_{position}"] = value
    return out


# -- planning --------------------------------------------------------------------------------


def _typed(table: Table, name: str, value: AttributeValue) -> bool:
    return value_type(value) == table.attribute_types.get(name)


def _range_term(
    table: Table, name: str, term: Node
) -> tuple[str, tuple[AttributeValue, ...]] | None:
    """A sort-key test usable as a key condition: ``(op, values)``."""
    if isinstance(term, Comparison) and term.op in _FLIPPED:
        for one, other, op in ((term.left, term.right, term.op),
                               (term.right, term.left, _FLIPPED[term.op])):  # fmt: skip
            if (
                isinstance(one, PathOperand)
                and one.path.elements == (name,)
                and isinstance(other, ValueOperand)
                and _typed(table, name, other.value)
            ):
                return op, (other.value,)
        return None
    if isinstance(term, Between) and isinstance(term.subject, PathOperand):
        low, high = term.low, term.high
        if (
            term.subject.path.elements == (name,)
            and isinstance(low, ValueOperand)
            and isinstance(high, ValueOperand)
            and _typed(table, name, low.value)
            and _typed(table, name, high.value)
        ):
            order = compare(low.value, high.value)
            if order is not None and order > 0:
                return "EMPTY", ()
            return "BETWEEN", (low.value, high.value)
        return None
    if isinstance(term, FunctionCondition) and term.name == "begins_with":
        subject, prefix = term.args
        if (
            isinstance(subject, PathOperand)
            and subject.path.elements == (name,)
            and isinstance(prefix, ValueOperand)
            and value_type(prefix.value) in ("S", "B")
            and _typed(table, name, prefix.value)
        ):
            return "begins_with", (prefix.value,)
    return None


@dataclass
class _Plan:
    store_table: str
    # the storage ranges read in turn: one per partition for a Query, one for a Scan
    ranges: list[tuple[bytes, bytes | None]]
    reverse: bool


def _hash_values(table: Table, name: str, terms: list[Node]) -> list[AttributeValue]:
    """The partitions a WHERE clause pins: ``key = v`` or ``key IN [v1, v2 ...]``."""
    for term in terms:
        pair = equality(term)
        if pair is not None and pair[0] == name and _typed(table, name, pair[1]):
            return [pair[1]]
    for term in terms:
        if (
            isinstance(term, In)
            and isinstance(term.subject, PathOperand)
            and term.subject.path.elements == (name,)
        ):
            values: dict[bytes, AttributeValue] = {}
            for option in term.options:
                if isinstance(option, ValueOperand) and _typed(table, name, option.value):
                    values.setdefault(ks.key_bytes(option.value), option.value)
            return list(values.values())
    return []


def _check_order(
    statement: Select, hashes: list[AttributeValue], hash_name: str, range_name: str | None
) -> None:
    if statement.order_by is None:
        return
    if statement.where is None:
        raise validation("Must have WHERE clause in the statement when using ORDER BY clause.")
    if not hashes:
        raise validation(
            "Must have at least one non-optional hash key condition in WHERE clause when "
            "using ORDER BY clause."
        )
    if statement.order_by not in (hash_name, range_name):
        raise validation(
            f"Variable reference {statement.order_by} in ORDER BY clause must be part of the "
            "primary key"
        )
    if len(hashes) > 1 and statement.order_by != hash_name:
        raise validation(
            "Must have hash key in ORDER BY clause when more than one hash key condition "
            "specified in WHERE clause."
        )


def _plan(table: Table, index: Index | None, statement: Select) -> _Plan:
    hash_name = index.hash_key if index is not None else table.hash_key
    range_name = index.range_key if index is not None else table.range_key
    store_table = db.ITEMS if index is None else db.INDEX
    terms = conjuncts(statement.where)
    hashes = _hash_values(table, hash_name, terms)
    _check_order(statement, hashes, hash_name, range_name)
    if not hashes:
        base = key(table.id) if index is None else key(table.id, index.name)
        return _Plan(store_table, [(base, prefix_end(base))], False)
    if statement.order_by is not None:
        hashes.sort(key=ks.key_bytes, reverse=statement.descending and len(hashes) > 1)
    op: str | None = None
    values: tuple[AttributeValue, ...] = ()
    if range_name is not None:
        for term in terms:
            found = _range_term(table, range_name, term)
            if found is not None:
                op, values = found
                break
    ranges = []
    for value in hashes:
        if index is None:
            prefix = ks.partition_prefix(table, value)
        else:
            prefix = ks.index_partition_prefix(table, index, value)
        ranges.append(ks.range_bounds(prefix, op, values))
    reverse = statement.descending and statement.order_by == range_name
    return _Plan(store_table, ranges, reverse)


# -- reading ---------------------------------------------------------------------------------


def _last_key(table: Table, index: Index | None, item: Item) -> Item:
    names = list(table.key_names())
    if index is not None:
        names += [n for n in index.key_names() if n not in names]
    return {n: item[n] for n in names if n in item}


def read_page(
    tx: Tx,
    table: Table,
    index: Index | None,
    statement: Select,
    *,
    limit: int | None,
    next_token: str | None,
    digest: str,
) -> Page:
    """One page of a SELECT's results."""
    plan = _plan(table, index, statement)
    first, resume = 0, None
    if next_token is not None:
        first, resume = _decode_token(next_token, digest)
        if first >= len(plan.ranges):
            raise validation("NextToken does not match request")
    found: list[Item] = []
    size = scanned = 0
    # a local index reads the attributes it does not project from the table, as DynamoDB does
    fetch = index is not None and not index.is_global and index.projection_type != "ALL"
    for position in range(first, len(plan.ranges)):
        low, high = plan.ranges[position]
        if resume is not None and position == first:
            if plan.reverse:
                high = resume if high is None else min(high, resume)
            else:
                low = max(low, resume + b"\x00")
        if high is not None and low >= high:
            continue
        for storage_key, data in tx.scan(
            plan.store_table, start=low, end=high, reverse=plan.reverse
        ):
            item = db.decode_item(data["i"])
            size += int(data["s"])
            scanned += 1
            if fetch:
                whole = db.read_item(tx, table, ks.key_of(table, item))
                if whole is not None:
                    item = whole[0]
            if statement.where is None or evaluate(statement.where, item):
                found.append(project(item, statement.paths))
            if (limit is not None and scanned >= limit) or size >= PAGE_BYTES:
                token = _encode_token(position, storage_key, digest)
                return Page(found, size, _last_key(table, index, item), token)
    return Page(found, size, None, None)
