"""Single items through boto3: put, get, update, delete, conditions, return values, capacity."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from tests.services.dynamodb.helpers import error_of


@pytest.fixture
def table(new_table: Callable[..., str]) -> str:
    return new_table(range=("sk", "N"))


def test_put_get_delete_roundtrip_all_types(ddb: Any, table: str) -> None:
    item = {
        "pk": {"S": "a"},
        "sk": {"N": "1.50"},
        "s": {"S": "text"},
        "n": {"N": "-0012.3400"},
        "b": {"B": b"\x00\x01bin"},
        "t": {"BOOL": True},
        "z": {"NULL": True},
        "m": {"M": {"inner": {"L": [{"S": "x"}, {"N": "2"}]}}},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"x", b"y"]},
    }
    ddb.put_item(TableName=table, Item=item)
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1.5"}})["Item"]
    assert got["n"] == {"N": "-12.34"}
    assert got["sk"] == {"N": "1.5"}
    assert got["b"] == {"B": b"\x00\x01bin"}
    assert sorted(got["bs"]["BS"]) == [b"x", b"y"]
    assert got["m"] == item["m"]
    assert ddb.describe_table(TableName=table)["Table"]["ItemCount"] == 1
    assert ddb.describe_table(TableName=table)["Table"]["TableSizeBytes"] > 0
    old = ddb.delete_item(
        TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1.5"}}, ReturnValues="ALL_OLD"
    )["Attributes"]
    assert old["s"] == {"S": "text"}
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1.5"}})
    desc = ddb.describe_table(TableName=table)["Table"]
    assert desc["ItemCount"] == 0 and desc["TableSizeBytes"] == 0


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            {"sk": {"N": "1"}},
            "One or more parameter values were invalid: Missing the key pk in the item",
        ),
        (
            {"pk": {"N": "1"}, "sk": {"N": "1"}},
            "One or more parameter values were invalid: Type mismatch for key pk expected: S "
            "actual: N",
        ),
        (
            {"pk": {"S": ""}, "sk": {"N": "1"}},
            "One or more parameter values are not valid. The AttributeValue for a key attribute "
            "cannot contain an empty string value. Key: pk",
        ),
    ],
)
def test_put_key_validation(ddb: Any, table: str, item: dict[str, Any], message: str) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item=item)
    assert error_of(exc) == ("ValidationException", message)


def test_key_must_match_schema(ddb: Any, table: str) -> None:
    for key in ({"pk": {"S": "a"}}, {"pk": {"S": "a"}, "sk": {"S": "1"}},
                {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "y"}}):  # fmt: skip
        with pytest.raises(ClientError) as exc:
            ddb.get_item(TableName=table, Key=key)
        assert error_of(exc) == (
            "ValidationException",
            "The provided key element does not match the schema",
        )


def test_missing_table(ddb: Any) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName="no-such-table", Key={"pk": {"S": "a"}})
    assert error_of(exc) == ("ResourceNotFoundException", "Requested resource not found")


def test_item_size_limit(ddb: Any, table: str) -> None:
    big = {"pk": {"S": "a"}, "sk": {"N": "1"}, "data": {"S": "x" * (400 * 1024)}}
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item=big)
    assert error_of(exc) == (
        "ValidationException",
        "Item size has exceeded the maximum allowed size",
    )


def test_conditional_put_and_failure_item(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "c"}, "sk": {"N": "1"}}
    ddb.put_item(
        TableName=table,
        Item={**key, "v": {"N": "1"}},
        ConditionExpression="attribute_not_exists(pk)",
    )
    with pytest.raises(ClientError) as exc:
        ddb.put_item(
            TableName=table,
            Item={**key, "v": {"N": "2"}},
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert error_of(exc) == ("ConditionalCheckFailedException", "The conditional request failed")
    assert exc.value.response["Item"] == {**key, "v": {"N": "1"}}
    with pytest.raises(ClientError) as exc:
        ddb.delete_item(
            TableName=table,
            Key=key,
            ConditionExpression="v = :two",
            ExpressionAttributeValues={":two": {"N": "2"}},
        )
    assert "Item" not in exc.value.response
    assert ddb.get_item(TableName=table, Key=key)["Item"]["v"] == {"N": "1"}


def test_update_expression_and_return_values(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "u"}, "sk": {"N": "1"}}
    new = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET #c = if_not_exists(#c, :zero) + :one, tags = :tags",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={
            ":zero": {"N": "0"},
            ":one": {"N": "1"},
            ":tags": {"SS": ["a"]},
        },
        ReturnValues="ALL_NEW",
    )["Attributes"]
    assert new == {**key, "count": {"N": "1"}, "tags": {"SS": ["a"]}}
    updated = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="ADD #c :five REMOVE tags",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":five": {"N": "5"}},
        ReturnValues="UPDATED_OLD",
    )["Attributes"]
    assert updated == {"count": {"N": "1"}, "tags": {"SS": ["a"]}}
    updated = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="ADD #c :five",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":five": {"N": "5"}},
        ReturnValues="UPDATED_NEW",
    )["Attributes"]
    assert updated == {"count": {"N": "11"}}
    with pytest.raises(ClientError) as exc:
        ddb.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET pk = :v",
            ExpressionAttributeValues={":v": {"S": "x"}},
        )
    assert error_of(exc) == (
        "ValidationException",
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute "
        "is part of the key",
    )


def test_return_values_allowed_per_operation(ddb: Any, table: str) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.put_item(
            TableName=table, Item={"pk": {"S": "r"}, "sk": {"N": "1"}}, ReturnValues="ALL_NEW"
        )
    assert error_of(exc) == ("ValidationException", "Return values set to invalid value")


def test_consumed_capacity(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "cap"}, "sk": {"N": "1"}}
    put = ddb.put_item(
        TableName=table,
        Item={**key, "data": {"S": "x" * 3000}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert put["ConsumedCapacity"]["TableName"] == table
    assert put["ConsumedCapacity"]["CapacityUnits"] == 3.0
    strong = ddb.get_item(
        TableName=table, Key=key, ConsistentRead=True, ReturnConsumedCapacity="TOTAL"
    )
    assert strong["ConsumedCapacity"]["CapacityUnits"] == 1.0
    eventual = ddb.get_item(TableName=table, Key=key, ReturnConsumedCapacity="INDEXES")
    assert eventual["ConsumedCapacity"]["CapacityUnits"] == 0.5
    assert eventual["ConsumedCapacity"]["Table"]["CapacityUnits"] == 0.5


def test_projection_expression(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    ddb.put_item(
        TableName=table,
        Item={**key, "a": {"M": {"b": {"S": "x"}, "c": {"S": "y"}}}, "d": {"S": "z"}},
    )
    got = ddb.get_item(TableName=table, Key=key, ProjectionExpression="a.b, d")["Item"]
    assert got == {"a": {"M": {"b": {"S": "x"}}}, "d": {"S": "z"}}
    legacy = ddb.get_item(TableName=table, Key=key, AttributesToGet=["d"])["Item"]
    assert legacy == {"d": {"S": "z"}}


def test_legacy_expected_and_attribute_updates(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "legacy"}, "sk": {"N": "1"}}
    out = ddb.update_item(
        TableName=table,
        Key=key,
        AttributeUpdates={"n": {"Action": "ADD", "Value": {"N": "3"}}},
        Expected={"n": {"Exists": False}},
        ReturnValues="UPDATED_NEW",
    )
    assert out["Attributes"] == {"n": {"N": "3"}}
    with pytest.raises(ClientError) as exc:
        ddb.update_item(
            TableName=table,
            Key=key,
            AttributeUpdates={"n": {"Action": "ADD", "Value": {"N": "3"}}},
            Expected={"n": {"Exists": False}},
        )
    assert error_of(exc)[0] == "ConditionalCheckFailedException"
    assert ddb.get_item(TableName=table, Key=key)["Item"]["n"] == {"N": "3"}


def test_gsi_is_maintained_and_sparse(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(
        extra_attributes=[("g", "S")],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    ddb.put_item(TableName=name, Item={"pk": {"S": "1"}, "g": {"S": "x"}, "other": {"S": "o"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "2"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "3"}, "g": {"S": "x"}})
    ddb.update_item(
        TableName=name,
        Key={"pk": {"S": "3"}},
        UpdateExpression="SET g = :y",
        ExpressionAttributeValues={":y": {"S": "y"}},
    )

    def in_index(value: str) -> list[dict[str, Any]]:
        return ddb.query(
            TableName=name,
            IndexName="by-g",
            KeyConditionExpression="g = :v",
            ExpressionAttributeValues={":v": {"S": value}},
        )["Items"]

    assert in_index("x") == [{"pk": {"S": "1"}, "g": {"S": "x"}}]
    assert in_index("y") == [{"pk": {"S": "3"}, "g": {"S": "y"}}]
    gsi = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
    assert gsi["ItemCount"] == 2
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=name, Item={"pk": {"S": "4"}, "g": {"N": "1"}})
    assert error_of(exc) == (
        "ValidationException",
        "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S "
        "Actual: N IndexName: by-g",
    )
    ddb.delete_item(TableName=name, Key={"pk": {"S": "1"}})
    assert in_index("x") == []


def test_resource_layer(resource: Any, new_table: Callable[..., str]) -> None:
    table = resource.Table(new_table(range=("sk", "N")))
    table.put_item(Item={"pk": "r", "sk": 1, "price": Decimal("9.99"), "tags": {"a", "b"}})
    table.update_item(
        Key={"pk": "r", "sk": 1},
        UpdateExpression="SET price = price + :d",
        ConditionExpression=Attr("price").gt(5),
        ExpressionAttributeValues={":d": Decimal("0.01")},
    )
    item = table.get_item(Key={"pk": "r", "sk": 1})["Item"]
    assert item["price"] == Decimal("10")
    assert item["tags"] == {"a", "b"}
    with pytest.raises(ClientError) as exc:
        table.delete_item(Key={"pk": "r", "sk": 1}, ConditionExpression=Attr("price").lt(5))
    assert exc.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    with table.batch_writer() as writer:
        for i in range(30):
            writer.put_item(Item={"pk": "batch", "sk": i})
    assert table.item_count == 31


def test_index_capacity_and_collection_metrics(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(
        range=("sk", "S"),
        extra_attributes=[("g", "S"), ("l", "S")],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-l",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    out = ddb.put_item(
        TableName=name,
        Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": "x"}},
        ReturnConsumedCapacity="INDEXES",
        ReturnItemCollectionMetrics="SIZE",
    )
    consumed = out["ConsumedCapacity"]
    assert consumed["Table"]["CapacityUnits"] == 1.0
    assert consumed["GlobalSecondaryIndexes"] == {"by-g": {"CapacityUnits": 1.0}}
    assert "LocalSecondaryIndexes" not in consumed
    assert consumed["CapacityUnits"] == 2.0
    metrics = out["ItemCollectionMetrics"]
    assert metrics["ItemCollectionKey"] == {"pk": {"S": "a"}}
    assert len(metrics["SizeEstimateRangeGB"]) == 2


def test_mixed_and_unused_expression_parameters(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "m"}, "sk": {"N": "1"}}
    with pytest.raises(ClientError) as exc:
        ddb.put_item(
            TableName=table,
            Item=key,
            Expected={"pk": {"Exists": False}},
            ConditionExpression="attribute_not_exists(pk)",
        )
    assert error_of(exc) == (
        "ValidationException",
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}",
    )
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item=key, ExpressionAttributeValues={":v": {"S": "x"}})
    assert error_of(exc) == (
        "ValidationException",
        "ExpressionAttributeValues can only be specified when using expressions: "
        "ConditionExpression is null",
    )
    with pytest.raises(ClientError) as exc:
        ddb.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET a = :a",
            ExpressionAttributeValues={":a": {"S": "x"}, ":unused": {"S": "y"}},
        )
    assert error_of(exc) == (
        "ValidationException",
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}",
    )


def test_key_size_limits(ddb: Any, table: str) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "x" * 2049}, "sk": {"N": "1"}})
    assert error_of(exc) == (
        "ValidationException",
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
        "size limit of2048 bytes",
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "x" * 2048}, "sk": {"N": "1"}})


def test_aws_cli_put_and_get(aws_cli: Any, table: str) -> None:
    aws_cli(
        "dynamodb", "put-item", "--table-name", table,
        "--item", '{"pk": {"S": "cli"}, "sk": {"N": "1"}, "v": {"S": "hello"}}',
    )  # fmt: skip
    out = aws_cli(
        "dynamodb", "get-item", "--table-name", table,
        "--key", '{"pk": {"S": "cli"}, "sk": {"N": "1"}}',
    )  # fmt: skip
    assert '"hello"' in out.stdout


def test_updated_values_keep_nesting(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "nest"}, "sk": {"N": "1"}}
    ddb.put_item(
        TableName=table,
        Item={**key, "a": {"M": {"b": {"N": "1"}, "c": {"S": "keep"}}}, "l": {"L": [{"N": "0"}]}},
    )
    out = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET a.b = a.b + :one, l[0] = :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="UPDATED_NEW",
    )["Attributes"]
    assert out == {"a": {"M": {"b": {"N": "2"}}}, "l": {"L": [{"N": "1"}]}}


def test_update_that_only_removes_does_not_create(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "ghost"}, "sk": {"N": "1"}}
    ddb.update_item(TableName=table, Key=key, UpdateExpression="REMOVE a")
    ddb.update_item(TableName=table, Key=key, AttributeUpdates={"a": {"Action": "DELETE"}})
    assert "Item" not in ddb.get_item(TableName=table, Key=key)
    ddb.update_item(TableName=table, Key=key)  # an empty update creates the item
    assert ddb.get_item(TableName=table, Key=key)["Item"] == key
