"""Tables through boto3: create, describe, list, update, delete, tags, TTL settings, limits."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.dynamodb.helpers import error_of

PK = [{"AttributeName": "pk", "KeyType": "HASH"}]
PK_DEF = [{"AttributeName": "pk", "AttributeType": "S"}]


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def test_create_describe_and_waiter(ddb: Any) -> None:
    name = unique()
    created = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3},
        Tags=[{"Key": "team", "Value": "counters"}],
    )["TableDescription"]
    # CreateTable answers CREATING, as DynamoDB does; the table is ACTIVE right after
    assert created["TableStatus"] == "CREATING"
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    assert created["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"
    ddb.get_waiter("table_exists").wait(TableName=name)
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["KeySchema"][1] == {"AttributeName": "sk", "KeyType": "RANGE"}
    assert table["ItemCount"] == 0 and table["TableSizeBytes"] == 0
    assert table["ProvisionedThroughput"] == {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": 5,
        "WriteCapacityUnits": 3,
    }
    assert len(table["TableId"]) == 36
    assert "BillingModeSummary" not in table
    arn = table["TableArn"]
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "counters"}
    ]


def test_create_existing_table_is_in_use(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    with pytest.raises(ClientError) as exc:
        ddb.create_table(
            TableName=name,
            AttributeDefinitions=PK_DEF,
            KeySchema=PK,
            BillingMode="PAY_PER_REQUEST",
        )
    assert error_of(exc) == ("ResourceInUseException", f"Table already exists: {name}")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {
                "AttributeDefinitions": [*PK_DEF, {"AttributeName": "x", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
            "One or more parameter values were invalid: Some AttributeDefinitions are not used. "
            "AttributeDefinitions: [pk, x], keys used: [pk]",
        ),
        (
            {
                "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
            "One or more parameter values were invalid: Some index key attributes are not "
            "defined in AttributeDefinitions. Keys: [pk], AttributeDefinitions: [a]",
        ),
        (
            {"AttributeDefinitions": PK_DEF, "BillingMode": "PROVISIONED"},
            "One or more parameter values were invalid: ReadCapacityUnits and "
            "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
        ),
        (
            {"AttributeDefinitions": PK_DEF},
            "No provisioned throughput specified for the table",
        ),
        (
            {
                "AttributeDefinitions": PK_DEF,
                "BillingMode": "PAY_PER_REQUEST",
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            },
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
            "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
        ),
        (
            {
                "AttributeDefinitions": [*PK_DEF, {"AttributeName": "g", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "gsi",
                        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "INCLUDE"},
                    }
                ],
            },
            "One or more parameter values were invalid: ProjectionType is INCLUDE, but "
            "NonKeyAttributes is not specified",
        ),
        (
            {
                "AttributeDefinitions": [*PK_DEF, {"AttributeName": "l", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
                "LocalSecondaryIndexes": [
                    {
                        "IndexName": "lsi",
                        "KeySchema": [
                            {"AttributeName": "pk", "KeyType": "HASH"},
                            {"AttributeName": "l", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
            },
            "One or more parameter values were invalid: Table KeySchema does not have a range "
            "key, which is required when specifying a LocalSecondaryIndex",
        ),
    ],
)
def test_create_table_validation(ddb: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.create_table(TableName=unique(), KeySchema=PK, **kwargs)
    assert error_of(exc) == ("ValidationException", message)


def test_bad_table_name_and_key_type(ddb: Any) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.create_table(
            TableName="bad name",
            AttributeDefinitions=PK_DEF,
            KeySchema=PK,
            BillingMode="PAY_PER_REQUEST",
        )
    assert error_of(exc) == (
        "ValidationException",
        "1 validation error detected: Value 'bad name' at 'tableName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    )


def test_indexes_stream_sse_and_protection_are_described(ddb: Any) -> None:
    name = unique()
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "N"},
            {"AttributeName": "l", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]},
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
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        SSESpecification={"Enabled": True},
        DeletionProtectionEnabled=True,
    )
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    gsi = table["GlobalSecondaryIndexes"][0]
    assert gsi["IndexStatus"] == "ACTIVE"
    assert gsi["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}
    assert gsi["IndexArn"].endswith(f"table/{name}/index/by-g")
    assert table["LocalSecondaryIndexes"][0]["IndexName"] == "by-l"
    assert "IndexStatus" not in table["LocalSecondaryIndexes"][0]
    assert table["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert table["LatestStreamArn"] == f"{table['TableArn']}/stream/{table['LatestStreamLabel']}"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["DeletionProtectionEnabled"] is True
    with pytest.raises(ClientError) as exc:
        ddb.delete_table(TableName=name)
    assert error_of(exc) == (
        "ValidationException",
        "Resource cannot be deleted as it is currently protected against deletion. Disable "
        "deletion protection first.",
    )
    unprotected = ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    assert unprotected["TableDescription"]["TableStatus"] == "ACTIVE"
    assert unprotected["TableDescription"]["DeletionProtectionEnabled"] is False
    assert ddb.delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"


def test_delete_and_describe_missing(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    ddb.delete_table(TableName=name)
    ddb.get_waiter("table_not_exists").wait(TableName=name)
    for call in (ddb.describe_table, ddb.delete_table):
        with pytest.raises(ClientError) as exc:
            call(TableName=name)
        assert error_of(exc) == (
            "ResourceNotFoundException",
            f"Requested resource not found: Table: {name} not found",
        )


def test_list_tables_pages(ddb: Any, new_table: Callable[..., str]) -> None:
    names = sorted(new_table(prefix="list") for _ in range(3))
    listed: list[str] = []
    start: str | None = None
    while True:
        kwargs: dict[str, Any] = {"Limit": 2}
        if start:
            kwargs["ExclusiveStartTableName"] = start
        page = ddb.list_tables(**kwargs)
        listed += page["TableNames"]
        start = page.get("LastEvaluatedTableName")
        if not start:
            break
    assert set(names) <= set(listed)
    assert listed == sorted(listed)
    paginated = [n for p in ddb.get_paginator("list_tables").paginate() for n in p["TableNames"]]
    assert paginated == listed


def test_update_throughput_billing_and_stream(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    with pytest.raises(ClientError) as exc:
        ddb.update_table(
            TableName=name,
            ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        )
    assert error_of(exc)[1].startswith("The provisioned throughput for the table will not change.")
    desc = ddb.update_table(
        TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 5}
    )["TableDescription"]
    assert desc["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 1
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
    desc = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    desc = ddb.update_table(
        TableName=name,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )["TableDescription"]
    first = desc["LatestStreamArn"]
    assert desc["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"
    desc = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})[
        "TableDescription"
    ]
    assert "StreamSpecification" not in desc
    assert desc["LatestStreamArn"] == first
    desc = ddb.update_table(
        TableName=name,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    assert desc["LatestStreamArn"] != first
    assert desc["LatestStreamLabel"] > first.rsplit("/", 1)[1]


def test_gsi_create_backfills_and_delete(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    for i in range(5):
        item = {"pk": {"S": f"k{i}"}}
        if i % 2 == 0:
            item["color"] = {"S": "red" if i < 3 else "blue"}
        ddb.put_item(TableName=name, Item=item)
    desc = ddb.update_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "color", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "by-color",
                    "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            }
        ],
    )["TableDescription"]
    assert desc["TableStatus"] == "UPDATING"
    assert desc["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    described = ddb.describe_table(TableName=name)["Table"]
    assert described["TableStatus"] == "ACTIVE"
    assert described["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert described["GlobalSecondaryIndexes"][0]["ItemCount"] == 3
    red = ddb.query(
        TableName=name,
        IndexName="by-color",
        KeyConditionExpression="color = :c",
        ExpressionAttributeValues={":c": {"S": "red"}},
    )
    assert sorted(i["pk"]["S"] for i in red["Items"]) == ["k0", "k2"]
    desc = ddb.update_table(
        TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-color"}}]
    )["TableDescription"]
    assert [(i["IndexName"], i["IndexStatus"]) for i in desc["GlobalSecondaryIndexes"]] == [
        ("by-color", "DELETING")
    ]
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=name)["Table"]
    assert desc["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}]


def test_tags(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    missing = arn + "-gone"
    with pytest.raises(ClientError) as exc:
        ddb.list_tags_of_resource(ResourceArn=missing)
    assert error_of(exc) == (
        "ResourceNotFoundException",
        f"Requested resource not found: ResourcArn: {missing} not found",
    )


def test_time_to_live_settings(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"
    }
    spec = {"Enabled": True, "AttributeName": "expires"}
    assert (
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=spec)[
            "TimeToLiveSpecification"
        ]
        == spec
    )
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "expires",
    }
    with pytest.raises(ClientError) as exc:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=spec)
    assert error_of(exc) == ("ValidationException", "TimeToLive is already enabled")


def test_limits_endpoints_and_backups(ddb: Any, new_table: Callable[..., str]) -> None:
    limits = ddb.describe_limits()
    assert limits["TableMaxReadCapacityUnits"] == 40000
    assert ddb.describe_endpoints()["Endpoints"][0]["CachePeriodInMinutes"] == 1440
    name = new_table()
    backups = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"


def test_resource_layer_creates_and_waits(resource: Any) -> None:
    name = unique()
    table = resource.create_table(
        TableName=name,
        AttributeDefinitions=PK_DEF,
        KeySchema=PK,
        BillingMode="PAY_PER_REQUEST",
    )
    assert table.table_status == "CREATING"
    table.wait_until_exists()
    table.reload()
    assert table.table_status == "ACTIVE"
    assert table.key_schema == PK
    table.delete()
    table.wait_until_not_exists()
