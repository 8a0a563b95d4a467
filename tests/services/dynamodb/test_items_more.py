"""More single-item rules through boto3: PutItem's ReturnValues, the sort key size limit,
the item size limit on UpdateItem, and index throughput updates by UpdateTable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.dynamodb.helpers import error_of


def test_put_item_returns_the_replaced_item(ddb: Any, new_table: Callable[..., str]) -> None:
    table = new_table()
    first = ddb.put_item(
        TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "1"}}, ReturnValues="ALL_OLD"
    )
    assert "Attributes" not in first
    second = ddb.put_item(
        TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "2"}}, ReturnValues="ALL_OLD"
    )
    assert second["Attributes"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    none = ddb.put_item(TableName=table, Item={"pk": {"S": "a"}}, ReturnValues="NONE")
    assert "Attributes" not in none
    for mode in ("UPDATED_OLD", "UPDATED_NEW", "ALL_NEW"):
        with pytest.raises(ClientError) as exc:
            ddb.delete_item(TableName=table, Key={"pk": {"S": "a"}}, ReturnValues=mode)
        assert error_of(exc) == ("ValidationException", "Return values set to invalid value")


def test_sort_key_size_limit(ddb: Any, new_table: Callable[..., str]) -> None:
    table = new_table(range=("sk", "S"))
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "x" * 1024}})
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "x" * 1025}})
    assert error_of(exc) == (
        "ValidationException",
        "One or more parameter values were invalid: Aggregated size of all range keys has "
        "exceeded the size limit of 1024 bytes",
    )


def test_update_may_not_grow_an_item_past_400_kb(ddb: Any, new_table: Callable[..., str]) -> None:
    table = new_table()
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "d": {"S": "x" * (300 * 1024)}})
    with pytest.raises(ClientError) as exc:
        ddb.update_item(
            TableName=table,
            Key={"pk": {"S": "a"}},
            UpdateExpression="SET e = :e",
            ExpressionAttributeValues={":e": {"S": "y" * (150 * 1024)}},
        )
    assert error_of(exc) == (
        "ValidationException",
        "Item size to update has exceeded the maximum allowed size",
    )
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]
    assert "e" not in got


def test_update_gsi_throughput(ddb: Any, new_table: Callable[..., str]) -> None:
    table = new_table(
        extra_attributes=[("g", "S")],
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            }
        ],
    )
    desc = ddb.update_table(
        TableName=table,
        GlobalSecondaryIndexUpdates=[
            {
                "Update": {
                    "IndexName": "by-g",
                    "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
                }
            }
        ],
    )["TableDescription"]
    assert desc["TableStatus"] == "UPDATING"
    index = ddb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"][0]
    assert index["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert index["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    with pytest.raises(ClientError) as exc:
        ddb.update_table(
            TableName=table,
            GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}],
        )
    assert error_of(exc) == (
        "ResourceNotFoundException",
        "Requested resource not found: Index: nope not found",
    )


def test_batch_and_transaction_collection_metrics(ddb: Any, new_table: Callable[..., str]) -> None:
    lsi = new_table(
        range=("sk", "S"),
        extra_attributes=[("l", "S")],
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
    plain = new_table()
    out = ddb.batch_write_item(
        RequestItems={
            lsi: [{"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"S": "1"}}}}],
            plain: [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}],
        },
        ReturnItemCollectionMetrics="SIZE",
    )
    assert list(out["ItemCollectionMetrics"]) == [lsi]
    [metrics] = out["ItemCollectionMetrics"][lsi]
    assert metrics["ItemCollectionKey"] == {"pk": {"S": "a"}}
    low, high = metrics["SizeEstimateRangeGB"]
    assert 0 <= low < high
    out = ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": lsi, "Item": {"pk": {"S": "b"}, "sk": {"S": "1"}}}}],
        ReturnItemCollectionMetrics="SIZE",
    )
    assert out["ItemCollectionMetrics"][lsi][0]["ItemCollectionKey"] == {"pk": {"S": "b"}}


def test_switch_to_provisioned_billing(ddb: Any, new_table: Callable[..., str]) -> None:
    table = new_table()
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=table, BillingMode="PROVISIONED")
    assert error_of(exc) == (
        "ValidationException",
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
        "must both be specified when BillingMode is PROVISIONED",
    )
    desc = ddb.update_table(
        TableName=table,
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
    )["TableDescription"]
    assert desc["TableStatus"] == "UPDATING"
    table_now = ddb.describe_table(TableName=table)["Table"]
    assert table_now["TableStatus"] == "ACTIVE"
    assert table_now["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert table_now["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
