"""Which item a statement addresses: the key equalities of its WHERE clause.

UPDATE, DELETE, EXISTS and single-item reads must name the whole primary key with ``=`` in
the top-level conjuncts of the WHERE clause; the rest of the clause is their condition.
"""

from __future__ import annotations

from kumo.services.dynamodb import items
from kumo.services.dynamodb import keys as ks

from ..errors import validation
from ..expressions.nodes import And, Comparison, Node, Operand, PathOperand, ValueOperand
from ..models import Table
from ..values import AttributeValue, Item, value_type

__all__ = [
    "INCOMPLETE_KEY",
    "check_insert",
    "conjuncts",
    "equality",
    "statement_key",
]

INCOMPLETE_KEY = "Where clause does not contain a mandatory equality on all key attributes"


def conjuncts(node: Node | None) -> list[Node]:
    """The top-level AND terms of a condition."""
    if node is None:
        return []
    if isinstance(node, And):
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]


def _attribute(operand: Operand) -> str | None:
    if isinstance(operand, PathOperand) and len(operand.path.elements) == 1:
        return operand.path.top
    return None


def equality(node: Node) -> tuple[str, AttributeValue] | None:
    """``name = value`` (either way round) as ``(name, value)``; None for anything else."""
    if not isinstance(node, Comparison) or node.op != "=":
        return None
    for one, other in ((node.left, node.right), (node.right, node.left)):
        name = _attribute(one)
        if name is not None and isinstance(other, ValueOperand):
            return name, other.value
    return None


def statement_key(table: Table, where: Node | None, message: str = INCOMPLETE_KEY) -> Item:
    """The primary key a WHERE clause pins, checked against the table's schema."""
    found: dict[str, list[AttributeValue]] = {}
    for term in conjuncts(where):
        pair = equality(term)
        if pair is not None and pair[0] in table.key_names():
            found.setdefault(pair[0], []).append(pair[1])
    key: Item = {}
    for name in table.key_names():
        values = found.get(name)
        if not values:
            raise validation(message)
        if len(values) > 1:
            raise validation(
                f"Multiple conditions on same key {name}. Only single item Update/Insert/Delete "
                "are supported"
            )
        key[name] = _key_value(table, name, values[0])
    return ks.check_key(table, key)


def _key_value(table: Table, name: str, value: AttributeValue) -> AttributeValue:
    kind = value_type(value)
    if kind not in ("S", "N", "B"):
        raise validation(
            f"Key value must be of type S, N, or B. Key name: {name}, Key type: {kind}"
        )
    if kind != table.attribute_types[name]:
        raise validation(
            f"Key attribute's data type should match its data type in table's schema: Key {name}"
        )
    return value


def check_insert(table: Table, item: Item) -> Item:
    """An INSERT's item: its key attributes present and typed, then the PutItem checks."""
    for name in table.key_names():
        if name not in item:
            raise validation(f"Key attribute should be present in the item: Key {name}")
        _key_value(table, name, item[name])
    return items.check_item(table, item)
