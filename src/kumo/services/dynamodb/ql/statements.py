"""The parsed forms of PartiQL statements.

Conditions and operands reuse the expression tree of
:mod:`kumo.services.dynamodb.expressions.nodes`, with every ``?`` already replaced by its
parameter, so evaluation is the same code a ConditionExpression runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..expressions import Path, Update
from ..expressions.nodes import Node
from ..values import Item

__all__ = [
    "Check",
    "Delete",
    "Insert",
    "Select",
    "Statement",
    "UpdateStatement",
    "is_read",
    "table_of",
]


@dataclass(frozen=True)
class Select:
    table: str
    index: str | None
    paths: tuple[Path, ...] | None  # None: SELECT *
    where: Node | None
    order_by: str | None = None
    descending: bool = False


@dataclass(frozen=True)
class Insert:
    table: str
    item: Item


@dataclass(frozen=True)
class UpdateStatement:
    table: str
    update: Update
    where: Node
    returning: str | None = None  # ALL_OLD | ALL_NEW | MODIFIED_OLD | MODIFIED_NEW


@dataclass(frozen=True)
class Delete:
    table: str
    where: Node
    returning: str | None = None


@dataclass(frozen=True)
class Check:
    """``EXISTS(SELECT ...)``: a condition check inside a write transaction."""

    select: Select


Statement = Union[Select, Insert, UpdateStatement, Delete, Check]  # noqa: UP007


def table_of(statement: Statement) -> str:
    if isinstance(statement, Check):
        return statement.select.table
    return statement.table


def is_read(statement: Statement) -> bool:
    return isinstance(statement, Select)
