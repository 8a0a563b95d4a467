"""Evaluating conditions against an item (ConditionExpression, FilterExpression, legacy).

DynamoDB never fails a condition at evaluation time: a missing attribute or a comparison
between different types is simply false (and ``<>`` true).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..values import AttributeValue, Item, compare, value_type, values_equal
from .nodes import (
    And,
    Between,
    Comparison,
    FunctionCondition,
    FunctionOperand,
    In,
    Literal,
    Node,
    Not,
    Operand,
    Or,
    Path,
    PathOperand,
    ValueOperand,
)


def resolve(item: Item, path: Path) -> AttributeValue | None:
    """The value at ``path`` in ``item``, or None when any step is missing."""
    elements = path.elements
    current: AttributeValue | None = item.get(path.top)
    for element in elements[1:]:
        if current is None:
            return None
        if isinstance(element, int):
            items = current.get("L")
            if items is None or element >= len(items):
                return None
            current = items[element]
        else:
            members = current.get("M")
            if members is None:
                return None
            current = members.get(element)
    return current


def size_of(value: AttributeValue | None) -> AttributeValue | None:
    """``size()``: string length, byte length, member or element count; None otherwise."""
    if value is None:
        return None
    kind = value_type(value)
    data = value[kind]
    if kind in ("S", "B", "SS", "NS", "BS", "L", "M"):
        return {"N": str(len(data))}
    return None


def operand_value(operand: Operand, item: Item) -> AttributeValue | None:
    """The value of a condition operand for ``item`` (None when it does not exist)."""
    if isinstance(operand, ValueOperand):
        return operand.value
    if isinstance(operand, PathOperand):
        return resolve(item, operand.path)
    if isinstance(operand, FunctionOperand) and operand.name == "size":
        return size_of(operand_value(operand.args[0], item))
    return None


def _ordered(op: str, left: AttributeValue | None, right: AttributeValue | None) -> bool:
    if left is None or right is None:
        return False
    order = compare(left, right)
    if order is None:
        return False
    if op == "<":
        return order < 0
    if op == "<=":
        return order <= 0
    if op == ">":
        return order > 0
    return order >= 0


def _contains(container: AttributeValue | None, member: AttributeValue | None) -> bool:
    if container is None or member is None:
        return False
    kind, mkind = value_type(container), value_type(member)
    data, mdata = container[kind], member[mkind]
    if kind == "S" and mkind == "S":
        return bool(mdata in data)
    if kind == "B" and mkind == "B":
        return bool(mdata in data)
    if kind == "SS" and mkind == "S":
        return bool(mdata in data)
    if kind == "BS" and mkind == "B":
        return bool(mdata in data)
    if kind == "NS" and mkind == "N":
        target = Decimal(mdata)
        return any(Decimal(n) == target for n in data)
    if kind == "L":
        return any(values_equal(element, member) for element in data)
    return False


def _begins_with(value: AttributeValue | None, prefix: AttributeValue | None) -> bool:
    if value is None or prefix is None:
        return False
    kind = value_type(value)
    if kind != value_type(prefix) or kind not in ("S", "B"):
        return False
    return bool(value[kind].startswith(prefix[kind]))


def _function(node: FunctionCondition, item: Item) -> bool:
    name = node.name
    first = operand_value(node.args[0], item)
    if name == "attribute_exists":
        return first is not None
    if name == "attribute_not_exists":
        return first is None
    second = operand_value(node.args[1], item)
    if name == "attribute_type":
        if first is None or second is None or value_type(second) != "S":
            return False
        return value_type(first) == second["S"]
    if name == "begins_with":
        return _begins_with(first, second)
    return _contains(first, second)


def evaluate(node: Node, item: Item) -> bool:
    """Whether ``item`` satisfies the condition ``node``."""
    if isinstance(node, And):
        return evaluate(node.left, item) and evaluate(node.right, item)
    if isinstance(node, Or):
        return evaluate(node.left, item) or evaluate(node.right, item)
    if isinstance(node, Not):
        return not evaluate(node.operand, item)
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Comparison):
        left = operand_value(node.left, item)
        right = operand_value(node.right, item)
        if node.op == "=":
            return left is not None and right is not None and values_equal(left, right)
        if node.op == "<>":
            return not (left is not None and right is not None and values_equal(left, right))
        return _ordered(node.op, left, right)
    if isinstance(node, Between):
        subject = operand_value(node.subject, item)
        low = operand_value(node.low, item)
        high = operand_value(node.high, item)
        return _ordered(">=", subject, low) and _ordered("<=", subject, high)
    if isinstance(node, In):
        subject = operand_value(node.subject, item)
        if subject is None:
            return False
        return any(values_equal(subject, operand_value(o, item)) for o in node.options)
    return _function(node, item)


@dataclass(frozen=True)
class Condition:
    """A parsed condition; ``evaluate(item)`` tells whether the item satisfies it."""

    node: Node
    kind: str = "ConditionExpression"

    def evaluate(self, item: Item | None) -> bool:
        return evaluate(self.node, item or {})
