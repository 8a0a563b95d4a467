"""The parsed expressions of one item request, expression or legacy form alike.

Requests carry conditions, updates and projections either as expressions (with
ExpressionAttributeNames/Values) or as the legacy parameters (Expected, AttributeUpdates,
AttributesToGet...). :func:`parse_request` turns either into the objects of
:mod:`kumo.services.dynamodb.expressions` and raises DynamoDB's errors for mixed forms and
unused names or values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kumo.services.dynamodb import expressions as ex
from kumo.services.dynamodb.errors import validation

__all__ = ["Parsed", "parse_request", "return_values"]


@dataclass
class Parsed:
    condition: ex.Condition | None = None
    update: ex.Update | None = None
    projection: ex.Projection | None = None
    filter: ex.Condition | None = None
    key_condition: ex.KeyCondition | None = None


def parse_request(
    *,
    names: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    condition_expression: str | None = None,
    expected: dict[str, Any] | None = None,
    conditional_operator: str | None = None,
    update_expression: str | None = None,
    attribute_updates: dict[str, Any] | None = None,
    projection_expression: str | None = None,
    attributes_to_get: list[str] | None = None,
    filter_expression: str | None = None,
    legacy_filter: dict[str, Any] | None = None,
    legacy_filter_name: str = "QueryFilter",
    key_condition_expression: str | None = None,
    key_conditions: dict[str, Any] | None = None,
    hash_key: str | None = None,
    range_key: str | None = None,
    accepts: tuple[str, ...] = (),
) -> Parsed:
    """Parse a request's expressions; ``accepts`` names the expression parameters of the
    operation, in the order DynamoDB's messages list them."""
    legacy = {
        "Expected": expected,
        "AttributeUpdates": attribute_updates,
        "AttributesToGet": attributes_to_get,
        legacy_filter_name: legacy_filter,
        "KeyConditions": key_conditions,
    }
    expressions = {
        "ConditionExpression": condition_expression,
        "UpdateExpression": update_expression,
        "ProjectionExpression": projection_expression,
        "FilterExpression": filter_expression,
        "KeyConditionExpression": key_condition_expression,
    }
    legacy = {k: v for k, v in legacy.items() if v is not None}
    expressions = {k: v for k, v in expressions.items() if v is not None}
    ex.check_not_mixed(legacy, expressions)
    if conditional_operator is not None and expressions and not legacy:
        raise validation(
            "Can not use both expression and non-expression parameters in the same request: "
            "Non-expression parameters: {ConditionalOperator} Expression parameters: "
            "{" + ", ".join(expressions) + "}"
        )
    ex.check_names_values_usage(names, values, {name: expressions.get(name) for name in accepts})
    ctx = ex.ExpressionContext(names, values)
    out = Parsed()
    if condition_expression is not None:
        out.condition = ex.parse_condition(condition_expression, ctx)
    elif expected is not None:
        out.condition = ex.legacy_expected(expected, conditional_operator)
    if update_expression is not None:
        out.update = ex.parse_update(update_expression, ctx)
    elif attribute_updates is not None:
        out.update = ex.legacy_attribute_updates(attribute_updates)
    if projection_expression is not None:
        out.projection = ex.parse_projection(projection_expression, ctx)
    elif attributes_to_get is not None:
        out.projection = ex.legacy_projection(attributes_to_get)
    if filter_expression is not None:
        out.filter = ex.parse_filter(filter_expression, ctx)
    elif legacy_filter is not None:
        out.filter = ex.legacy_filter(legacy_filter, conditional_operator, legacy_filter_name)
    if key_condition_expression is not None:
        assert hash_key is not None
        out.key_condition = ex.parse_key_condition(
            key_condition_expression, ctx, hash_key, range_key
        )
    elif key_conditions is not None:
        assert hash_key is not None
        out.key_condition = ex.legacy_key_conditions(key_conditions, hash_key, range_key)
    ctx.check_unused()
    return out


_ALLOWED = {
    "PutItem": ("NONE", "ALL_OLD"),
    "DeleteItem": ("NONE", "ALL_OLD"),
    "UpdateItem": ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"),
}


def return_values(operation: str, value: str | None) -> str:
    """The ReturnValues of ``operation``, checked against what it allows."""
    chosen = value or "NONE"
    if chosen not in _ALLOWED[operation]:
        raise validation("Return values set to invalid value")
    return chosen
