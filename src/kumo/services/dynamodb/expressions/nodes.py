"""The syntax tree of DynamoDB expressions: document paths, operands and conditions.

Names and values are already substituted: a path holds real attribute names (``str``) and
list indexes (``int``); a value operand holds the attribute value it stands for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..values import AttributeValue

PathElement = str | int


@dataclass(frozen=True)
class Path:
    """A document path such as ``a.b[2].c``: names and list indexes."""

    elements: tuple[PathElement, ...]

    @property
    def top(self) -> str:
        first = self.elements[0]
        assert isinstance(first, str)
        return first

    def __str__(self) -> str:
        # DynamoDB prints paths this way in overlap/conflict errors: [a, b, [1]].
        parts = [f"[{e}]" if isinstance(e, int) else e for e in self.elements]
        return "[" + ", ".join(parts) + "]"


@dataclass(frozen=True)
class PathOperand:
    path: Path


@dataclass(frozen=True)
class ValueOperand:
    key: str
    value: AttributeValue


@dataclass(frozen=True)
class FunctionOperand:
    """A function used as an operand: ``size``, ``if_not_exists``, ``list_append``."""

    name: str
    args: tuple[Operand, ...]


@dataclass(frozen=True)
class Arithmetic:
    """``left + right`` or ``left - right`` in a SET action."""

    op: str
    left: Operand
    right: Operand


Operand = Union[PathOperand, ValueOperand, FunctionOperand, Arithmetic]  # noqa: UP007


@dataclass(frozen=True)
class Comparison:
    op: str
    left: Operand
    right: Operand


@dataclass(frozen=True)
class Between:
    subject: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True)
class In:
    subject: Operand
    options: tuple[Operand, ...]


@dataclass(frozen=True)
class FunctionCondition:
    """``attribute_exists``, ``attribute_not_exists``, ``attribute_type``, ``begins_with``,
    ``contains`` used as a condition."""

    name: str
    args: tuple[Operand, ...]


@dataclass(frozen=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class Literal:
    """A condition that is always true or false (built by legacy parameters)."""

    value: bool


Node = Union[Comparison, Between, In, FunctionCondition, And, Or, Not, Literal]  # noqa: UP007

CONDITION_FUNCTIONS = frozenset(
    {"attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"}
)
UPDATE_FUNCTIONS = frozenset({"if_not_exists", "list_append"})
ALL_FUNCTIONS = CONDITION_FUNCTIONS | UPDATE_FUNCTIONS | {"size"}
