"""Item keys: validating them as DynamoDB does, and encoding them into storage keys.

A key attribute becomes bytes whose order is DynamoDB's order for that type: S as UTF-8, B
as itself, N through :func:`~kumo.services.dynamodb.values.number_sort_key`. A table's
item is stored under ``(table id, bucket, hash bytes[, range bytes])`` where ``bucket`` is
a 32-bit hash of the partition key: a Query is a range scan under one partition, a Scan walks
partitions in hash order as DynamoDB does, and a parallel Scan's segment is a bucket range.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from kumo.services.dynamodb.errors import invalid, validation
from kumo.services.dynamodb.models import Index, Table
from kumo.services.dynamodb.values import number_sort_key
from kumo.storage.keys import key, key_prefix, prefix_end

__all__ = [
    "BUCKETS",
    "after",
    "bucket_of",
    "check_index_keys",
    "check_item_keys",
    "check_key",
    "index_key",
    "index_partition_prefix",
    "indexed",
    "item_key",
    "key_bytes",
    "key_of",
    "partition_prefix",
    "range_bounds",
]

BUCKETS = 1 << 32
MAX_HASH_KEY = 2048
MAX_RANGE_KEY = 1024

Item = dict[str, Any]
AttributeValue = dict[str, Any]


def key_bytes(value: AttributeValue) -> bytes:
    """The order-preserving bytes of a scalar key value (S, N or B)."""
    if "S" in value:
        return str(value["S"]).encode("utf-8", "surrogatepass")
    if "N" in value:
        return number_sort_key(str(value["N"]))
    if "B" in value:
        return bytes(value["B"])
    raise ValueError(f"not a key value: {value!r}")


def bucket_of(hash_bytes: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(hash_bytes, digest_size=4).digest(), "big")


def after(k: bytes) -> bytes:
    """The smallest key above every key whose leading complete parts are ``k``.

    Keys of :mod:`kumo.storage.keys` continue a terminated part with a tag byte (at most
    0x03) or an escaped NUL (0x00 0xFF) of a longer string; 0x04 sorts between the two.
    """
    return k + b"\x04"


def _type_of(value: AttributeValue) -> str:
    return next(iter(value)) if value else "?"


def _check_size(value: AttributeValue, *, is_range: bool) -> None:
    """Key size limits: 2048 bytes for a partition key, 1024 for a sort key (S and B)."""
    size = 0 if "N" in value else len(key_bytes(value))
    if is_range and size > MAX_RANGE_KEY:
        raise invalid(
            "Aggregated size of all range keys has exceeded the size limit of "
            f"{MAX_RANGE_KEY} bytes"
        )
    if not is_range and size > MAX_HASH_KEY:
        raise invalid(f"Size of hashkey has exceeded the maximum size limit of{MAX_HASH_KEY} bytes")


def _empty(value: AttributeValue) -> bool:
    return ("S" in value and value["S"] == "") or ("B" in value and len(value["B"]) == 0)


def check_key(table: Table, key: Item) -> Item:
    """A Key parameter (GetItem, DeleteItem, UpdateItem...): exactly the table's keys."""
    names = table.key_names()
    if len(key) != len(names) or any(n not in key for n in names):
        raise validation("The provided key element does not match the schema")
    for name in names:
        value = key[name]
        if _type_of(value) != table.attribute_types[name]:
            raise validation("The provided key element does not match the schema")
        if _empty(value):
            raise validation(
                "One or more parameter values are not valid. The AttributeValue for a key "
                f"attribute cannot contain an empty {_kind(value)} value. Key: {name}"
            )
        _check_size(value, is_range=name != table.hash_key)
    return {n: key[n] for n in names}


def _kind(value: AttributeValue) -> str:
    return "string" if "S" in value else "binary"


def check_item_keys(table: Table, item: Item) -> None:
    """A whole item (PutItem): the table's keys present and typed, index keys typed."""
    for name in table.key_names():
        if name not in item:
            raise invalid(f"Missing the key {name} in the item")
        value = item[name]
        expected = table.attribute_types[name]
        if _type_of(value) != expected:
            raise invalid(
                f"Type mismatch for key {name} expected: {expected} actual: {_type_of(value)}"
            )
        if _empty(value):
            raise validation(
                "One or more parameter values are not valid. The AttributeValue for a key "
                f"attribute cannot contain an empty {_kind(value)} value. Key: {name}"
            )
        _check_size(value, is_range=name != table.hash_key)
    check_index_keys(table, item)


def check_index_keys(table: Table, item: Item) -> None:
    for index in table.indexes():
        for name in index.key_names():
            value = item.get(name)
            if value is None:
                continue
            expected = table.attribute_types[name]
            if _type_of(value) != expected:
                raise invalid(
                    f"Type mismatch for Index Key {name} Expected: {expected} "
                    f"Actual: {_type_of(value)} IndexName: {index.name}"
                )
            if _empty(value):
                raise validation(
                    "One or more parameter values are not valid. A value specified for a "
                    "secondary index key is not supported. The AttributeValue for a key "
                    f"attribute cannot contain an empty {_kind(value)} value. "
                    f"IndexName: {index.name}, IndexKey: {name}"
                )


def key_of(table: Table, item: Item) -> Item:
    """The table key attributes of ``item``."""
    return {n: item[n] for n in table.key_names()}


def item_key(table: Table, item: Item) -> bytes:
    """The storage key of ``item`` (or of its Key) in the items table."""
    h = key_bytes(item[table.hash_key])
    if table.range_key is None:
        return key(table.id, bucket_of(h), h)
    return key(table.id, bucket_of(h), h, key_bytes(item[table.range_key]))


def partition_prefix(table: Table, hash_value: AttributeValue) -> bytes:
    h = key_bytes(hash_value)
    return key(table.id, bucket_of(h), h)


def indexed(table: Table, index: Index, item: Item) -> bool:
    """Whether ``item`` appears in ``index``: sparse indexes skip items without its keys, and
    a GSI added later skips items whose attribute has another type than its key's."""
    return all(
        n in item and _type_of(item[n]) == table.attribute_types.get(n) for n in index.key_names()
    )


def index_key(table: Table, index: Index, item: Item) -> bytes:
    """The storage key of ``item``'s entry in ``index``: index key, then table key."""
    ih = key_bytes(item[index.hash_key])
    parts: list[Any] = [table.id, index.name, bucket_of(ih), ih]
    if index.range_key is not None:
        parts.append(key_bytes(item[index.range_key]))
    parts.append(key_bytes(item[table.hash_key]))
    if table.range_key is not None:
        parts.append(key_bytes(item[table.range_key]))
    return key(*parts)


def index_partition_prefix(table: Table, index: Index, hash_value: AttributeValue) -> bytes:
    ih = key_bytes(hash_value)
    return key(table.id, index.name, bucket_of(ih), ih)


def range_bounds(
    prefix: bytes, op: str | None, values: Sequence[AttributeValue]
) -> tuple[bytes, bytes | None]:
    """The ``[low, high)`` storage range of one partition under a sort-key test: a Query's
    range-key condition or a PartiQL WHERE term, where ``EMPTY`` (a BETWEEN whose bounds
    are reversed) matches nothing."""
    end = prefix_end(prefix)
    if op is None:
        return prefix, end
    if op == "EMPTY":
        return prefix, prefix
    at = prefix + key(key_bytes(values[0]))
    if op == "=":
        return at, after(at)
    if op == "<":
        return prefix, at
    if op == "<=":
        return prefix, after(at)
    if op == ">":
        return after(at), end
    if op == ">=":
        return at, end
    if op == "BETWEEN":
        return at, after(prefix + key(key_bytes(values[1])))
    if op == "begins_with":
        opened = prefix + key_prefix(key_bytes(values[0]))
        return opened, prefix_end(opened) or end
    raise ValueError(f"unknown range operator {op}")
