"""Applying an update (SET, REMOVE, ADD, DELETE) to an item, with DynamoDB's runtime errors.

Every operand reads the item as it was before the update; the actions then write a copy, so
the caller's item is never mutated and a failing update leaves nothing half-done.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal

from ..values import AttributeValue, Item, add_numbers, validation_error, value_type
from .condition import resolve
from .nodes import Arithmetic, FunctionOperand, Operand, Path, PathOperand, ValueOperand

_INVALID_PATH = "The document path provided in the update expression is invalid for update"
_BAD_TYPE = "An operand in the update expression has an incorrect data type"
_MISSING = "The provided expression refers to an attribute that does not exist in the item"


@dataclass(frozen=True)
class Update:
    """A parsed update. ``apply(item)`` returns the new item."""

    sets: tuple[tuple[Path, Operand], ...] = ()
    removes: tuple[Path, ...] = ()
    adds: tuple[tuple[Path, AttributeValue], ...] = ()
    deletes: tuple[tuple[Path, AttributeValue], ...] = ()
    paths: tuple[Path, ...] = field(default=())
    # AttributeUpdates reports type clashes in ADD/DELETE with its own message.
    mismatch_message: str = _BAD_TYPE

    @property
    def top_level_names(self) -> set[str]:
        """Top-level attributes the update writes (for rejecting key updates)."""
        return {path.top for path in self.paths}

    def apply(self, item: Item | None) -> Item:
        old = item or {}
        values = [(path, evaluate_operand(operand, old)) for path, operand in self.sets]
        new = copy.deepcopy(old)
        for path, value in values:
            _set(new, path, copy.deepcopy(value))
        _remove_all(new, self.removes)
        for path, value in self.adds:
            _add(new, path, value, self.mismatch_message)
        for path, value in self.deletes:
            _delete(new, path, value, self.mismatch_message)
        return new


# ------------------------------------------------------------------------------ operands


def evaluate_operand(operand: Operand, item: Item) -> AttributeValue:
    """The value of a SET operand against the pre-update item."""
    if isinstance(operand, ValueOperand):
        return operand.value
    if isinstance(operand, PathOperand):
        value = resolve(item, operand.path)
        if value is None:
            raise validation_error(_MISSING)
        return value
    if isinstance(operand, Arithmetic):
        left = evaluate_operand(operand.left, item)
        right = evaluate_operand(operand.right, item)
        if value_type(left) != "N" or value_type(right) != "N":
            raise validation_error(_BAD_TYPE)
        return {"N": add_numbers(left["N"], right["N"], subtract=operand.op == "-")}
    assert isinstance(operand, FunctionOperand)
    if operand.name == "if_not_exists":
        first = operand.args[0]
        assert isinstance(first, PathOperand)
        existing = resolve(item, first.path)
        return existing if existing is not None else evaluate_operand(operand.args[1], item)
    left = evaluate_operand(operand.args[0], item)
    right = evaluate_operand(operand.args[1], item)
    if value_type(left) != "L" or value_type(right) != "L":
        raise validation_error(_BAD_TYPE)
    return {"L": list(left["L"]) + list(right["L"])}


# ------------------------------------------------------------------------------- writing


def _container(item: Item, path: Path) -> AttributeValue | None:
    """The value holding the last element of ``path`` (None when the path is top-level)."""
    if len(path.elements) == 1:
        return None
    parent = resolve(item, Path(path.elements[:-1]))
    if parent is None:
        raise validation_error(_INVALID_PATH)
    last = path.elements[-1]
    if isinstance(last, int) and "L" not in parent:
        raise validation_error(_INVALID_PATH)
    if isinstance(last, str) and "M" not in parent:
        raise validation_error(_INVALID_PATH)
    return parent


def _set(item: Item, path: Path, value: AttributeValue) -> None:
    parent = _container(item, path)
    last = path.elements[-1]
    if parent is None:
        item[path.top] = value
    elif isinstance(last, int):
        elements = parent["L"]
        # An index past the end appends, as DynamoDB does.
        if last < len(elements):
            elements[last] = value
        else:
            elements.append(value)
    else:
        parent["M"][last] = value


def _remove(item: Item, path: Path) -> None:
    parent = _container(item, path)
    last = path.elements[-1]
    if parent is None:
        item.pop(path.top, None)
    elif isinstance(last, int):
        if last < len(parent["L"]):
            del parent["L"][last]
    else:
        parent["M"].pop(last, None)


def _remove_all(item: Item, paths: tuple[Path, ...]) -> None:
    """REMOVE every path, each index meaning its position before any removal."""
    # Resolve every parent first so that one removal cannot shift another's target.
    list_removals: dict[int, tuple[list[AttributeValue], set[int]]] = {}
    for path in paths:
        parent = _container(item, path)
        last = path.elements[-1]
        if parent is None:
            item.pop(path.top, None)
        elif isinstance(last, int):
            elements = parent["L"]
            list_removals.setdefault(id(elements), (elements, set()))[1].add(last)
        else:
            parent["M"].pop(last, None)
    for elements, indexes in list_removals.values():
        for index in sorted(indexes, reverse=True):
            if index < len(elements):
                del elements[index]


def _get(item: Item, path: Path) -> AttributeValue | None:
    parent = _container(item, path)
    last = path.elements[-1]
    if parent is None:
        return item.get(path.top)
    if isinstance(last, int):
        elements = parent["L"]
        return elements[last] if last < len(elements) else None
    result: AttributeValue | None = parent["M"].get(last)
    return result


def _add(item: Item, path: Path, value: AttributeValue, mismatch: str) -> None:
    existing = _get(item, path)
    if existing is None:
        _set(item, path, copy.deepcopy(value))
        return
    kind = value_type(value)
    if value_type(existing) != kind:
        raise validation_error(mismatch)
    if kind == "N":
        _set(item, path, {"N": add_numbers(existing["N"], value["N"])})
        return
    if kind == "L":
        # Only AttributeUpdates can ADD a list: it appends.
        _set(item, path, {"L": existing["L"] + copy.deepcopy(value["L"])})
        return
    members = list(existing[kind])
    if kind == "NS":
        present = {Decimal(n) for n in members}
        members += [n for n in value["NS"] if Decimal(n) not in present]
    else:
        members += [m for m in value[kind] if m not in set(members)]
    _set(item, path, {kind: members})


def _delete(item: Item, path: Path, value: AttributeValue, mismatch: str) -> None:
    existing = _get(item, path)
    if existing is None:
        return
    kind = value_type(value)
    if value_type(existing) != kind:
        raise validation_error(mismatch)
    if kind == "NS":
        gone = {Decimal(n) for n in value["NS"]}
        members = [n for n in existing["NS"] if Decimal(n) not in gone]
    else:
        gone_members = set(value[kind])
        members = [m for m in existing[kind] if m not in gone_members]
    if members:
        _set(item, path, {kind: members})
    else:
        _remove(item, path)
