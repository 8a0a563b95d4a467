"""The legacy (pre-expression) parameters older code still sends: Expected,
AttributeUpdates, AttributesToGet, KeyConditions, QueryFilter, ScanFilter and
ConditionalOperator, with DynamoDB's errors for them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.dynamodb.helpers import error_of


def cond(operator: str, *values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"ComparisonOperator": operator}
    if values:
        out["AttributeValueList"] = list(values)
    return out


@pytest.fixture
def table(ddb: Any, new_table: Callable[..., str]) -> str:
    name = new_table(range=("sk", "S"))
    for i in range(8):
        ddb.put_item(
            TableName=name,
            Item={
                "pk": {"S": "p"},
                "sk": {"S": f"item#{i}"},
                "n": {"N": str(i)},
                "color": {"S": "red" if i % 2 else "blue"},
                "tags": {"SS": ["t", f"t{i}"]},
            },
        )
    return name


def sks(page: dict[str, Any]) -> list[str]:
    return [i["sk"]["S"] for i in page["Items"]]


def test_key_conditions_operators(ddb: Any, table: str) -> None:
    p = {"pk": cond("EQ", {"S": "p"})}
    between = ddb.query(
        TableName=table,
        KeyConditions={**p, "sk": cond("BETWEEN", {"S": "item#2"}, {"S": "item#4"})},
    )
    assert sks(between) == ["item#2", "item#3", "item#4"]
    begins = ddb.query(
        TableName=table, KeyConditions={**p, "sk": cond("BEGINS_WITH", {"S": "item#7"})}
    )
    assert sks(begins) == ["item#7"]
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=table, KeyConditions={**p, "sk": cond("NE", {"S": "x"})})
    assert error_of(exc) == (
        "ValidationException",
        "Attempted conditional constraint is not an indexable operation",
    )


def test_query_filter_with_or_and_attributes_to_get(ddb: Any, table: str) -> None:
    page = ddb.query(
        TableName=table,
        KeyConditions={"pk": cond("EQ", {"S": "p"})},
        QueryFilter={"n": cond("LT", {"N": "2"}), "color": cond("EQ", {"S": "red"})},
        ConditionalOperator="OR",
        AttributesToGet=["sk", "n"],
    )
    assert page["Items"] == [
        {"sk": {"S": f"item#{i}"}, "n": {"N": str(i)}} for i in (0, 1, 3, 5, 7)
    ]
    assert page["ScannedCount"] == 8


def test_scan_filter(ddb: Any, table: str) -> None:
    page = ddb.scan(
        TableName=table,
        ScanFilter={
            "tags": cond("CONTAINS", {"S": "t3"}),
            "n": cond("IN", {"N": "3"}, {"N": "4"}),
        },
        Select="SPECIFIC_ATTRIBUTES",
        AttributesToGet=["sk"],
    )
    assert page["Items"] == [{"sk": {"S": "item#3"}}]
    missing = ddb.scan(TableName=table, ScanFilter={"nope": cond("NULL")}, Select="COUNT")
    assert missing["Count"] == 8
    with pytest.raises(ClientError) as exc:
        ddb.scan(TableName=table, ScanFilter={"n": cond("LIKE", {"N": "1"})})
    assert error_of(exc) == (
        "ValidationException",
        "1 validation error detected: Value 'LIKE' at 'scanFilter.n.member.comparisonOperator' "
        "failed to satisfy constraint: Member must satisfy enum value set: [EQ, NE, IN, LE, LT, "
        "GE, GT, BETWEEN, NOT_NULL, NULL, CONTAINS, NOT_CONTAINS, BEGINS_WITH]",
    )
    with pytest.raises(ClientError) as exc:
        ddb.scan(
            TableName=table,
            ScanFilter={"n": cond("EQ", {"N": "1"})},
            FilterExpression="n = :n",
            ExpressionAttributeValues={":n": {"N": "1"}},
        )
    assert error_of(exc) == (
        "ValidationException",
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {ScanFilter} Expression parameters: {FilterExpression}",
    )


def test_expected_with_comparison_operators(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "p"}, "sk": {"S": "item#1"}}
    ddb.put_item(
        TableName=table,
        Item={**key, "n": {"N": "10"}, "color": {"S": "green"}},
        Expected={"n": cond("BETWEEN", {"N": "0"}, {"N": "5"}), "color": cond("EQ", {"S": "red"})},
    )
    with pytest.raises(ClientError) as exc:
        ddb.delete_item(
            TableName=table,
            Key=key,
            Expected={"n": cond("GT", {"N": "50"}), "color": cond("NOT_NULL")},
        )
    assert error_of(exc) == ("ConditionalCheckFailedException", "The conditional request failed")
    ddb.delete_item(
        TableName=table,
        Key=key,
        Expected={"n": cond("GT", {"N": "50"}), "color": cond("NOT_NULL")},
        ConditionalOperator="OR",
    )
    assert "Item" not in ddb.get_item(TableName=table, Key=key)
    with pytest.raises(ClientError) as exc:
        ddb.put_item(
            TableName=table,
            Item=key,
            Expected={"n": {"Exists": True}},
        )
    assert error_of(exc) == (
        "ValidationException",
        "One or more parameter values were invalid: Value must be provided when Exists is true "
        "for Attribute: n",
    )


def test_attribute_updates_actions(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "p"}, "sk": {"S": "item#2"}}
    out = ddb.update_item(
        TableName=table,
        Key=key,
        AttributeUpdates={
            "n": {"Action": "ADD", "Value": {"N": "5"}},
            "tags": {"Action": "DELETE", "Value": {"SS": ["t"]}},
            "color": {"Action": "DELETE"},
            "label": {"Action": "PUT", "Value": {"S": "new"}},
            "more": {"Action": "ADD", "Value": {"SS": ["a"]}},
        },
        ReturnValues="ALL_NEW",
    )["Attributes"]
    assert out == {
        **key,
        "n": {"N": "7"},
        "tags": {"SS": ["t2"]},
        "label": {"S": "new"},
        "more": {"SS": ["a"]},
    }
    with pytest.raises(ClientError) as exc:
        ddb.update_item(
            TableName=table,
            Key=key,
            AttributeUpdates={"n": {"Action": "ADD", "Value": {"N": "1"}}},
            UpdateExpression="SET n = :v",
            ExpressionAttributeValues={":v": {"N": "1"}},
        )
    assert error_of(exc) == (
        "ValidationException",
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}",
    )


def test_attributes_to_get_on_batch_get(ddb: Any, table: str) -> None:
    out = ddb.batch_get_item(
        RequestItems={
            table: {
                "Keys": [{"pk": {"S": "p"}, "sk": {"S": "item#4"}}],
                "AttributesToGet": ["color"],
            }
        }
    )
    assert out["Responses"][table] == [{"color": {"S": "blue"}}]
