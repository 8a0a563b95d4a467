"""Query and Scan through boto3: key conditions, order, paging, filters, Select, segments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from tests.services.dynamodb.helpers import error_of


@pytest.fixture
def numbers(ddb: Any, new_table: Callable[..., str]) -> str:
    """A table whose partition "p" holds sk = -5..14 (numbers) with even/odd flags."""
    name = new_table(range=("sk", "N"))
    for i in range(-5, 15):
        ddb.put_item(
            TableName=name,
            Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "even": {"BOOL": i % 2 == 0}},
        )
    ddb.put_item(TableName=name, Item={"pk": {"S": "other"}, "sk": {"N": "0"}})
    return name


def sks(page: dict[str, Any]) -> list[int]:
    return [int(i["sk"]["N"]) for i in page["Items"]]


def q(ddb: Any, table: str, expr: str, **values: dict[str, str]) -> list[int]:
    return sks(
        ddb.query(
            TableName=table,
            KeyConditionExpression=expr,
            ExpressionAttributeValues={":p": {"S": "p"}, **{f":{k}": v for k, v in values.items()}},
        )
    )


def test_range_operators_sort_numerically(ddb: Any, numbers: str) -> None:
    assert q(ddb, numbers, "pk = :p") == list(range(-5, 15))
    assert q(ddb, numbers, "pk = :p AND sk < :v", v={"N": "-3"}) == [-5, -4]
    assert q(ddb, numbers, "pk = :p AND sk <= :v", v={"N": "-3"}) == [-5, -4, -3]
    assert q(ddb, numbers, "pk = :p AND sk > :v", v={"N": "12"}) == [13, 14]
    assert q(ddb, numbers, "pk = :p AND sk >= :v", v={"N": "12"}) == [12, 13, 14]
    assert q(ddb, numbers, "pk = :p AND sk = :v", v={"N": "7"}) == [7]
    assert q(ddb, numbers, "pk = :p AND sk BETWEEN :a AND :b", a={"N": "-1"}, b={"N": "2"}) == [
        -1,
        0,
        1,
        2,
    ]


def test_strings_sort_by_bytes_and_begins_with(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(range=("sk", "S"))
    for sk in ["b", "a", "ab", "a\x00", "B", "é", "abc"]:
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"S": sk}})
    page = ddb.query(
        TableName=name,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
    )
    assert [i["sk"]["S"] for i in page["Items"]] == ["B", "a", "a\x00", "ab", "abc", "b", "é"]
    page = ddb.query(
        TableName=name,
        KeyConditionExpression="pk = :p AND begins_with(sk, :a)",
        ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"S": "ab"}},
    )
    assert [i["sk"]["S"] for i in page["Items"]] == ["ab", "abc"]
    page = ddb.query(
        TableName=name,
        KeyConditionExpression="pk = :p AND sk > :a",
        ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"S": "a"}},
    )
    assert [i["sk"]["S"] for i in page["Items"]] == ["a\x00", "ab", "abc", "b", "é"]


def test_backwards_limit_and_paging(ddb: Any, numbers: str) -> None:
    seen: list[int] = []
    kwargs: dict[str, Any] = {
        "TableName": numbers,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "p"}},
        "ScanIndexForward": False,
        "Limit": 6,
    }
    while True:
        page = ddb.query(**kwargs)
        seen += sks(page)
        if "LastEvaluatedKey" not in page:
            break
        assert set(page["LastEvaluatedKey"]) == {"pk", "sk"}
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert seen == list(range(14, -6, -1))


def test_filter_applies_after_limit(ddb: Any, numbers: str) -> None:
    page = ddb.query(
        TableName=numbers,
        KeyConditionExpression="pk = :p",
        FilterExpression="even = :t",
        ExpressionAttributeValues={":p": {"S": "p"}, ":t": {"BOOL": True}},
        Limit=5,
    )
    assert page["ScannedCount"] == 5
    assert sks(page) == [-4, -2]
    assert page["Count"] == 2
    assert page["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"N": "-1"}}


def test_select_count_and_projection(ddb: Any, numbers: str) -> None:
    page = ddb.query(
        TableName=numbers,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Select="COUNT",
    )
    assert page["Count"] == 20 and "Items" not in page
    page = ddb.query(
        TableName=numbers,
        KeyConditionExpression="pk = :p AND sk = :z",
        ExpressionAttributeValues={":p": {"S": "p"}, ":z": {"N": "0"}},
        ProjectionExpression="even",
    )
    assert page["Items"] == [{"even": {"BOOL": True}}]
    with pytest.raises(ClientError) as exc:
        ddb.query(
            TableName=numbers,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
            Select="ALL_PROJECTED_ATTRIBUTES",
        )
    assert error_of(exc) == (
        "ValidationException",
        "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
    )


def test_legacy_key_conditions_and_query_filter(ddb: Any, numbers: str) -> None:
    page = ddb.query(
        TableName=numbers,
        KeyConditions={
            "pk": {"AttributeValueList": [{"S": "p"}], "ComparisonOperator": "EQ"},
            "sk": {"AttributeValueList": [{"N": "10"}], "ComparisonOperator": "GE"},
        },
        QueryFilter={"even": {"AttributeValueList": [{"BOOL": True}], "ComparisonOperator": "EQ"}},
    )
    assert sks(page) == [10, 12, 14]


def test_query_errors(ddb: Any, numbers: str) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=numbers)
    assert error_of(exc) == (
        "ValidationException",
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
        "request.",
    )
    with pytest.raises(ClientError) as exc:
        ddb.query(
            TableName=numbers,
            IndexName="nope",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
        )
    assert error_of(exc) == (
        "ValidationException",
        "The table does not have the specified index: nope",
    )


def test_gsi_query_paging_and_consistent_read(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(
        range=("sk", "N"),
        extra_attributes=[("color", "S"), ("rank", "N")],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-color",
                "KeySchema": [
                    {"AttributeName": "color", "KeyType": "HASH"},
                    {"AttributeName": "rank", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    for i in range(7):
        ddb.put_item(
            TableName=name,
            Item={
                "pk": {"S": f"k{i}"},
                "sk": {"N": "1"},
                "color": {"S": "red"},
                "rank": {"N": str(10 - i)},
            },
        )
    kwargs: dict[str, Any] = {
        "TableName": name,
        "IndexName": "by-color",
        "KeyConditionExpression": "color = :c AND #r > :r",
        "ExpressionAttributeNames": {"#r": "rank"},
        "ExpressionAttributeValues": {":c": {"S": "red"}, ":r": {"N": "4"}},
        "Limit": 4,
    }
    first = ddb.query(**kwargs)
    assert [int(i["rank"]["N"]) for i in first["Items"]] == [5, 6, 7, 8]
    assert set(first["LastEvaluatedKey"]) == {"pk", "sk", "color", "rank"}
    second = ddb.query(**kwargs, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert [int(i["rank"]["N"]) for i in second["Items"]] == [9, 10]
    with pytest.raises(ClientError) as exc:
        ddb.query(**kwargs, ConsistentRead=True)
    assert error_of(exc) == (
        "ValidationException",
        "Consistent reads are not supported on global secondary indexes",
    )


def test_lsi_reads_unprojected_attributes(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(
        range=("sk", "S"),
        extra_attributes=[("when", "N")],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-when",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "when", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    for i, sk in enumerate(["c", "a", "b"]):
        ddb.put_item(
            TableName=name,
            Item={"pk": {"S": "p"}, "sk": {"S": sk}, "when": {"N": str(i)}, "x": {"S": sk}},
        )
    base = {
        "TableName": name,
        "IndexName": "by-when",
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "p"}},
    }
    projected = ddb.query(**base)["Items"]
    assert [i["sk"]["S"] for i in projected] == ["c", "a", "b"]
    assert "x" not in projected[0]
    full = ddb.query(**base, Select="ALL_ATTRIBUTES")["Items"]
    assert [i["x"]["S"] for i in full] == ["c", "a", "b"]


def test_scan_paging_filter_and_segments(ddb: Any, numbers: str) -> None:
    everything = []
    kwargs: dict[str, Any] = {"TableName": numbers, "Limit": 7}
    while True:
        page = ddb.scan(**kwargs)
        everything += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert len(everything) == 21
    filtered = ddb.scan(
        TableName=numbers,
        FilterExpression="even = :f",
        ExpressionAttributeValues={":f": {"BOOL": False}},
    )
    assert filtered["Count"] == 10 and filtered["ScannedCount"] == 21
    segments = [ddb.scan(TableName=numbers, Segment=s, TotalSegments=3)["Items"] for s in range(3)]
    keys = sorted((i["pk"]["S"], int(i["sk"]["N"])) for seg in segments for i in seg)
    assert len(keys) == 21 and len(set(keys)) == 21
    with pytest.raises(ClientError) as exc:
        ddb.scan(TableName=numbers, Segment=3, TotalSegments=3)
    assert error_of(exc) == (
        "ValidationException",
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
        "Segment: 3 is not less than TotalSegments: 3",
    )


def test_one_megabyte_pages(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(range=("sk", "N"))
    blob = "x" * (300 * 1024)
    for i in range(5):
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "d": {"S": blob}})
    page = ddb.query(
        TableName=name,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Select="COUNT",
    )
    assert page["Count"] == 4
    assert page["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"N": "3"}}


def test_resource_layer_query_and_scan(resource: Any, ddb: Any, numbers: str) -> None:
    table = resource.Table(numbers)
    items = table.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").between(2, 4))["Items"]
    assert [int(i["sk"]) for i in items] == [2, 3, 4]
    found = table.scan(FilterExpression=Attr("pk").eq("other"))["Items"]
    assert found == [{"pk": "other", "sk": 0}]


def test_filter_may_not_use_queried_keys(ddb: Any, numbers: str) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.query(
            TableName=numbers,
            KeyConditionExpression="pk = :p",
            FilterExpression="sk > :z",
            ExpressionAttributeValues={":p": {"S": "p"}, ":z": {"N": "0"}},
        )
    assert error_of(exc) == (
        "ValidationException",
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk",
    )


def test_numbers_sort_numerically_across_scales(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(range=("sk", "N"))
    values = ["1e20", "-1e10", "0.001", "-0.5", "10", "0", "1.5", "-1E-130", "9.99E+125", "1"]
    for value in values:
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": value}})
    page = ddb.query(
        TableName=name,
        KeyConditionExpression="pk = :p AND sk > :low",
        ExpressionAttributeValues={":p": {"S": "p"}, ":low": {"N": "-1"}},
    )
    from decimal import Decimal

    got = [Decimal(i["sk"]["N"]) for i in page["Items"]]
    assert got == sorted(Decimal(v) for v in values if Decimal(v) > -1)
    assert len(got) == 9


def test_start_key_outside_the_key_condition(ddb: Any, numbers: str) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.query(
            TableName=numbers,
            KeyConditionExpression="pk = :p AND sk > :z",
            ExpressionAttributeValues={":p": {"S": "p"}, ":z": {"N": "5"}},
            ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"N": "1"}},
        )
    assert error_of(exc) == (
        "ValidationException",
        "The provided starting key is outside query boundaries based on provided conditions",
    )
