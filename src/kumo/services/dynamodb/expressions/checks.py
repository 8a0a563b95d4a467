"""Semantic checks DynamoDB runs on a parsed expression before touching any item.

Function names, arities and operand types (for literal values, whose types are known
before evaluation), BETWEEN bounds, IN list length, and overlapping or conflicting
document paths in update and projection expressions.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator

from kumo.aws.errors import ServiceError

from ..values import AttributeValue, compare, value_type
from .nodes import (
    CONDITION_FUNCTIONS,
    UPDATE_FUNCTIONS,
    And,
    Arithmetic,
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

MAX_IN_OPERANDS = 100
ATTRIBUTE_TYPES = ("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M")
_ARITY = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
    "if_not_exists": 2,
    "list_append": 2,
}
# Names DynamoDB uses for types in ADD/DELETE operand errors.
TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
    "M": "MAP",
    "L": "LIST",
    "SS": "STRING_SET",
    "NS": "NUMBER_SET",
    "BS": "BINARY_SET",
}

Raise = Callable[[str], ServiceError]


def show_value(value: AttributeValue) -> str:
    """An attribute value as DynamoDB prints it in BETWEEN errors: ``{N:1}``."""
    kind = value_type(value)
    data = value[kind]
    if isinstance(data, bytes):
        data = base64.b64encode(data).decode()
    return f"{{{kind}:{data}}}"


def operand_type_error(error: Raise, function: str, value: AttributeValue) -> ServiceError:
    return error(
        "Incorrect operand type for operator or function; "
        f"operator or function: {function}, operand type: {value_type(value)}"
    )


def _arity(error: Raise, name: str, args: tuple[Operand, ...]) -> None:
    if len(args) != _ARITY[name]:
        raise error(
            "Incorrect number of operands for operator or function; "
            f"operator or function: {name}, number of operands: {len(args)}"
        )


def _needs_path(error: Raise, name: str, arg: Operand) -> None:
    if not isinstance(arg, PathOperand):
        raise error(f"Operator or function requires a document path; operator or function: {name}")


def check_between_bounds(error: Raise, low: AttributeValue, high: AttributeValue) -> None:
    """DynamoDB rejects literal BETWEEN bounds of different types or in descending order."""
    order = compare(low, high)
    if order is None:
        raise error(
            "The BETWEEN operator requires same data type for lower and upper bounds; "
            f"lower bound operand: AttributeValue: {show_value(low)}, "
            f"upper bound operand: AttributeValue: {show_value(high)}"
        )
    if order > 0:
        raise error(
            "The BETWEEN operator requires upper bound to be greater than or equal to lower "
            f"bound; lower bound operand: AttributeValue: {show_value(low)}, "
            f"upper bound operand: AttributeValue: {show_value(high)}"
        )


# -------------------------------------------------------------------------- conditions


def check_condition(node: Node, error: Raise) -> None:
    """Semantic checks of a condition tree (ConditionExpression, FilterExpression, ...)."""
    if isinstance(node, And | Or):
        check_condition(node.left, error)
        check_condition(node.right, error)
    elif isinstance(node, Not):
        check_condition(node.operand, error)
    elif isinstance(node, Literal):
        return
    elif isinstance(node, FunctionCondition):
        _check_condition_function(node, error)
    elif isinstance(node, Comparison):
        for operand in (node.left, node.right):
            _check_condition_operand(operand, error)
            if (
                node.op not in ("=", "<>")
                and isinstance(operand, ValueOperand)
                and value_type(operand.value) not in ("N", "S", "B")
            ):
                raise operand_type_error(error, node.op, operand.value)
    elif isinstance(node, Between):
        for operand in (node.subject, node.low, node.high):
            _check_condition_operand(operand, error)
            if isinstance(operand, ValueOperand) and value_type(operand.value) not in (
                "N",
                "S",
                "B",
            ):
                raise operand_type_error(error, "BETWEEN", operand.value)
        if isinstance(node.low, ValueOperand) and isinstance(node.high, ValueOperand):
            check_between_bounds(error, node.low.value, node.high.value)
    elif isinstance(node, In):
        _check_condition_operand(node.subject, error)
        for option in node.options:
            _check_condition_operand(option, error)
        if len(node.options) > MAX_IN_OPERANDS:
            raise error(
                "The IN operator is provided with too many operands; "
                f"number of operands: {len(node.options)}"
            )


def _check_condition_function(node: FunctionCondition, error: Raise) -> None:
    name, args = node.name, node.args
    if name in UPDATE_FUNCTIONS:
        raise error(f"The function is not allowed in a condition expression; function: {name}")
    if name not in CONDITION_FUNCTIONS:
        raise error(
            f"The function is not allowed to be used this way in an expression; function: {name}"
        )
    for arg in args:
        _check_condition_operand(arg, error)
    _arity(error, name, args)
    if name in ("attribute_exists", "attribute_not_exists"):
        _needs_path(error, name, args[0])
    elif name == "attribute_type":
        _needs_path(error, name, args[0])
        kind = args[1]
        if isinstance(kind, ValueOperand):
            if value_type(kind.value) != "S":
                raise operand_type_error(error, name, kind.value)
            if kind.value["S"] not in ATTRIBUTE_TYPES:
                raise error(
                    f"Invalid attribute type name found; type: {kind.value['S']}, "
                    "valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }"
                )
    elif name == "begins_with":
        for arg in args:
            if isinstance(arg, ValueOperand) and value_type(arg.value) not in ("S", "B"):
                raise operand_type_error(error, name, arg.value)


def _check_condition_operand(operand: Operand, error: Raise) -> None:
    if not isinstance(operand, FunctionOperand):
        return
    if operand.name in UPDATE_FUNCTIONS:
        raise error(
            f"The function is not allowed in a condition expression; function: {operand.name}"
        )
    if operand.name != "size":
        raise error(
            "The function is not allowed to be used this way in an expression; "
            f"function: {operand.name}"
        )
    for arg in operand.args:
        _check_condition_operand(arg, error)
    _arity(error, "size", operand.args)
    arg = operand.args[0]
    if isinstance(arg, ValueOperand) and value_type(arg.value) in ("N", "BOOL", "NULL"):
        raise operand_type_error(error, "size", arg.value)


# ------------------------------------------------------------------------------ update


def check_update_value(operand: Operand, error: Raise) -> None:
    """Checks of the right-hand side of one SET action."""
    if isinstance(operand, Arithmetic):
        for side in (operand.left, operand.right):
            check_update_value(side, error)
            if isinstance(side, ValueOperand) and value_type(side.value) != "N":
                raise operand_type_error(error, operand.op, side.value)
    elif isinstance(operand, FunctionOperand):
        name, args = operand.name, operand.args
        if name not in ("if_not_exists", "list_append"):
            raise error(f"The function is not allowed in an update expression; function: {name}")
        _arity(error, name, args)
        if name == "if_not_exists":
            _needs_path(error, name, args[0])
        for arg in args:
            check_update_value(arg, error)
            if (
                name == "list_append"
                and isinstance(arg, ValueOperand)
                and value_type(arg.value) != "L"
            ):
                raise operand_type_error(error, name, arg.value)


def check_add_delete(section: str, value: AttributeValue, error: Raise) -> None:
    """ADD takes a number or a set, DELETE a set."""
    kind = value_type(value)
    allowed = ("N", "SS", "NS", "BS") if section == "ADD" else ("SS", "NS", "BS")
    if kind not in allowed:
        raise error(
            "Incorrect operand type for operator or function; "
            f"operator: {section}, operand type: {TYPE_NAMES[kind]}"
        )


# ------------------------------------------------------------------------------- paths


def _pairs(paths: list[Path]) -> Iterator[tuple[Path, Path]]:
    for i, first in enumerate(paths):
        for second in paths[i + 1 :]:
            yield first, second


def check_paths(paths: list[Path], error: Raise) -> None:
    """Reject two paths where one is a prefix of the other (overlap), then two that reach
    one parent once as a map and once as a list (conflict)."""
    for first, second in _pairs(paths):
        shorter = min(len(first.elements), len(second.elements))
        if first.elements[:shorter] == second.elements[:shorter]:
            raise error(
                "Two document paths overlap with each other; must remove or rewrite one of "
                f"these paths; path one: {first}, path two: {second}"
            )
    for first, second in _pairs(paths):
        for a, b in zip(first.elements, second.elements, strict=False):
            if a == b and type(a) is type(b):
                continue
            if isinstance(a, int) != isinstance(b, int):
                raise error(
                    "Two document paths conflict with each other; must remove or rewrite one "
                    f"of these paths; path one: {first}, path two: {second}"
                )
            break
