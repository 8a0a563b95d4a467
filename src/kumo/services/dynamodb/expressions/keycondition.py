"""Key conditions of a Query: an equality on the hash key and at most one range-key test.

The KeyConditionExpression is parsed with the condition grammar, then its shape is checked
against what DynamoDB allows, with DynamoDB's messages for each way it can go wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from kumo.aws.errors import ServiceError

from ..values import AttributeValue, validation_error
from .checks import check_condition
from .context import ExpressionContext, expression_error
from .nodes import (
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
from .parser import Parser

KIND = "KeyConditionExpression"
RANGE_OPERATORS = ("=", "<", "<=", ">", ">=", "BETWEEN", "begins_with")
_FLIPPED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True)
class KeyCondition:
    """What a Query selects: one hash value and an optional range-key test."""

    hash_key: str
    hash_value: AttributeValue
    range_key: str | None = None
    range_op: str | None = None
    range_values: tuple[AttributeValue, ...] = ()


@dataclass(frozen=True)
class KeyTerm:
    name: str
    op: str
    values: tuple[AttributeValue, ...]


def _invalid_condition(message: str) -> ServiceError:
    return validation_error(f"Invalid condition in {KIND}: {message}")


def _operator_name(node: Node) -> str | None:
    if isinstance(node, Or):
        return "OR"
    if isinstance(node, Not):
        return "NOT"
    if isinstance(node, In):
        return "IN"
    if isinstance(node, Comparison) and node.op == "<>":
        return "<>"
    if isinstance(node, FunctionCondition) and node.name != "begins_with":
        return node.name
    return None


def _flatten(node: Node, out: list[Node]) -> None:
    name = _operator_name(node)
    if name is not None:
        raise validation_error(f"Invalid operator used in {KIND}: {name}")
    if isinstance(node, And):
        _flatten(node.left, out)
        _flatten(node.right, out)
    else:
        out.append(node)


def _key_name(operand: Operand) -> str:
    assert isinstance(operand, PathOperand)
    if len(operand.path.elements) > 1:
        raise validation_error(
            "KeyConditionExpressions cannot have conditions on nested attributes"
        )
    return operand.path.top


def _nested_operation() -> ServiceError:
    return validation_error("KeyConditionExpressions cannot contain nested operations")


def _bound(operand: Operand) -> AttributeValue:
    """A value compared with the key: a function or a second attribute is not allowed."""
    if isinstance(operand, FunctionOperand):
        raise _nested_operation()
    if not isinstance(operand, ValueOperand):
        raise _invalid_condition("Multiple attribute names used in one condition")
    return operand.value


def _term(node: Node) -> KeyTerm:
    if isinstance(node, Comparison):
        left, right, op = node.left, node.right, node.op
        if isinstance(left, FunctionOperand) or isinstance(right, FunctionOperand):
            raise _nested_operation()
        if isinstance(left, PathOperand):
            name = _key_name(left)
            return KeyTerm(name, op, (_bound(right),))
        if isinstance(right, ValueOperand):
            raise _invalid_condition("No key attribute specified")
        return KeyTerm(_key_name(right), _FLIPPED[op], (_bound(left),))
    if isinstance(node, Between):
        if not isinstance(node.subject, PathOperand):
            raise _invalid_condition(
                "BETWEEN operator must have the key attribute as its first operand"
            )
        name = _key_name(node.subject)
        return KeyTerm(name, "BETWEEN", (_bound(node.low), _bound(node.high)))
    assert isinstance(node, FunctionCondition)
    first, second = node.args
    if not isinstance(first, PathOperand):
        raise _invalid_condition(
            "begins_with operator must have the key attribute as its first operand"
        )
    name = _key_name(first)
    return KeyTerm(name, "begins_with", (_bound(second),))


def build_key_condition(terms: list[KeyTerm], hash_key: str, range_key: str | None) -> KeyCondition:
    """Match key terms to the key schema (shared by the expression and KeyConditions).

    DynamoDB reports a key named twice before it counts the conditions.
    """
    by_name: dict[str, KeyTerm] = {}
    for term in terms:
        if term.name in by_name:
            raise validation_error(
                "KeyConditionExpressions must only contain one condition per key"
            )
        by_name[term.name] = term
    if not 1 <= len(terms) <= 2:
        raise validation_error("Conditions can be of length 1 or 2 only")
    hash_term = by_name.pop(hash_key, None)
    if hash_term is None:
        raise validation_error(f"Query condition missed key schema element: {hash_key}")
    if hash_term.op != "=":
        raise validation_error("Query key condition not supported")
    range_term = by_name.pop(range_key, None) if range_key else None
    if by_name:
        missing = range_key if range_key else next(iter(by_name))
        raise validation_error(f"Query condition missed key schema element: {missing}")
    if range_term is None:
        return KeyCondition(hash_key, hash_term.values[0], range_key)
    return KeyCondition(hash_key, hash_term.values[0], range_key, range_term.op, range_term.values)


def parse_key_condition(
    text: str | None, ctx: ExpressionContext, hash_key: str, range_key: str | None
) -> KeyCondition:
    """Parse a KeyConditionExpression for a table or index keyed on ``hash_key``/``range_key``.

    The generic condition checks run first (operand types, arities, BETWEEN bounds), then
    the operators a key condition may not use, then the shape of each condition.
    """
    parser = Parser(text, ctx, KIND)
    node = parser.parse_condition()
    parser.finish()

    def error(message: str) -> ServiceError:
        return expression_error(KIND, message)

    check_condition(node, error)
    nodes: list[Node] = []
    _flatten(node, nodes)
    return build_key_condition([_term(part) for part in nodes], hash_key, range_key)
