"""The legacy (pre-expression) parameters, compiled to the same objects as expressions.

Expected and QueryFilter/ScanFilter become a :class:`Condition`, AttributeUpdates an
:class:`Update`, KeyConditions a :class:`KeyCondition`, AttributesToGet a
:class:`Projection`. Also the request-level rules on mixing the two styles.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..values import AttributeValue, compare, validate_value, validation_error, value_type
from .condition import Condition
from .keycondition import KeyCondition, KeyTerm, build_key_condition
from .nodes import (
    And,
    Between,
    Comparison,
    FunctionCondition,
    In,
    Literal,
    Node,
    Not,
    Or,
    Path,
    PathOperand,
    ValueOperand,
)
from .projection import Projection
from .update import Update

_PREFIX = "One or more parameter values were invalid: "
_OPERATORS = (
    "EQ",
    "NE",
    "IN",
    "LE",
    "LT",
    "GE",
    "GT",
    "BETWEEN",
    "NOT_NULL",
    "NULL",
    "CONTAINS",
    "NOT_CONTAINS",
    "BEGINS_WITH",
)
_ONE_VALUE = ("EQ", "NE", "LE", "LT", "GE", "GT", "CONTAINS", "NOT_CONTAINS", "BEGINS_WITH")
_SCALAR_ONLY = ("LE", "LT", "GE", "GT", "IN", "BETWEEN")
_COMPARATORS = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}
_KEY_OPERATORS = {
    "EQ": "=",
    "LE": "<=",
    "LT": "<",
    "GE": ">=",
    "GT": ">",
    "BEGINS_WITH": "begins_with",
    "BETWEEN": "BETWEEN",
}


def _enum_error(value: object, where: str, allowed: tuple[str, ...]) -> Exception:
    return validation_error(
        f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]"
    )


def _combine(nodes: list[Node], conditional_operator: str | None, where: str) -> Node:
    operator = conditional_operator or "AND"
    if operator not in ("AND", "OR"):
        raise _enum_error(operator, where, ("AND", "OR"))
    if not nodes:
        return Literal(True)
    node = nodes[0]
    for other in nodes[1:]:
        node = Or(node, other) if operator == "OR" else And(node, other)
    return node


def _arguments(name: str, spec: Mapping[str, Any], operator: str) -> list[AttributeValue]:
    """The validated AttributeValueList of one legacy condition, arity-checked."""
    raw = spec.get("AttributeValueList")
    if raw is None:
        raw = [spec["Value"]] if spec.get("Value") is not None else []
    values = [validate_value(v, name) for v in raw]
    count = len(values)
    ok = (
        (operator in _ONE_VALUE and count == 1)
        or (operator in ("NULL", "NOT_NULL") and count == 0)
        or (operator == "IN" and count > 0)
        or (operator == "BETWEEN" and count == 2)
    )
    if not ok:
        raise validation_error(
            _PREFIX + f"Invalid number of argument(s) for the {operator} ComparisonOperator"
        )
    for value in values:
        kind = value_type(value)
        invalid = (
            (operator in _SCALAR_ONLY and kind not in ("S", "N", "B"))
            or (
                operator in ("CONTAINS", "NOT_CONTAINS")
                and kind not in ("S", "N", "B", "BOOL", "NULL")
            )
            or (operator == "BEGINS_WITH" and kind not in ("S", "B"))
        )
        if invalid:
            raise validation_error(
                _PREFIX
                + f"ComparisonOperator {operator} is not valid for {kind} AttributeValue type"
            )
    if operator in ("IN", "BETWEEN") and len({value_type(v) for v in values}) > 1:
        raise validation_error(
            _PREFIX + "AttributeValues inside AttributeValueList must be of same type"
        )
    if operator == "BETWEEN" and (compare(values[0], values[1]) or 0) > 0:
        raise validation_error(
            "The BETWEEN condition was provided a range where the lower bound is greater than "
            "the upper bound"
        )
    return values


def _condition(name: str, operator: str, values: list[AttributeValue]) -> Node:
    path = PathOperand(Path((name,)))
    operands = [ValueOperand("", v) for v in values]
    if operator in _COMPARATORS:
        return Comparison(_COMPARATORS[operator], path, operands[0])
    if operator == "NULL":
        return FunctionCondition("attribute_not_exists", (path,))
    if operator == "NOT_NULL":
        return FunctionCondition("attribute_exists", (path,))
    if operator == "CONTAINS":
        return FunctionCondition("contains", (path, operands[0]))
    if operator == "NOT_CONTAINS":
        return Not(FunctionCondition("contains", (path, operands[0])))
    if operator == "BEGINS_WITH":
        return FunctionCondition("begins_with", (path, operands[0]))
    if operator == "IN":
        return In(path, tuple(operands))
    return Between(path, operands[0], operands[1])


def _checked_operator(name: str, spec: Mapping[str, Any], where: str) -> str:
    operator = spec.get("ComparisonOperator")
    if operator not in _OPERATORS:
        raise _enum_error(operator, f"{where}.{name}.member.comparisonOperator", _OPERATORS)
    return str(operator)


def legacy_expected(expected: Mapping[str, Any], conditional_operator: str | None) -> Condition:
    """The condition of an ``Expected`` map (PutItem, UpdateItem, DeleteItem)."""
    nodes: list[Node] = []
    for name, spec in expected.items():
        if spec.get("ComparisonOperator") is not None:
            if spec.get("Exists") is not None:
                raise validation_error(
                    _PREFIX + "Exists and ComparisonOperator cannot be used together for "
                    f"Attribute: {name}"
                )
            if spec.get("AttributeValueList") is not None and spec.get("Value") is not None:
                raise validation_error(
                    _PREFIX + "Value and AttributeValueList cannot be used together for "
                    f"Attribute: {name}"
                )
            operator = _checked_operator(name, spec, "expected")
            nodes.append(_condition(name, operator, _arguments(name, spec, operator)))
            continue
        if spec.get("AttributeValueList") is not None:
            raise validation_error(
                _PREFIX + "AttributeValueList can only be used with a ComparisonOperator for "
                f"Attribute: {name}"
            )
        exists = spec.get("Exists")
        value = spec.get("Value")
        if exists is None or exists:
            if value is None:
                shown = "null" if exists is None else "true"
                raise validation_error(
                    _PREFIX + f"Value must be provided when Exists is {shown} for Attribute: {name}"
                )
            nodes.append(_condition(name, "EQ", [validate_value(value, name)]))
        else:
            if value is not None:
                raise validation_error(
                    _PREFIX + f"Value cannot be used when Exists is false for Attribute: {name}"
                )
            nodes.append(_condition(name, "NULL", []))
    return Condition(_combine(nodes, conditional_operator, "conditionalOperator"), "Expected")


def legacy_filter(
    conditions: Mapping[str, Any], conditional_operator: str | None, kind: str = "QueryFilter"
) -> Condition:
    """The condition of a ``QueryFilter`` or ``ScanFilter`` map."""
    where = kind[0].lower() + kind[1:]
    nodes: list[Node] = []
    for name, spec in conditions.items():
        operator = _checked_operator(name, spec, where)
        nodes.append(_condition(name, operator, _arguments(name, spec, operator)))
    return Condition(_combine(nodes, conditional_operator, "conditionalOperator"), kind)


def legacy_key_conditions(
    key_conditions: Mapping[str, Any], hash_key: str, range_key: str | None
) -> KeyCondition:
    """The key condition of a ``KeyConditions`` map (Query)."""
    if not 1 <= len(key_conditions) <= 2:
        raise validation_error("Conditions can be of length 1 or 2 only")
    terms = []
    for name, spec in key_conditions.items():
        operator = _checked_operator(name, spec, "keyConditions")
        values = _arguments(name, spec, operator)
        if operator not in _KEY_OPERATORS:
            raise validation_error("Attempted conditional constraint is not an indexable operation")
        terms.append(KeyTerm(name, _KEY_OPERATORS[operator], tuple(values)))
    return build_key_condition(terms, hash_key, range_key)


def legacy_attribute_updates(updates: Mapping[str, Any]) -> Update:
    """The update of an ``AttributeUpdates`` map (PUT, ADD, DELETE actions)."""
    sets: list[tuple[Path, Any]] = []
    removes: list[Path] = []
    adds: list[tuple[Path, AttributeValue]] = []
    deletes: list[tuple[Path, AttributeValue]] = []
    for name, spec in updates.items():
        path = Path((name,))
        action = spec.get("Action") or "PUT"
        if action not in ("ADD", "PUT", "DELETE"):
            raise _enum_error(
                action, f"attributeUpdates.{name}.member.action", ("ADD", "PUT", "DELETE")
            )
        raw = spec.get("Value")
        if raw is None:
            if action != "DELETE":
                raise validation_error(
                    _PREFIX + "Only DELETE action is allowed when no attribute value is specified"
                )
            removes.append(path)
            continue
        value = validate_value(raw, name)
        kind = value_type(value)
        if action == "PUT":
            sets.append((path, ValueOperand("", value)))
        elif action == "ADD":
            if kind not in ("N", "SS", "NS", "BS", "L"):
                raise validation_error(
                    _PREFIX + f"ADD action is not supported for the type {_TYPE_NAMES[kind]}"
                )
            adds.append((path, value))
        else:
            if kind not in ("SS", "NS", "BS"):
                raise validation_error(
                    _PREFIX + "DELETE action with value is not supported for the type "
                    f"{_TYPE_NAMES[kind]}"
                )
            deletes.append((path, value))
    paths = tuple(Path((name,)) for name in updates)
    return Update(
        sets=tuple(sets),
        removes=tuple(removes),
        adds=tuple(adds),
        deletes=tuple(deletes),
        paths=paths,
        mismatch_message="Type mismatch for attribute to update",
    )


_TYPE_NAMES = {
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


def legacy_projection(attributes_to_get: list[str]) -> Projection:
    """The projection of an ``AttributesToGet`` list (names taken literally)."""
    seen: set[str] = set()
    for name in attributes_to_get:
        if name in seen:
            raise validation_error(_PREFIX + f"Duplicate value in attribute name: {name}")
        seen.add(name)
    return Projection(tuple(Path((name,)) for name in attributes_to_get))


def check_not_mixed(legacy: Mapping[str, object], expressions: Mapping[str, object]) -> None:
    """Reject a request that sets both legacy and expression parameters.

    Both maps go from parameter name to its value; only parameters that are present
    (not None) count.
    """
    old = [name for name, value in legacy.items() if value is not None]
    new = [name for name, value in expressions.items() if value is not None]
    if old and new:
        raise validation_error(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(old)}}} "
            f"Expression parameters: {{{', '.join(new)}}}"
        )


def check_names_values_usage(
    names: Mapping[str, str] | None,
    values: Mapping[str, Any] | None,
    expressions: Mapping[str, object],
) -> None:
    """ExpressionAttributeNames/Values need an expression of the request that can use them.

    ``expressions`` maps each expression parameter of the operation that accepts values
    (e.g. ``{"UpdateExpression": ..., "ConditionExpression": ...}``) to its value, in the
    order DynamoDB names them in its message; ProjectionExpression, which takes names but
    not values, may be included under that key and is skipped for values.
    """
    present = [name for name, value in expressions.items() if value is not None]
    if names is not None and not present:
        raise validation_error(
            "ExpressionAttributeNames can only be specified when using expressions"
        )
    value_takers = [name for name in expressions if name != "ProjectionExpression"]
    if values is not None and not any(expressions[name] is not None for name in value_takers):
        if len(value_takers) == 1:
            missing = f"{value_takers[0]} is null"
        else:
            missing = f"{', '.join(value_takers[:-1])} and {value_takers[-1]} are null"
        raise validation_error(
            f"ExpressionAttributeValues can only be specified when using expressions: {missing}"
        )
