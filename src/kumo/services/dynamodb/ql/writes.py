"""INSERT, UPDATE, DELETE and EXISTS inside a store transaction.

:func:`prepare` reads the addressed item and computes what the statement would write,
raising DynamoDB's error when its condition fails; the caller then writes every prepared
change through the engine's :class:`~kumo.services.dynamodb.store.ItemWriter` (indexes,
stats, TTL and stream records stay in step). Keeping the two apart lets a transaction
check every statement against the same state before it writes anything.

UPDATE is conditional on the item existing and on its whole WHERE clause; DELETE of an
absent item succeeds and deletes nothing; INSERT of an existing key is DuplicateItem.
"""

from __future__ import annotations

from dataclasses import dataclass

from kumo.aws.errors import ServiceError
from kumo.services.dynamodb import store as db
from kumo.services.dynamodb.capacity import Capacity, read_units
from kumo.services.dynamodb.items import Change, apply_change, charge_write, check_update_keys

from ..errors import conditional_check_failed, validation
from ..expressions import project_paths
from ..expressions.condition import evaluate
from ..exprs import Parsed
from ..models import Table
from ..values import Item
from .statements import Check, Delete, Insert, Statement, UpdateStatement
from .target import check_insert, statement_key

__all__ = ["Prepared", "duplicate_item", "prepare"]


def duplicate_item() -> ServiceError:
    return ServiceError(
        "Duplicate primary key exists in table", code="DuplicateItemException", status=400
    )


@dataclass
class Prepared:
    """One statement's planned change: the item before and after, and what it returns."""

    table: Table
    key: Item
    old: Item | None
    new: Item | None
    write: bool
    returned: list[Item]

    def apply(self, writers: db.Writers) -> None:
        if self.write:
            writers.of(self.table).write(self.old, self.new)

    def charge(self, capacity: Capacity, factor: float = 1.0) -> None:
        if self.write:
            charge_write(capacity, self.table, self.old, self.new, factor)
        else:
            capacity.add_read(factor * read_units(db.item_size_of(self.old), True))


def _failed(old: Item | None, on_failure: str | None) -> ServiceError:
    return conditional_check_failed(old if on_failure == "ALL_OLD" else None)


def _returning(statement: UpdateStatement, old: Item | None, new: Item | None) -> list[Item]:
    mode = statement.returning
    if mode is None:
        return []
    if mode == "ALL_OLD":
        chosen = old
    elif mode == "ALL_NEW":
        chosen = new
    else:
        source = old if mode == "MODIFIED_OLD" else new
        chosen = project_paths(source or {}, statement.update.paths)
    return [chosen] if chosen else []


def prepare(writer: db.ItemWriter, statement: Statement, on_failure: str | None = None) -> Prepared:
    """Plan ``statement`` against the current state of the writer's table."""
    table = writer.table
    if isinstance(statement, Insert):
        item = check_insert(table, statement.item)
        key = {name: item[name] for name in table.key_names()}
        if writer.get(key) is not None:
            raise duplicate_item()
        return Prepared(table, key, None, item, True, [])
    if isinstance(statement, Check):
        if statement.select.index is not None:
            raise validation("Operations on indices are not supported in transactions")
        key = statement_key(
            table, statement.select.where, "EXISTS() must contain a single item read with "
            "additional condition"
        )  # fmt: skip
        old = writer.get(key)
        if old is None or not evaluate(statement.select.where, old):  # type: ignore[arg-type]
            raise _failed(old, on_failure)
        return Prepared(table, key, old, old, False, [])
    key = statement_key(table, statement.where)
    if isinstance(statement, UpdateStatement):
        parsed = Parsed(update=statement.update)
        check_update_keys(table, parsed)
        old = writer.get(key)
        if old is None or not evaluate(statement.where, old):
            raise _failed(old, on_failure)
        new = apply_change(table, Change("Update", key, None, parsed), old)
        return Prepared(table, key, old, new, True, _returning(statement, old, new))
    assert isinstance(statement, Delete)
    old = writer.get(key)
    if old is None:
        # nothing to delete: a success that still costs a write, as DynamoDB charges it
        return Prepared(table, key, None, None, True, [])
    if not evaluate(statement.where, old):
        raise _failed(old, on_failure)
    returned = [old] if statement.returning == "ALL_OLD" else []
    return Prepared(table, key, old, None, True, returned)
