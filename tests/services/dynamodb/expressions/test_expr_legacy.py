"""Legacy parameters: Expected, QueryFilter/ScanFilter, KeyConditions, AttributeUpdates,
AttributesToGet, and the rules on mixing them with expressions."""

from __future__ import annotations

from typing import Any

import pytest

from kumo.services.dynamodb.expressions import (
    check_names_values_usage,
    check_not_mixed,
    legacy_attribute_updates,
    legacy_expected,
    legacy_filter,
    legacy_key_conditions,
    legacy_projection,
)
from tests.services.dynamodb.expressions.expr_helpers import message_of

INVALID = "One or more parameter values were invalid: "
ITEM: dict[str, Any] = {
    "s": {"S": "hello"},
    "n": {"N": "5"},
    "ss": {"SS": ["a", "b"]},
    "l": {"L": [{"S": "x"}]},
}


def cond(op: str, *values: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"ComparisonOperator": op}
    if values:
        spec["AttributeValueList"] = list(values)
    return spec


@pytest.mark.parametrize(
    ("conditions", "operator", "expected"),
    [
        ({"s": cond("EQ", {"S": "hello"})}, None, True),
        ({"s": cond("NE", {"S": "hello"})}, None, False),
        ({"absent": cond("NE", {"S": "hello"})}, None, True),
        ({"n": cond("GT", {"N": "4"})}, None, True),
        ({"n": cond("GE", {"N": "5.0"})}, None, True),
        ({"n": cond("LT", {"N": "5"})}, None, False),
        ({"n": cond("LE", {"N": "5"})}, None, True),
        ({"n": cond("GT", {"S": "4"})}, None, False),
        ({"n": cond("NOT_NULL")}, None, True),
        ({"absent": cond("NULL")}, None, True),
        ({"s": cond("CONTAINS", {"S": "ell"})}, None, True),
        ({"ss": cond("CONTAINS", {"S": "b"})}, None, True),
        ({"ss": cond("NOT_CONTAINS", {"S": "b"})}, None, False),
        ({"l": cond("CONTAINS", {"S": "x"})}, None, True),
        ({"s": cond("BEGINS_WITH", {"S": "he"})}, None, True),
        ({"n": cond("IN", {"N": "1"}, {"N": "5"})}, None, True),
        ({"n": cond("BETWEEN", {"N": "1"}, {"N": "5"})}, None, True),
        ({"n": cond("BETWEEN", {"N": "6"}, {"N": "7"})}, None, False),
        ({"n": cond("EQ", {"N": "5"}), "s": cond("EQ", {"S": "no"})}, "AND", False),
        ({"n": cond("EQ", {"N": "5"}), "s": cond("EQ", {"S": "no"})}, "OR", True),
        ({}, None, True),
    ],
)
def test_filters(conditions: dict[str, Any], operator: str | None, expected: bool) -> None:
    assert legacy_filter(conditions, operator).evaluate(ITEM) is expected
    assert legacy_expected(conditions, operator).evaluate(ITEM) is expected


@pytest.mark.parametrize(
    ("expected", "result"),
    [
        ({"s": {"Value": {"S": "hello"}}}, True),
        ({"s": {"Value": {"S": "bye"}, "Exists": True}}, False),
        ({"absent": {"Exists": False}}, True),
        ({"s": {"Exists": False}}, False),
        ({"s": {"ComparisonOperator": "EQ", "Value": {"S": "hello"}}}, True),
    ],
)
def test_expected_exists_forms(expected: dict[str, Any], result: bool) -> None:
    assert legacy_expected(expected, None).evaluate(ITEM) is result


@pytest.mark.parametrize(
    ("expected", "message"),
    [
        (
            {"a": {"ComparisonOperator": "EQ", "Exists": True}},
            INVALID + "Exists and ComparisonOperator cannot be used together for Attribute: a",
        ),
        (
            {
                "a": {
                    "ComparisonOperator": "EQ",
                    "Value": {"S": "a"},
                    "AttributeValueList": [{"S": "a"}],
                }
            },
            INVALID + "Value and AttributeValueList cannot be used together for Attribute: a",
        ),
        (
            {"a": {"AttributeValueList": [{"S": "a"}]}},
            INVALID
            + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a",
        ),
        ({"a": {}}, INVALID + "Value must be provided when Exists is null for Attribute: a"),
        (
            {"a": {"Exists": True}},
            INVALID + "Value must be provided when Exists is true for Attribute: a",
        ),
        (
            {"a": {"Exists": False, "Value": {"S": "a"}}},
            INVALID + "Value cannot be used when Exists is false for Attribute: a",
        ),
        ({"a": {"Value": {"SS": []}}}, INVALID + "An string set  may not be empty"),
    ],
)
def test_expected_errors(expected: dict[str, Any], message: str) -> None:
    assert message_of(lambda: legacy_expected(expected, None)) == message


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (cond("EQ"), INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator"),
        (
            cond("EQ", {"S": "a"}, {"S": "a"}),
            INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator",
        ),
        (
            cond("NULL", {"S": "a"}),
            INVALID + "Invalid number of argument(s) for the NULL ComparisonOperator",
        ),
        (cond("IN"), INVALID + "Invalid number of argument(s) for the IN ComparisonOperator"),
        (
            cond("BETWEEN", {"S": "a"}),
            INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator",
        ),
        (
            cond("LT", {"BOOL": True}),
            INVALID + "ComparisonOperator LT is not valid for BOOL AttributeValue type",
        ),
        (
            cond("IN", {"M": {}}),
            INVALID + "ComparisonOperator IN is not valid for M AttributeValue type",
        ),
        (
            cond("CONTAINS", {"SS": ["a"]}),
            INVALID + "ComparisonOperator CONTAINS is not valid for SS AttributeValue type",
        ),
        (
            cond("BEGINS_WITH", {"N": "1"}),
            INVALID + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type",
        ),
        (
            cond("BETWEEN", {"L": []}, {"L": []}),
            INVALID + "ComparisonOperator BETWEEN is not valid for L AttributeValue type",
        ),
        (
            cond("IN", {"S": "b"}, {"N": "1"}),
            INVALID + "AttributeValues inside AttributeValueList must be of same type",
        ),
        (
            cond("BETWEEN", {"S": "b"}, {"S": "a"}),
            "The BETWEEN condition was provided a range where the lower "
            "bound is greater than the upper bound",
        ),
        (
            cond("LIKE", {"S": "b"}),
            "1 validation error detected: Value 'LIKE' at "
            "'queryFilter.a.member.comparisonOperator' failed to satisfy "
            "constraint: Member must satisfy enum value set: [EQ, NE, IN, "
            "LE, LT, GE, GT, BETWEEN, NOT_NULL, NULL, CONTAINS, "
            "NOT_CONTAINS, BEGINS_WITH]",
        ),
    ],
)
def test_filter_errors(spec: dict[str, Any], message: str) -> None:
    assert message_of(lambda: legacy_filter({"a": spec}, None)) == message


def test_conditional_operator_enum() -> None:
    assert message_of(lambda: legacy_filter({}, "XOR")).startswith(
        "1 validation error detected: Value 'XOR' at 'conditionalOperator'"
    )


def test_key_conditions() -> None:
    condition = legacy_key_conditions(
        {"pk": cond("EQ", {"S": "a"}), "sk": cond("BEGINS_WITH", {"S": "x"})}, "pk", "sk"
    )
    assert condition.hash_value == {"S": "a"}
    assert condition.range_op == "begins_with"
    assert condition.range_values == ({"S": "x"},)
    between = legacy_key_conditions(
        {"pk": cond("EQ", {"N": "01"}), "sk": cond("BETWEEN", {"N": "1"}, {"N": "2"})}, "pk", "sk"
    )
    assert between.hash_value == {"N": "1"}
    assert between.range_op == "BETWEEN"


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({}, "Conditions can be of length 1 or 2 only"),
        (
            {"pk": cond("NULL"), "sk": cond("NULL"), "x": cond("NULL")},
            "Conditions can be of length 1 or 2 only",
        ),
        (
            {"pk": cond("EQ", {"S": "a"}), "sk": cond("NE", {"S": "a"})},
            "Attempted conditional constraint is not an indexable operation",
        ),
        ({"sk": cond("EQ", {"S": "a"})}, "Query condition missed key schema element: pk"),
        ({"pk": cond("GT", {"S": "a"})}, "Query key condition not supported"),
        (
            {"pk": cond("EQ", {"S": "a"}), "x": cond("EQ", {"S": "a"})},
            "Query condition missed key schema element: sk",
        ),
    ],
)
def test_key_condition_errors(conditions: dict[str, Any], message: str) -> None:
    assert message_of(lambda: legacy_key_conditions(conditions, "pk", "sk")) == message


def test_attribute_updates() -> None:
    update = legacy_attribute_updates(
        {
            "s": {"Value": {"S": "new"}},
            "n": {"Action": "ADD", "Value": {"N": "2"}},
            "ss": {"Action": "DELETE", "Value": {"SS": ["a"]}},
            "l": {"Action": "ADD", "Value": {"L": [{"S": "y"}]}},
            "gone": {"Action": "DELETE"},
            "fresh": {"Action": "ADD", "Value": {"NS": ["1"]}},
        }
    )
    out = update.apply({**ITEM, "gone": {"S": "x"}})
    assert out == {
        "s": {"S": "new"},
        "n": {"N": "7"},
        "ss": {"SS": ["b"]},
        "l": {"L": [{"S": "x"}, {"S": "y"}]},
        "fresh": {"NS": ["1"]},
    }
    assert update.top_level_names == {"s", "n", "ss", "l", "gone", "fresh"}


@pytest.mark.parametrize(
    ("updates", "message"),
    [
        (
            {"a": {"Action": "PUT"}},
            INVALID + "Only DELETE action is allowed when no attribute value is specified",
        ),
        (
            {"a": {"Action": "ADD"}},
            INVALID + "Only DELETE action is allowed when no attribute value is specified",
        ),
        (
            {"a": {"Action": "ADD", "Value": {"S": "x"}}},
            INVALID + "ADD action is not supported for the type STRING",
        ),
        (
            {"a": {"Action": "DELETE", "Value": {"N": "1"}}},
            INVALID + "DELETE action with value is not supported for the type NUMBER",
        ),
    ],
)
def test_attribute_update_errors(updates: dict[str, Any], message: str) -> None:
    assert message_of(lambda: legacy_attribute_updates(updates)) == message


@pytest.mark.parametrize(
    "updates",
    [
        {"ss": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
        {"n": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
        {"ss": {"Action": "ADD", "Value": {"NS": ["1"]}}},
        {"ss": {"Action": "ADD", "Value": {"N": "1"}}},
    ],
)
def test_attribute_update_type_mismatch(updates: dict[str, Any]) -> None:
    update = legacy_attribute_updates(updates)
    assert message_of(lambda: update.apply(ITEM)) == "Type mismatch for attribute to update"


def test_projection() -> None:
    projection = legacy_projection(["s", "a.b", "absent"])
    assert projection.apply({**ITEM, "a.b": {"N": "1"}}) == {"s": {"S": "hello"}, "a.b": {"N": "1"}}
    assert message_of(lambda: legacy_projection(["a", "a"])) == (
        INVALID + "Duplicate value in attribute name: a"
    )


def test_mixing() -> None:
    check_not_mixed({"Expected": None}, {"ConditionExpression": "a = :a"})
    check_not_mixed({"Expected": {}}, {"ConditionExpression": None})
    assert message_of(
        lambda: check_not_mixed(
            {"AttributesToGet": ["a"], "QueryFilter": {}},
            {"ProjectionExpression": "a", "FilterExpression": "b"},
        )
    ) == (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet, QueryFilter} "
        "Expression parameters: {ProjectionExpression, FilterExpression}"
    )


def test_names_values_usage() -> None:
    check_names_values_usage({"#a": "a"}, {":a": {"S": "a"}}, {"ConditionExpression": "#a = :a"})
    assert message_of(
        lambda: check_names_values_usage({"#a": "a"}, None, {"ConditionExpression": None})
    ) == ("ExpressionAttributeNames can only be specified when using expressions")
    assert message_of(
        lambda: check_names_values_usage(
            None, {":a": {"S": "a"}}, {"FilterExpression": None, "KeyConditionExpression": None}
        )
    ) == (
        "ExpressionAttributeValues can only be specified when using expressions: "
        "FilterExpression and KeyConditionExpression are null"
    )
    assert (
        message_of(
            lambda: check_names_values_usage(
                None, {":a": {"S": "a"}}, {"ConditionExpression": None, "ProjectionExpression": "a"}
            )
        )
        == "ExpressionAttributeValues can only be specified when using "
        "expressions: ConditionExpression is null"
    )
