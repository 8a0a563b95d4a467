"""DynamoDB's tables in the store, and the one place items are written.

Store tables:

* ``dynamodb.tables`` — :class:`Table` records by ``(account, region, name)``.
* ``dynamodb.stats`` — :class:`Stats` by table id: item count and size per table and
  index, and the table's stream sequence counter; updated in the transaction of each write.
* ``dynamodb.items`` — items by :func:`~kumo.services.dynamodb.keys.item_key`, as
  ``{"i": item, "s": size}`` with binary values base64-encoded.
* ``dynamodb.index`` — secondary index entries by
  :func:`~kumo.services.dynamodb.keys.index_key`: the projected item and its size.
* ``dynamodb.expiry`` — ``(table id, expiry seconds) + item key`` of every item with a
  TTL attribute, while the table's TTL is enabled: the sweeper's range scan up to "now".
* ``dynamodb.purge`` — ids of deleted tables whose items are still being removed.

Every item change goes through :class:`ItemWriter`, which keeps the indexes, the stats and
the stream (:mod:`kumo.services.dynamodb.streams`) in step within the same transaction.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from kumo.services.dynamodb import keys as ks
from kumo.services.dynamodb.errors import table_not_found
from kumo.services.dynamodb.models import Index, Stats, Table
from kumo.services.dynamodb.values import item_size, values_equal
from kumo.storage.base import Store, Tx
from kumo.storage.keys import key

__all__ = [
    "INDEX",
    "ITEMS",
    "PURGE",
    "STATS",
    "TABLES",
    "ItemWriter",
    "cached_table",
    "decode_item",
    "encode_item",
    "get_table",
    "list_tables",
    "project",
    "purge_some",
    "put_table",
    "require_table",
]

TABLES = "dynamodb.tables"
STATS = "dynamodb.stats"
ITEMS = "dynamodb.items"
INDEX = "dynamodb.index"
PURGE = "dynamodb.purge"
EXPIRY = "dynamodb.expiry"
# a table's settings kept apart from its record (point-in-time recovery, contributor
# insights, resource policies), by table id: they go with the table's items
SETTINGS = ("dynamodb.pitr", "dynamodb.insights", "dynamodb.policies")
# DynamoDB's TTL leaves alone items whose expiry is more than five years in the past
_MAX_INT = (1 << 63) - 1

Item = dict[str, Any]


# -- values --------------------------------------------------------------------------------


def _encode_value(value: dict[str, Any]) -> dict[str, Any]:
    if "B" in value:
        return {"B": base64.b64encode(bytes(value["B"])).decode()}
    if "BS" in value:
        return {"BS": [base64.b64encode(bytes(b)).decode() for b in value["BS"]]}
    if "M" in value:
        return {"M": encode_item(value["M"])}
    if "L" in value:
        return {"L": [_encode_value(v) for v in value["L"]]}
    return value


def _decode_value(value: dict[str, Any]) -> dict[str, Any]:
    if "B" in value:
        return {"B": base64.b64decode(value["B"])}
    if "BS" in value:
        return {"BS": [base64.b64decode(b) for b in value["BS"]]}
    if "M" in value:
        return {"M": decode_item(value["M"])}
    if "L" in value:
        return {"L": [_decode_value(v) for v in value["L"]]}
    return value


def encode_item(item: Item) -> Item:
    """``item`` as JSON (binary values base64-encoded)."""
    return {name: _encode_value(v) for name, v in item.items()}


def decode_item(data: Item) -> Item:
    return {name: _decode_value(v) for name, v in data.items()}


def expiry_of(item: Item | None, attribute: str) -> int | None:
    """The whole epoch seconds of ``item``'s TTL attribute, None when it has none."""
    if item is None:
        return None
    value = item.get(attribute)
    if not value or "N" not in value:
        return None
    try:
        seconds = int(Decimal(value["N"]))
    except (ArithmeticError, ValueError):
        return None
    return seconds if -_MAX_INT <= seconds <= _MAX_INT else None


# -- tables --------------------------------------------------------------------------------


def get_table(tx: Tx, account: str, region: str, name: str) -> Table | None:
    data = tx.get(TABLES, key(account, region, name))
    return Table.from_record(data) if data is not None else None


def require_table(tx: Tx, account: str, region: str, name: str, *, named: bool = False) -> Table:
    """The table, or ResourceNotFoundException (naming it when the operation does)."""
    table = get_table(tx, account, region, name)
    if table is None:
        raise table_not_found(name if named else None)
    return table


def cached_table(
    store: Store, account: str, region: str, name: str, *, named: bool = False
) -> Table:
    """:func:`require_table` outside a transaction, kept in memory while no table changes."""
    data = store.get_cached(TABLES, key(account, region, name))
    if data is None:
        raise table_not_found(name if named else None)
    return Table.from_record(data)


def put_table(tx: Tx, table: Table) -> None:
    tx.put(TABLES, key(table.account, table.region, table.name), table.to_record())


def delete_table(tx: Tx, table: Table) -> None:
    tx.delete(TABLES, key(table.account, table.region, table.name))
    tx.delete(STATS, key(table.id))
    tx.put(PURGE, key(table.id), {"id": table.id})


def list_tables(tx: Tx, account: str, region: str, after: str | None) -> Iterator[str]:
    start = ks.after(key(account, region, after)) if after is not None else None
    for _, data in tx.scan(TABLES, prefix=key(account, region), start=start):
        yield str(data["name"])


def all_tables(tx: Tx) -> list[Table]:
    return [Table.from_record(data) for _, data in tx.scan(TABLES)]


def get_stats(tx: Tx, table: Table) -> Stats:
    return Stats.from_record(tx.get(STATS, key(table.id)))


def put_stats(tx: Tx, table: Table, stats: Stats) -> None:
    tx.put(STATS, key(table.id), stats.to_record())


def purge_some(tx: Tx, limit: int = 2000) -> bool:
    """Remove up to ``limit`` records of deleted tables; True when more remain."""
    budget = limit
    for k, data in list(tx.scan(PURGE, limit=10)):
        table_id = data["id"]
        for name in (ITEMS, INDEX, EXPIRY, *SETTINGS):
            rows = [rk for rk, _ in tx.scan(name, prefix=key(table_id), limit=budget)]
            for rk in rows:
                tx.delete(name, rk)
            budget -= len(rows)
            if budget <= 0:
                return True
        tx.delete(PURGE, k)
    return bool(tx.count(PURGE))


# -- items ---------------------------------------------------------------------------------


def project(table: Table, index: Index, item: Item) -> Item:
    """The attributes of ``item`` that ``index`` holds."""
    if index.projection_type == "ALL":
        return dict(item)
    names = {*table.key_names(), *index.key_names()}
    if index.projection_type == "INCLUDE":
        names.update(index.non_key_attributes)
    return {n: v for n, v in item.items() if n in names}


def item_size_of(item: Item | None) -> int:
    return item_size(item) if item is not None else 0


def read_item(tx: Tx, table: Table, key_item: Item) -> tuple[Item, int] | None:
    """The stored item with ``key_item``'s key and its size."""
    data = tx.get(ITEMS, ks.item_key(table, key_item))
    if data is None:
        return None
    return decode_item(data["i"]), int(data["s"])


class ItemWriter:
    """Writes one table's items in a transaction, keeping indexes, stats and stream in step.

    Call :meth:`close` before the transaction ends to save the stats.
    """

    def __init__(self, tx: Tx, table: Table, now: float) -> None:
        self.tx = tx
        self.table = table
        self.now = now
        self.stats = get_stats(tx, table)

    def get(self, key_item: Item) -> Item | None:
        found = read_item(self.tx, self.table, key_item)
        return found[0] if found is not None else None

    def write(self, old: Item | None, new: Item | None, *, service: bool = False) -> None:
        """Replace ``old`` (None: absent) by ``new`` (None: delete)."""
        # imported here: streams builds on this module's item encoding
        from kumo.services.dynamodb.streams import record_change

        tx, table, stats = self.tx, self.table, self.stats
        if old is None and new is None:
            return
        ref = new if new is not None else old
        assert ref is not None
        k = ks.item_key(table, ref)
        old_size = item_size(old) if old is not None else 0
        if new is not None:
            new_size = item_size(new)
            tx.put(ITEMS, k, {"i": encode_item(new), "s": new_size})
        else:
            new_size = 0
            tx.delete(ITEMS, k)
        stats.count += (new is not None) - (old is not None)
        stats.size += new_size - old_size
        for index in table.indexes():
            self._index(index, old, new)
        if table.ttl_enabled and table.ttl_attribute:
            self._expiry(k, old, new)
        if table.stream_enabled() and not (
            old is not None and new is not None and values_equal({"M": old}, {"M": new})
        ):
            record_change(tx, table, stats, old, new, self.now, service=service)

    def _index(self, index: Index, old: Item | None, new: Item | None) -> None:
        tx, table = self.tx, self.table
        counts = self.stats.indexes.setdefault(index.name, [0, 0])
        old_in = old is not None and ks.indexed(table, index, old)
        new_in = new is not None and ks.indexed(table, index, new)
        old_key = ks.index_key(table, index, old) if old_in and old is not None else None
        new_key = ks.index_key(table, index, new) if new_in and new is not None else None
        if old_key is not None and old is not None:
            counts[0] -= 1
            counts[1] -= item_size(project(table, index, old))
            if old_key != new_key:
                tx.delete(INDEX, old_key)
        if new_key is not None and new is not None:
            projected = project(table, index, new)
            size = item_size(projected)
            counts[0] += 1
            counts[1] += size
            tx.put(INDEX, new_key, {"i": encode_item(projected), "s": size})

    def _expiry(self, k: bytes, old: Item | None, new: Item | None) -> None:
        attribute = self.table.ttl_attribute
        assert attribute is not None
        before = expiry_of(old, attribute)
        after = expiry_of(new, attribute)
        if before == after:
            return
        if before is not None:
            self.tx.delete(EXPIRY, key(self.table.id, before) + k)
        if after is not None:
            self.tx.put(EXPIRY, key(self.table.id, after) + k, {"k": base64.b64encode(k).decode()})

    def index_expiry(self) -> None:
        """Index every item's expiry (TTL just enabled)."""
        for k, data in self.tx.scan(ITEMS, prefix=key(self.table.id)):
            self._expiry(k, None, decode_item(data["i"]))

    def drop_expiry(self) -> None:
        for k, _ in list(self.tx.scan(EXPIRY, prefix=key(self.table.id))):
            self.tx.delete(EXPIRY, k)

    def backfill(self, index: Index) -> None:
        """Index every existing item in ``index`` (a GSI added by UpdateTable)."""
        self.stats.indexes[index.name] = [0, 0]
        for _, data in self.tx.scan(ITEMS, prefix=key(self.table.id)):
            item = decode_item(data["i"])
            self._index(index, None, item)

    def drop(self, index: Index) -> None:
        prefix = key(self.table.id, index.name)
        for k, _ in list(self.tx.scan(INDEX, prefix=prefix)):
            self.tx.delete(INDEX, k)
        self.stats.indexes.pop(index.name, None)
        # the index's contributor insights setting goes with it
        self.tx.delete("dynamodb.insights", key(self.table.id, index.name))

    def close(self) -> None:
        put_stats(self.tx, self.table, self.stats)


class Writers:
    """The :class:`ItemWriter` of each table a transaction touches."""

    def __init__(self, tx: Tx, now: float) -> None:
        self.tx = tx
        self.now = now
        self._writers: dict[str, ItemWriter] = {}

    def of(self, table: Table) -> ItemWriter:
        writer = self._writers.get(table.id)
        if writer is None:
            writer = self._writers[table.id] = ItemWriter(self.tx, table, self.now)
        return writer

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
