"""boto3's resource layer against kumo: ``Table`` with ``boto3.dynamodb.conditions``,
``batch_writer``, TypeSerializer/TypeDeserializer and Decimal numbers."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from tests.services.dynamodb.helpers import error_of


@pytest.fixture
def table(resource: Any, new_table: Callable[..., str]) -> Any:
    name = new_table(
        range=("sk", "N"),
        extra_attributes=[("owner", "S"), ("rank", "N")],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-owner",
                "KeySchema": [
                    {"AttributeName": "owner", "KeyType": "HASH"},
                    {"AttributeName": "rank", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["title"]},
            }
        ],
    )
    return resource.Table(name)


def fill(table: Any, count: int = 20) -> None:
    with table.batch_writer() as writer:
        for i in range(count):
            writer.put_item(
                Item={
                    "pk": "doc" if i < count // 2 else "other",
                    "sk": i,
                    "owner": f"user{i % 3}",
                    "rank": Decimal(i) / 4,
                    "title": f"title {i:02d}",
                    "tags": {"even" if i % 2 == 0 else "odd", "all"},
                    "body": "x" * i,
                }
            )


def test_types_round_trip_through_serializer(table: Any, ddb: Any) -> None:
    item = {
        "pk": "types",
        "sk": Decimal("12345678901234567890123456789012345678"),
        "small": Decimal("1E-130"),
        "big": Decimal("1.5E+37"),
        "neg": Decimal("-0.000100"),
        "flag": True,
        "nothing": None,
        "blob": Binary(b"\x00\xff"),
        "strings": {"a", "b"},
        "numbers": {Decimal(1), Decimal("2.5")},
        "blobs": {Binary(b"x"), Binary(b"y")},
        "nested": {"list": [Decimal(1), "two", {"three": [True, None]}], "empty": {}},
        "empty_list": [],
        "empty_string": "",
    }
    table.put_item(Item=item)
    got = table.get_item(Key={"pk": "types", "sk": item["sk"]}, ConsistentRead=True)["Item"]
    assert got["neg"] == Decimal("-0.0001")
    assert got == {**item, "neg": Decimal("-0.0001")}
    # the client sees DynamoDB's canonical wire form, which TypeDeserializer reads back
    key = TypeSerializer().serialize({"pk": "types", "sk": item["sk"]})["M"]
    raw = ddb.get_item(TableName=table.name, Key=key)["Item"]
    assert raw["neg"] == {"N": "-0.0001"}
    assert raw["big"] == {"N": "15000000000000000000000000000000000000"}
    deserializer = TypeDeserializer()
    assert {k: deserializer.deserialize(v) for k, v in raw.items()} == got


def test_large_exponents_come_back_in_plain_form(ddb: Any, table: Any) -> None:
    # DynamoDB answers numbers without an exponent: 1E+125 comes back as 126 digits
    # (which boto3's TypeDeserializer cannot read back, a known boto3 limitation)
    key = {"pk": {"S": "plain"}, "sk": {"N": "1"}}
    ddb.put_item(TableName=table.name, Item={**key, "v": {"N": "9.99E+125"}, "w": {"N": "1E-5"}})
    got = ddb.get_item(TableName=table.name, Key=key)["Item"]
    assert got["v"] == {"N": "999" + "0" * 123}
    assert got["w"] == {"N": "0.00001"}


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("123456789012345678901234567890123456789", "Attempting to store more than 38 "
         "significant digits in a Number"),
        ("1E+126", "Number overflow. Attempting to store a number with magnitude larger than "
         "supported range"),
        ("1E-131", "Number underflow. Attempting to store a number with magnitude smaller than "
         "supported range"),
        ("abc", "The parameter cannot be converted to a numeric value: abc"),
    ],
)  # fmt: skip
def test_numbers_out_of_range_are_rejected(table: Any, ddb: Any, number: str, message: str) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.put_item(
            TableName=table.name,
            Item={"pk": {"S": "n"}, "sk": {"N": "1"}, "v": {"N": number}},
        )
    assert error_of(exc) == ("ValidationException", message)


def test_empty_sets_and_key_values_are_rejected(table: Any, ddb: Any) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.put_item(
            TableName=table.name,
            Item={"pk": {"S": "e"}, "sk": {"N": "1"}, "tags": {"SS": []}},
        )
    assert error_of(exc) == (
        "ValidationException",
        "One or more parameter values were invalid: An string set  may not be empty",
    )
    with pytest.raises(ClientError) as exc:
        table.put_item(Item={"pk": "", "sk": 1})
    assert error_of(exc) == (
        "ValidationException",
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty string value. Key: pk",
    )


def test_key_conditions(table: Any) -> None:
    fill(table)

    def sks(condition: Any, **kwargs: Any) -> list[int]:
        items = table.query(KeyConditionExpression=condition, **kwargs)["Items"]
        return [int(i["sk"]) for i in items]

    doc = Key("pk").eq("doc")
    assert sks(doc) == list(range(10))
    assert sks(doc & Key("sk").eq(3)) == [3]
    assert sks(doc & Key("sk").lt(3)) == [0, 1, 2]
    assert sks(doc & Key("sk").lte(3)) == [0, 1, 2, 3]
    assert sks(doc & Key("sk").gt(7)) == [8, 9]
    assert sks(doc & Key("sk").gte(7)) == [7, 8, 9]
    assert sks(doc & Key("sk").between(2, 4)) == [2, 3, 4]
    assert sks(doc, ScanIndexForward=False, Limit=3) == [9, 8, 7]
    count = table.query(KeyConditionExpression=doc, Select="COUNT")
    assert count["Count"] == 10 and "Items" not in count
    titles = table.query(
        KeyConditionExpression=Key("owner").eq("user1") & Key("rank").between(Decimal("0.5"), 3),
        IndexName="by-owner",
    )["Items"]
    assert [t["title"] for t in titles] == ["title 04", "title 07", "title 10"]
    assert set(titles[0]) == {"pk", "sk", "owner", "rank", "title"}


def test_begins_with_on_string_range_keys(resource: Any, new_table: Callable[..., str]) -> None:
    table = resource.Table(new_table(range=("sk", "S")))
    for sk in ("a", "ab", "abc", "b", "ab\u00e9", "a\U0001f600"):
        table.put_item(Item={"pk": "p", "sk": sk})
    got = table.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").begins_with("ab"))
    assert [i["sk"] for i in got["Items"]] == ["ab", "abc", "ab\u00e9"]
    everything = table.query(KeyConditionExpression=Key("pk").eq("p"))["Items"]
    # UTF-8 byte order: the emoji (F0 ...) sorts after "é" (C3 A9) and every ASCII letter
    assert [i["sk"] for i in everything] == ["a", "ab", "abc", "ab\u00e9", "a\U0001f600", "b"]


def test_filter_conditions(table: Any) -> None:
    fill(table)

    def scan(condition: Any) -> list[int]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"FilterExpression": condition}
        while True:
            page = table.scan(**kwargs)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(int(i["sk"]) for i in items)

    assert scan(Attr("tags").contains("even") & Attr("sk").lt(6)) == [0, 2, 4]
    assert scan(Attr("body").size().gt(17)) == [18, 19]
    assert scan(Attr("owner").is_in(["user0"]) & ~Attr("pk").eq("other")) == [0, 3, 6, 9]
    assert scan(Attr("title").begins_with("title 1")) == list(range(10, 20))
    assert scan(Attr("missing").not_exists() & Attr("sk").between(0, 1)) == [0, 1]
    assert scan(Attr("body").exists() & Attr("sk").eq(5)) == [5]
    assert scan(Attr("rank").attribute_type("N") & Attr("sk").gte(18)) == [18, 19]
    assert scan(Attr("sk").eq(1) | Attr("sk").eq(2)) == [1, 2]
    assert scan(Attr("sk").ne(0) & Attr("sk").lte(2)) == [1, 2]
    assert scan(Attr("owner").contains("user2") & Attr("sk").lt(6)) == [2, 5]


def test_query_pages_and_parallel_scan(table: Any) -> None:
    fill(table, 40)
    seen: list[int] = []
    kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq("other"), "Limit": 7}
    pages = 0
    while True:
        page = table.query(**kwargs)
        pages += 1
        seen += [int(i["sk"]) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            break
        assert set(page["LastEvaluatedKey"]) == {"pk", "sk"}
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert seen == list(range(20, 40))
    assert pages == 3
    segments = []
    for segment in range(4):
        items = table.scan(Segment=segment, TotalSegments=4)["Items"]
        segments.append({(i["pk"], int(i["sk"])) for i in items})
    union = set().union(*segments)
    assert len(union) == 40 and sum(len(s) for s in segments) == 40


def test_update_return_values(table: Any) -> None:
    table.put_item(Item={"pk": "u", "sk": 1, "profile": {"name": "ann", "visits": 1}, "keep": "me"})
    out = table.update_item(
        Key={"pk": "u", "sk": 1},
        UpdateExpression="SET profile.visits = profile.visits + :one, #n = :n ADD hits :one",
        ExpressionAttributeNames={"#n": "nick"},
        ExpressionAttributeValues={":one": 1, ":n": "a"},
        ReturnValues="UPDATED_NEW",
    )
    assert out["Attributes"] == {"profile": {"visits": 2}, "nick": "a", "hits": 1}
    out = table.update_item(
        Key={"pk": "u", "sk": 1},
        UpdateExpression="REMOVE profile.#n SET hits = hits + :one",
        ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={":one": 1},
        ReturnValues="UPDATED_OLD",
    )
    assert out["Attributes"] == {"profile": {"name": "ann"}, "hits": 1}
    all_old = table.update_item(
        Key={"pk": "u", "sk": 1},
        UpdateExpression="SET keep = :v",
        ExpressionAttributeValues={":v": "changed"},
        ReturnValues="ALL_OLD",
    )["Attributes"]
    assert all_old["keep"] == "me" and all_old["hits"] == 2
    with pytest.raises(ClientError) as exc:
        table.update_item(
            Key={"pk": "u", "sk": 1},
            UpdateExpression="SET keep = :v",
            ConditionExpression=Attr("hits").gt(100),
            ExpressionAttributeValues={":v": "again"},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert error_of(exc)[0] == "ConditionalCheckFailedException"
    assert exc.value.response["Item"]["keep"] == {"S": "changed"}
    deleted = table.delete_item(Key={"pk": "u", "sk": 1}, ReturnValues="ALL_OLD")
    assert deleted["Attributes"]["keep"] == "changed"
    assert "Attributes" not in table.delete_item(Key={"pk": "u", "sk": 1}, ReturnValues="ALL_OLD")


def test_batch_writer_and_batch_get(resource: Any, table: Any) -> None:
    with table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as writer:
        for i in range(60):
            writer.put_item(Item={"pk": "bw", "sk": i, "v": i})
        writer.put_item(Item={"pk": "bw", "sk": 0, "v": 100})  # replaces the first put
        writer.delete_item(Key={"pk": "bw", "sk": 59})
    table.reload()
    assert table.item_count == 59
    assert table.table_size_bytes > 0
    got = resource.batch_get_item(
        RequestItems={
            table.name: {
                "Keys": [{"pk": "bw", "sk": i} for i in (0, 1, 59)],
                "ProjectionExpression": "sk, v",
            }
        }
    )
    items = sorted(got["Responses"][table.name], key=lambda i: i["sk"])
    assert items == [{"sk": 0, "v": 100}, {"sk": 1, "v": 1}]
    assert got["UnprocessedKeys"] == {}
    with table.batch_writer() as writer:
        for i in range(59):
            writer.delete_item(Key={"pk": "bw", "sk": i})
    table.reload()
    assert table.item_count == 0 and table.table_size_bytes == 0


def test_table_attributes_and_errors(resource: Any, table: Any) -> None:
    assert table.table_status == "ACTIVE"
    assert table.key_schema == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert table.global_secondary_indexes[0]["IndexName"] == "by-owner"
    assert table.billing_mode_summary["BillingMode"] == "PAY_PER_REQUEST"
    with pytest.raises(ClientError) as exc:
        table.get_item(Key={"pk": "x"})
    assert error_of(exc) == (
        "ValidationException",
        "The provided key element does not match the schema",
    )
    with pytest.raises(ClientError) as exc:
        table.query(KeyConditionExpression=Key("pk").eq(1))
    assert error_of(exc) == (
        "ValidationException",
        "One or more parameter values were invalid: Condition parameter type does not match "
        "schema type",
    )
    with pytest.raises(ClientError) as exc:
        table.query(KeyConditionExpression=Key("sk").eq(1))
    assert error_of(exc)[0] == "ValidationException"
    missing = resource.Table("no-such-table-here")
    with pytest.raises(ClientError) as exc:
        missing.load()
    assert error_of(exc) == (
        "ResourceNotFoundException",
        "Requested resource not found: Table: no-such-table-here not found",
    )
