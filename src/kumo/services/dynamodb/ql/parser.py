"""A recursive-descent parser for DynamoDB's PartiQL subset.

``parse(text, parameters)`` returns a statement of :mod:`.statements`. Each ``?`` takes
the next of the request's Parameters; too few parameters is DynamoDB's error, extra ones
are ignored as DynamoDB ignores them. Syntax errors are DynamoDB's "Statement wasn't well
formed" ValidationException; semantic limits use DynamoDB's own messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import validation
from ..expressions import Path, Update
from ..expressions.nodes import Arithmetic, FunctionOperand, Operand, PathOperand
from ..values import AttributeValue
from .conditions import condition
from .cursor import Cursor
from .lexer import malformed
from .statements import Check, Delete, Insert, Select, Statement, UpdateStatement

__all__ = ["parse"]


def parse(text: str, parameters: Sequence[Any] | None = None) -> Statement:
    """Parse one PartiQL statement, binding ``?`` to ``parameters`` in order."""
    if not text or not text.strip():
        raise malformed("Expected data manipulation")
    return _statement(Cursor(text, parameters or ()))


def _statement(c: Cursor) -> Statement:
    token = c.token
    if token.is_keyword("SELECT"):
        result: Statement = _select(c)
    elif token.is_keyword("INSERT"):
        result = _insert(c)
    elif token.is_keyword("UPDATE"):
        result = _update(c)
    elif token.is_keyword("DELETE"):
        result = _delete(c)
    elif token.is_keyword("EXISTS"):
        c.advance()
        c.symbol("(")
        select = _select(c)
        c.symbol(")")
        result = Check(select)
    else:
        raise malformed("Expected data manipulation")
    c.finish()
    return result


def _select(c: Cursor) -> Select:
    c.keyword("SELECT")
    paths: list[Path] | None = []
    if c.accept_symbol("*"):
        paths = None
        if c.token.is_symbol(","):
            raise validation(
                "Other attributes should not be present in the projection when '*' is used."
            )
    else:
        assert paths is not None
        paths.append(c.path())
        while c.accept_symbol(","):
            if c.token.is_symbol("*"):
                raise validation(
                    "Other attributes should not be present in the projection when '*' is used."
                )
            paths.append(c.path())
        seen: set[Path] = set()
        for path in paths:
            if path in seen:
                raise validation(f"Duplicate identifiers in select clause: {_path_text(path)}")
            seen.add(path)
    c.keyword("FROM")
    table = c.name()
    index = None
    if c.accept_symbol("."):
        index = c.name()
        if c.token.is_symbol("."):
            raise validation("A path may contain at most 2 components in the FROM clause")
    if c.token.is_symbol(","):
        raise validation("Only select from a single table or index is supported.")
    where = condition(c) if c.accept_keyword("WHERE") else None
    order_by, descending = None, False
    if c.accept_keyword("ORDER"):
        c.keyword("BY")
        order_by = c.name()
        if c.accept_keyword("DESC"):
            descending = True
        else:
            c.accept_keyword("ASC")
    return Select(table, index, tuple(paths) if paths is not None else None, where,
                  order_by, descending)  # fmt: skip


def _insert(c: Cursor) -> Insert:
    c.keyword("INSERT")
    c.keyword("INTO")
    table = c.name()
    if c.token.is_keyword("VALUES"):
        raise validation(
            "Unsupported operation: Inserting multiple items in a single statement is not "
            'supported, use "INSERT INTO tableName VALUE item" instead'
        )
    c.keyword("VALUE")
    if not c.token.is_symbol("{") and not c.token.is_symbol("?"):
        raise validation(
            "Unsupported format in item expression. Please use struct format {...} to "
            "express item values for insert statement."
        )
    value = c.value()
    if "M" not in value:
        raise validation(
            "Unsupported format in item expression. Please use struct format {...} to "
            "express item values for insert statement."
        )
    if c.token.is_keyword("RETURNING"):
        raise validation("RETURNING is not supported in INSERT")
    return Insert(table, dict(value["M"]))


def _update(c: Cursor) -> UpdateStatement:
    c.keyword("UPDATE")
    table = c.name()
    sets: list[tuple[Path, Operand]] = []
    removes: list[Path] = []
    adds: list[tuple[Path, AttributeValue]] = []
    deletes: list[tuple[Path, AttributeValue]] = []
    targets: list[Path] = []
    if not c.token.is_keyword("SET", "REMOVE"):
        raise c.unexpected()
    while c.token.is_keyword("SET", "REMOVE"):
        if c.advance().text == "SET":
            while True:
                _assignment(c, sets, adds, deletes, targets)
                if not c.accept_symbol(","):
                    break
        else:
            while True:
                path = c.path()
                removes.append(path)
                targets.append(path)
                if not c.accept_symbol(","):
                    break
    c.keyword("WHERE")
    where = condition(c)
    returning = _returning(c)
    update = Update(
        sets=tuple(sets),
        removes=tuple(removes),
        adds=tuple(adds),
        deletes=tuple(deletes),
        paths=tuple(targets),
    )
    return UpdateStatement(table, update, where, returning)


def _assignment(
    c: Cursor,
    sets: list[tuple[Path, Operand]],
    adds: list[tuple[Path, AttributeValue]],
    deletes: list[tuple[Path, AttributeValue]],
    targets: list[Path],
) -> None:
    target = c.path()
    c.symbol("=")
    targets.append(target)
    token = c.token
    following = c.peek()
    if token.kind == "NAME" and following.is_symbol("("):
        lowered = token.text.lower()
        if lowered in ("set_add", "set_delete"):
            c.advance()
            c.advance()
            operation = lowered[4:].upper()
            first = c.path()
            if not c.accept_symbol(","):
                raise validation(f"SET_{operation} must have exactly two arguments")
            value = c.value()
            if not c.accept_symbol(")"):
                raise validation(f"SET_{operation} must have exactly two arguments")
            if first != target:
                raise validation(
                    f"The first argument to SET_{operation} must equal the assignment value"
                )
            if next(iter(value)) not in ("SS", "NS", "BS"):
                raise validation(
                    f"The second argument to SET_{operation} must be a value with type SET"
                )
            (adds if operation == "ADD" else deletes).append((target, value))
            return
    left = _set_operand(c)
    if c.token.is_symbol("+", "-"):
        op = c.advance().text
        right = _set_operand(c)
        sets.append((target, Arithmetic(op, left, right)))
    else:
        sets.append((target, left))


def _set_operand(c: Cursor) -> Operand:
    token = c.token
    following = c.peek()
    if token.kind == "NAME" and following.is_symbol("("):
        lowered = token.text.lower()
        if lowered not in ("list_append", "if_not_exists"):
            raise validation(f"Unrecognized function: {token.text}")
        c.advance()
        c.advance()
        first = _set_operand(c)
        c.symbol(",")
        second = _set_operand(c)
        c.symbol(")")
        if lowered == "if_not_exists" and not isinstance(first, PathOperand):
            raise c.unexpected()
        return FunctionOperand(lowered, (first, second))
    if token.kind in ("NAME", "QNAME"):
        return PathOperand(c.path())
    return c.value_operand()


def _returning(c: Cursor) -> str | None:
    if not c.accept_keyword("RETURNING"):
        return None
    which = c.keyword("ALL", "MODIFIED").text
    when = c.keyword("OLD", "NEW").text
    if not c.accept_symbol("*"):
        raise validation("Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause")
    if c.token.is_symbol(","):
        raise validation("Invalid syntax with multiple returning elements in RETURNING clause")
    return f"{which}_{when}"


def _delete(c: Cursor) -> Delete:
    c.keyword("DELETE")
    c.keyword("FROM")
    table = c.name()
    c.keyword("WHERE")
    where = condition(c)
    returning = _returning(c)
    if returning is not None and returning != "ALL_OLD":
        shown = returning.replace("_", " ")
        raise validation(
            f"Invalid returning clause: RETURNING {shown} *. Only RETURNING ALL OLD * is "
            "allowed in DELETE statements."
        )
    return Delete(table, where, returning)


def _path_text(path: Path) -> str:
    text = ""
    for element in path.elements:
        text += f"[{element}]" if isinstance(element, int) else (f".{element}" if text else element)
    return text
