"""PartiQL conditions: the WHERE clause grammar, read into the expression tree the item
operations evaluate (:mod:`..expressions.nodes`).

``OR`` binds looser than ``AND``, which binds looser than ``NOT``; long chains are built
as balanced trees so evaluating them never nests deeply. ``IS [NOT] MISSING`` and
``IS [NOT] NULL`` become the attribute functions DynamoDB's own expressions use.
"""

from __future__ import annotations

from ..errors import validation
from ..expressions.nodes import (
    And,
    Between,
    Comparison,
    FunctionCondition,
    FunctionOperand,
    In,
    Node,
    Not,
    Operand,
    Or,
    PathOperand,
    ValueOperand,
)
from .cursor import MAX_DEPTH, Cursor
from .lexer import malformed

__all__ = ["condition"]

_CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
}
_COMPARISONS = {"=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def condition(c: Cursor) -> Node:
    c.enter()
    try:
        parts = [_conjunction(c)]
        while c.accept_keyword("OR"):
            parts.append(_conjunction(c))
        return _balanced(Or, parts)
    finally:
        c.depth -= 1


def _conjunction(c: Cursor) -> Node:
    parts = [_negation(c)]
    while c.accept_keyword("AND"):
        parts.append(_negation(c))
    return _balanced(And, parts)


def _negation(c: Cursor) -> Node:
    negations = 0
    while c.accept_keyword("NOT"):
        negations += 1
        if negations > MAX_DEPTH:
            raise malformed("Statement is nested too deeply")
    node = _predicate(c)
    for _ in range(negations):
        node = Not(node)
    return node


def _operand(c: Cursor) -> Operand:
    token = c.token
    following = c.peek()
    if token.kind == "NAME" and following.is_symbol("("):
        if token.text.lower() != "size":
            raise validation(f"Unrecognized function: {token.text}")
        c.advance()
        c.advance()
        path = c.path()
        c.symbol(")")
        return FunctionOperand("size", (PathOperand(path),))
    if token.kind in ("NAME", "QNAME"):
        return PathOperand(c.path())
    return c.value_operand()


def _predicate(c: Cursor) -> Node:
    token = c.token
    following = c.peek()
    if token.is_symbol("("):
        c.advance()
        inner = condition(c)
        c.symbol(")")
        return inner
    if token.kind == "NAME" and following.is_symbol("("):
        name = token.text.lower()
        if name in _CONDITION_FUNCTIONS:
            return _function_condition(c, name)
    left = _operand(c)
    token = c.token
    if token.kind == "SYMBOL" and token.text in _COMPARISONS:
        c.advance()
        if c.token.is_keyword("MISSING"):
            raise validation("MISSING must be compared using IS operator")
        return Comparison(_COMPARISONS[token.text], left, _operand(c))
    negated = c.accept_keyword("NOT")
    if c.accept_keyword("BETWEEN"):
        low = _operand(c)
        c.keyword("AND")
        node: Node = Between(left, low, _operand(c))
    elif c.accept_keyword("IN"):
        node = _in_list(c, left)
    elif not negated and c.accept_keyword("IS"):
        return _is_test(c, left)
    else:
        raise c.unexpected()
    return Not(node) if negated else node


def _in_list(c: Cursor, left: Operand) -> Node:
    if not isinstance(left, PathOperand):
        raise validation(
            "IN operator must have a left hand argument of type Variable Reference and right "
            "hand argument of type Seq with at least one member"
        )
    close = "]" if c.token.is_symbol("[") else ")"
    c.symbol("[", "(")
    options: list[Operand] = []
    if c.token.is_symbol(close):
        raise validation(
            "IN operator must have a left hand argument of type Variable Reference and right "
            "hand argument of type Seq with at least one member"
        )
    while True:
        options.append(c.value_operand())
        if c.accept_symbol(close):
            break
        c.symbol(",")
    return In(left, tuple(options))


def _is_test(c: Cursor, left: Operand) -> Node:
    if not isinstance(left, PathOperand):
        raise validation(
            "The left hand side argument to IS must be a Variable Reference, Literal, or Path"
        )
    negated = c.accept_keyword("NOT")
    token = c.token
    if token.is_keyword("MISSING"):
        c.advance()
        name = "attribute_exists" if negated else "attribute_not_exists"
        return FunctionCondition(name, (left,))
    if token.is_keyword("NULL"):
        c.advance()
        null = ValueOperand("", {"S": "NULL"})
        node: Node = FunctionCondition("attribute_type", (left, null))
        return Not(node) if negated else node
    if token.kind == "NAME":
        raise validation(
            f"Unsupported data type for IS operator: {token.text.upper()}. Supported data "
            "types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"
        )
    raise c.unexpected()


def _function_condition(c: Cursor, name: str) -> Node:
    c.advance()
    c.symbol("(")
    args: list[Operand] = [_operand(c)]
    while c.accept_symbol(","):
        args.append(_operand(c))
    c.symbol(")")
    if len(args) != _CONDITION_FUNCTIONS[name] or not isinstance(args[0], PathOperand):
        raise malformed(f"Incorrect number or type of arguments to function {name}")
    return FunctionCondition(name, tuple(args))


def _balanced(kind: type[And] | type[Or], parts: list[Node]) -> Node:
    """``a AND b AND c ...`` as a balanced tree: the same meaning and evaluation order as a
    chain, but a long clause nests only logarithmically deep."""
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    return kind(_balanced(kind, parts[:middle]), _balanced(kind, parts[middle:]))
