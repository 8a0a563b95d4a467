"""ProjectionExpression, KeyConditionExpression and the ExpressionContext checks."""

from __future__ import annotations

from typing import Any

import pytest

from kumo.services.dynamodb.expressions import (
    ExpressionContext,
    parse_condition,
    parse_key_condition,
    parse_projection,
    parse_update,
)
from tests.services.dynamodb.expressions.expr_helpers import ctx, message_of

P = "Invalid ProjectionExpression: "
K = "Invalid KeyConditionExpression: "

ITEM: dict[str, Any] = {
    "a": {"M": {"b": {"S": "1"}, "c": {"S": "2"}, "d": {"L": [{"N": "0"}, {"N": "1"}]}}},
    "l": {"L": [{"S": "0"}, {"M": {"x": {"S": "1"}, "y": {"S": "2"}}}, {"S": "2"}, {"S": "3"}]},
    "top": {"S": "t"},
    "qq": {"N": "5"},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("top", {"top": {"S": "t"}}),
        ("top, qq, nothing", {"top": {"S": "t"}, "qq": {"N": "5"}}),
        ("a.b", {"a": {"M": {"b": {"S": "1"}}}}),
        ("a.b, a.c", {"a": {"M": {"b": {"S": "1"}, "c": {"S": "2"}}}}),
        ("a.d[1]", {"a": {"M": {"d": {"L": [{"N": "1"}]}}}}),
        ("l[3], l[0]", {"l": {"L": [{"S": "0"}, {"S": "3"}]}}),
        ("l[1].y, l[9], a.zz", {"l": {"L": [{"M": {"y": {"S": "2"}}}]}}),
        ("top[0], a.b.c", {}),
    ],
)
def test_projection(text: str, expected: dict[str, Any]) -> None:
    assert parse_projection(text, ctx()).apply(ITEM) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", P + "The expression can not be empty;"),
        ("a, ", P + 'Syntax error; token: "<EOF>", near: ","'),
        ("a = :s", P + 'Syntax error; token: "=", near: "a = :s"'),
        ("a, status", P + "Attribute name is a reserved keyword; reserved keyword: status"),
        (
            "a, #zz",
            P + "An expression attribute name used in the document path is "
            "not defined; attribute name: #zz",
        ),
        (
            "a, a.b",
            P + "Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a], path two: [a, b]",
        ),
        (
            "a.b, a[0]",
            P + "Two document paths conflict with each other; must remove or "
            "rewrite one of these paths; path one: [a, b], path two: [a, "
            "[0]]",
        ),
    ],
)
def test_projection_errors(text: str, message: str) -> None:
    assert message_of(lambda: parse_projection(text, ctx())) == message


def test_projection_with_names() -> None:
    context = ExpressionContext({"#s": "status", "#dot": "a.b"}, None)
    projection = parse_projection("#s, #dot", context)
    item = {"status": {"S": "on"}, "a.b": {"N": "1"}, "a": {"M": {"b": {"N": "2"}}}}
    assert projection.apply(item) == {"status": {"S": "on"}, "a.b": {"N": "1"}}
    assert projection.top_level_names == {"status", "a.b"}
    context.check_unused()


# ------------------------------------------------------------------------- key conditions


def key(text: str, range_key: str | None = "sk", **values: Any) -> Any:
    context = ExpressionContext(
        {"#pk": "pk", "#sk": "sk"} if "#" in text else None,
        {f":{k}": v for k, v in values.items()}
        or {":a": {"S": "a"}, ":b": {"S": "b"}, ":n": {"N": "1"}},
    )
    return parse_key_condition(text, context, "pk", range_key)


@pytest.mark.parametrize(
    ("text", "op", "values"),
    [
        ("pk = :a", None, ()),
        ("#pk = :a", None, ()),
        ("pk = :a AND sk = :b", "=", ({"S": "b"},)),
        ("sk < :b AND pk = :a", "<", ({"S": "b"},)),
        (":b > sk AND pk = :a", "<", ({"S": "b"},)),
        ("pk = :a AND #sk >= :b", ">=", ({"S": "b"},)),
        ("pk = :a AND sk <= :b", "<=", ({"S": "b"},)),
        ("pk = :a and sk > :b", ">", ({"S": "b"},)),
        ("pk = :a AND sk BETWEEN :a AND :b", "BETWEEN", ({"S": "a"}, {"S": "b"})),
        ("(pk = :a) AND (begins_with(sk, :b))", "begins_with", ({"S": "b"},)),
    ],
)
def test_key_conditions(text: str, op: str | None, values: tuple[Any, ...]) -> None:
    condition = key(text)
    assert condition.hash_value == {"S": "a"}
    assert condition.range_op == op
    assert condition.range_values == values


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", K + "The expression can not be empty;"),
        ("a > 4", K + 'Syntax error; token: "4", near: "> 4"'),
        ("pk = :a OR sk = :b", "Invalid operator used in KeyConditionExpression: OR"),
        ("pk = :a AND NOT sk = :b", "Invalid operator used in KeyConditionExpression: NOT"),
        ("pk IN (:a, :b)", "Invalid operator used in KeyConditionExpression: IN"),
        ("pk <> :a", "Invalid operator used in KeyConditionExpression: <>"),
        (
            "attribute_exists(pk)",
            "Invalid operator used in KeyConditionExpression: attribute_exists",
        ),
        (
            "pk = :a AND contains(sk, :b)",
            "Invalid operator used in KeyConditionExpression: contains",
        ),
        (
            ":a BETWEEN pk AND sk",
            "Invalid condition in KeyConditionExpression: BETWEEN "
            "operator must have the key attribute as its first operand",
        ),
        (
            "begins_with(:a, pk)",
            "Invalid condition in KeyConditionExpression: begins_with "
            "operator must have the key attribute as its first operand",
        ),
        ("size(pk) = :a", "KeyConditionExpressions cannot contain nested operations"),
        ("pk = size(:a)", "KeyConditionExpressions cannot contain nested operations"),
        (
            "pk = sk",
            "Invalid condition in KeyConditionExpression: Multiple "
            "attribute names used in one condition",
        ),
        (
            "pk BETWEEN sk AND :a",
            "Invalid condition in KeyConditionExpression: Multiple "
            "attribute names used in one condition",
        ),
        (":a = :b", "Invalid condition in KeyConditionExpression: No key attribute specified"),
        ("pk.x = :a", "KeyConditionExpressions cannot have conditions on nested attributes"),
        ("pk[0] = :a", "KeyConditionExpressions cannot have conditions on nested attributes"),
        ("pk = :a AND sk = :a AND x = :a", "Conditions can be of length 1 or 2 only"),
        ("pk = :a AND pk = :b", "KeyConditionExpressions must only contain one condition per key"),
        ("sk = :a", "Query condition missed key schema element: pk"),
        ("pk > :a", "Query key condition not supported"),
        ("pk = :a AND qq = :b", "Query condition missed key schema element: sk"),
        (
            "pk = :a AND sk BETWEEN :n AND :a",
            K + "The BETWEEN operator requires same data type for lower and "
            "upper bounds; lower bound operand: AttributeValue: {N:1}, "
            "upper bound operand: AttributeValue: {S:a}",
        ),
        (
            "pk = :a AND sk BETWEEN :b AND :a",
            K + "The BETWEEN operator requires upper bound to be greater than "
            "or equal to lower bound; lower bound operand: "
            "AttributeValue: {S:b}, upper bound operand: AttributeValue: "
            "{S:a}",
        ),
        (
            "pk = :a AND begins_with(sk, :n)",
            K + "Incorrect operand type for operator or function; operator or "
            "function: begins_with, operand type: N",
        ),
        ("status = :a", K + "Attribute name is a reserved keyword; reserved keyword: status"),
    ],
)
def test_key_condition_errors(text: str, message: str) -> None:
    assert message_of(lambda: key(text)) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "sk > :a AND sk < :b AND x = :a AND y = :a",
            "KeyConditionExpressions must only contain one condition per key",
        ),
        (
            "(a > :a AND sk > :a) AND (sk > :a AND c > :a)",
            "KeyConditionExpressions must only contain one condition per key",
        ),
        (":a = a AND b = :a AND :a = c", "Conditions can be of length 1 or 2 only"),
        (
            "size(b) > a AND a.b > b AND b > c",
            "KeyConditionExpressions cannot contain nested operations",
        ),
        (
            "b.d > a AND c.d > e.f",
            "KeyConditionExpressions cannot have conditions on nested attributes",
        ),
        ("a > b AND size(b) > c OR a > c", "Invalid operator used in KeyConditionExpression: OR"),
        (
            "attribute_type(a, :n)",
            K + "Incorrect operand type for operator or function; operator or "
            "function: attribute_type, operand type: N",
        ),
        (
            "attribute_type(a, :kind)",
            "Invalid operator used in KeyConditionExpression: attribute_type",
        ),
    ],
)
def test_key_condition_error_order(text: str, message: str) -> None:
    context = ExpressionContext(
        None, {":a": {"S": "a"}, ":b": {"S": "b"}, ":n": {"N": "1"}, ":kind": {"S": "S"}}
    )
    assert message_of(lambda: parse_key_condition(text, context, "pk", "sk")) == message


def test_key_condition_on_hash_only_table() -> None:
    assert message_of(lambda: key("pk = :a AND qq = :b", range_key=None)) == (
        "Query condition missed key schema element: qq"
    )


# ------------------------------------------------------------------------------- context


@pytest.mark.parametrize(
    ("names", "values", "message"),
    [
        ({}, None, "ExpressionAttributeNames must not be empty"),
        (None, {}, "ExpressionAttributeValues must not be empty"),
        ({"a": "a"}, None, 'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'),
        (
            None,
            {"a": {"S": "b"}},
            'ExpressionAttributeValues contains invalid key: Syntax error; key: "a"',
        ),
        (
            None,
            {":a": {"SS": []}},
            "ExpressionAttributeValues contains invalid value: One or "
            "more parameter values were invalid: An string set  may not "
            "be empty for key :a",
        ),
        (
            {"#a": ""},
            None,
            "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a",
        ),
        (
            None,
            {":a": {"N": "x"}},
            "ExpressionAttributeValues contains invalid value: The "
            "parameter cannot be converted to a numeric value: x for key "
            ":a",
        ),
    ],
)
def test_context_errors(names: Any, values: Any, message: str) -> None:
    assert message_of(lambda: ExpressionContext(names, values)) == message


def test_values_are_canonical_in_context() -> None:
    context = ExpressionContext(None, {":a": {"N": "1.50"}})
    assert context.values[":a"] == {"N": "1.5"}


def test_unused_names_and_values_across_expressions() -> None:
    context = ExpressionContext(
        {"#a": "a", "#b": "b"}, {":a": {"S": "a"}, ":b": {"S": "a"}, ":c": {"S": "a"}}
    )
    parse_update("remove #a", context)
    parse_condition("a = :b", context)
    assert message_of(context.check_unused) == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"
    )
    parse_condition("#b = :b", context)
    assert message_of(context.check_unused) == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :c}"
    )
    parse_condition(":a = :c", context)
    context.check_unused()
