"""On-demand backups and restores of tables, through boto3."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.dynamodb.helpers import error_of


def _fill(ddb: Any, name: str, count: int) -> None:
    for n in range(count):
        ddb.put_item(
            TableName=name,
            Item={
                "pk": {"S": f"p{n}"},
                "sk": {"S": "s"},
                "g": {"S": f"g{n % 2}"},
                "blob": {"B": bytes([n])},
            },
        )


def _gsi_table(new_table: Callable[..., str], **kwargs: Any) -> str:
    return new_table(
        range=("sk", "S"),
        extra_attributes=[("g", "S")],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        **kwargs,
    )


def _target() -> str:
    return f"restored-{uuid.uuid4().hex[:12]}"


def test_create_describe_backup(ddb: Any, new_table: Callable[..., str]) -> None:
    name = _gsi_table(new_table)
    _fill(ddb, name, 3)
    table = ddb.describe_table(TableName=name)["Table"]
    details = ddb.create_backup(TableName=name, BackupName="nightly")["BackupDetails"]
    assert details["BackupName"] == "nightly"
    assert details["BackupArn"].startswith(f"{table['TableArn']}/backup/")
    assert details["BackupStatus"] == "AVAILABLE"
    assert details["BackupType"] == "USER"
    assert details["BackupSizeBytes"] == table["TableSizeBytes"]
    assert isinstance(details["BackupCreationDateTime"], dt.datetime)

    desc = ddb.describe_backup(BackupArn=details["BackupArn"])["BackupDescription"]
    assert desc["BackupDetails"] == details
    source = desc["SourceTableDetails"]
    assert source["TableName"] == name
    assert source["TableId"] == table["TableId"]
    assert source["TableArn"] == table["TableArn"]
    assert source["ItemCount"] == 3
    assert source["KeySchema"] == table["KeySchema"]
    assert source["BillingMode"] == "PAY_PER_REQUEST"
    features = desc["SourceTableFeatureDetails"]
    assert features["GlobalSecondaryIndexes"][0]["IndexName"] == "by-g"
    assert features["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}


def test_restore_copies_items_and_indexes(ddb: Any, new_table: Callable[..., str]) -> None:
    name = _gsi_table(new_table)
    _fill(ddb, name, 5)
    arn = ddb.create_backup(TableName=name, BackupName="snap")["BackupDetails"]["BackupArn"]
    # changes after the backup are not in it
    ddb.delete_item(TableName=name, Key={"pk": {"S": "p0"}, "sk": {"S": "s"}})

    target = _target()
    desc = ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)["TableDescription"]
    assert desc["TableName"] == target
    assert desc["RestoreSummary"]["SourceBackupArn"] == arn
    assert desc["RestoreSummary"]["SourceTableArn"].endswith(f":table/{name}")
    ddb.get_waiter("table_exists").wait(TableName=target, WaiterConfig={"Delay": 1})
    restored = ddb.describe_table(TableName=target)["Table"]
    assert restored["TableStatus"] == "ACTIVE"
    assert restored["ItemCount"] == 5
    assert restored["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert restored["RestoreSummary"]["RestoreInProgress"] is False
    got = ddb.get_item(TableName=target, Key={"pk": {"S": "p0"}, "sk": {"S": "s"}})["Item"]
    assert got["blob"] == {"B": bytes([0])}
    by_g = ddb.query(
        TableName=target,
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "g0"}},
    )
    assert by_g["Count"] == 3


def test_restore_overrides(ddb: Any, new_table: Callable[..., str]) -> None:
    name = _gsi_table(new_table)
    _fill(ddb, name, 2)
    arn = ddb.create_backup(TableName=name, BackupName="snap")["BackupDetails"]["BackupArn"]
    target = _target()
    ddb.restore_table_from_backup(
        TargetTableName=target,
        BackupArn=arn,
        BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
        GlobalSecondaryIndexOverride=[],
    )
    restored = ddb.describe_table(TableName=target)["Table"]
    assert restored["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert restored["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    assert "GlobalSecondaryIndexes" not in restored
    assert restored["ItemCount"] == 2


def test_restored_table_has_no_stream_or_ttl(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    arn = ddb.create_backup(TableName=name, BackupName="snap")["BackupDetails"]["BackupArn"]
    features = ddb.describe_backup(BackupArn=arn)["BackupDescription"]["SourceTableFeatureDetails"]
    assert features["StreamDescription"]["StreamViewType"] == "KEYS_ONLY"
    assert features["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
    target = _target()
    ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    restored = ddb.describe_table(TableName=target)["Table"]
    assert "StreamSpecification" not in restored
    ttl = ddb.describe_time_to_live(TableName=target)["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "DISABLED"


def test_list_and_delete_backups(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    arns = [
        ddb.create_backup(TableName=name, BackupName=f"bak{n}")["BackupDetails"]["BackupArn"]
        for n in range(3)
    ]
    listed = ddb.list_backups(TableName=name)["BackupSummaries"]
    assert [s["BackupArn"] for s in listed] == arns
    assert listed[0]["TableName"] == name
    assert listed[0]["BackupName"] == "bak0"

    page = ddb.list_backups(TableName=name, Limit=2)
    assert [s["BackupArn"] for s in page["BackupSummaries"]] == arns[:2]
    assert page["LastEvaluatedBackupArn"] == arns[1]
    rest = ddb.list_backups(TableName=name, ExclusiveStartBackupArn=arns[1])
    assert [s["BackupArn"] for s in rest["BackupSummaries"]] == arns[2:]
    assert "LastEvaluatedBackupArn" not in rest

    assert ddb.list_backups(TableName=name, BackupType="SYSTEM")["BackupSummaries"] == []
    future = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert ddb.list_backups(TableName=name, TimeRangeLowerBound=future)["BackupSummaries"] == []
    assert len(ddb.list_backups(TableName=name, TimeRangeUpperBound=future)["BackupSummaries"]) == 3

    deleted = ddb.delete_backup(BackupArn=arns[0])["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    assert len(ddb.list_backups(TableName=name)["BackupSummaries"]) == 2
    with pytest.raises(ClientError) as exc:
        ddb.describe_backup(BackupArn=arns[0])
    assert error_of(exc) == ("BackupNotFoundException", f"Backup not found: {arns[0]}")


def test_backup_outlives_its_table(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(range=("sk", "S"))
    _fill(ddb, name, 2)
    arn = ddb.create_backup(TableName=name, BackupName="keep")["BackupDetails"]["BackupArn"]
    ddb.delete_table(TableName=name)
    assert ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupArn"]
    # restore under the deleted table's own name
    ddb.restore_table_from_backup(TargetTableName=name, BackupArn=arn)
    assert ddb.describe_table(TableName=name)["Table"]["ItemCount"] == 2


def test_backup_errors(ddb: Any, new_table: Callable[..., str]) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.create_backup(TableName="no-such-table", BackupName="x12")
    assert error_of(exc) == ("TableNotFoundException", "Table not found: no-such-table")
    name = new_table()
    with pytest.raises(ClientError) as exc:
        ddb.create_backup(TableName=name, BackupName="bad name!")
    assert error_of(exc)[0] == "ValidationException"

    arn = ddb.create_backup(TableName=name, BackupName="snap")["BackupDetails"]["BackupArn"]
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_from_backup(TargetTableName=name, BackupArn=arn)
    assert error_of(exc) == ("TableAlreadyExistsException", f"Table already exists: {name}")

    missing = arn[:-8] + "00000000"
    for call in (
        lambda: ddb.describe_backup(BackupArn=missing),
        lambda: ddb.delete_backup(BackupArn=missing),
        lambda: ddb.restore_table_from_backup(TargetTableName=_target(), BackupArn=missing),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("BackupNotFoundException", f"Backup not found: {missing}")


def test_restore_provisioned_table_with_indexes(ddb: Any, new_table: Callable[..., str]) -> None:
    throughput = {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3}
    name = new_table(
        range=("sk", "S"),
        extra_attributes=[("g", "S")],
        BillingMode="PROVISIONED",
        ProvisionedThroughput=throughput,
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": throughput,
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-pk-g",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "g", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    _fill(ddb, name, 4)
    arn = ddb.create_backup(TableName=name, BackupName="snap")["BackupDetails"]["BackupArn"]
    features = ddb.describe_backup(BackupArn=arn)["BackupDescription"]["SourceTableFeatureDetails"]
    assert features["LocalSecondaryIndexes"][0]["IndexName"] == "by-pk-g"
    assert features["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"] == throughput
    target = _target()
    ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    restored = ddb.describe_table(TableName=target)["Table"]
    assert restored["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
    gsi = restored["GlobalSecondaryIndexes"][0]
    assert (gsi["IndexName"], gsi["ItemCount"]) == ("by-g", 4)
    assert gsi["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
    lsi = restored["LocalSecondaryIndexes"][0]
    assert (lsi["IndexName"], lsi["ItemCount"]) == ("by-pk-g", 4)

    # switching to provisioned without capacity for the source's on-demand indexes fails
    # the way CreateTable does, never with a server error
    on_demand = _gsi_table(new_table)
    arn = ddb.create_backup(TableName=on_demand, BackupName="snap")["BackupDetails"]["BackupArn"]
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_from_backup(
            TargetTableName=_target(),
            BackupArn=arn,
            BillingModeOverride="PROVISIONED",
            ProvisionedThroughputOverride=throughput,
        )
    assert error_of(exc)[0] == "ValidationException"
