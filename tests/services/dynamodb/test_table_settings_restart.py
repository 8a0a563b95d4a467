"""Point-in-time recovery, contributor insights, resource policies and backups survive a
restart of kumo (they live in the store)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.kumo_process import client, free_port, start_kumo

pytestmark = pytest.mark.slow


def test_settings_and_backups_survive_restart(tmp_path: Path) -> None:
    port = free_port()
    proc = start_kumo(tmp_path, port)
    try:
        ddb = client("dynamodb", port)
        arn = ddb.create_table(
            TableName="kept",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )["TableDescription"]["TableArn"]
        ddb.put_item(TableName="kept", Item={"pk": {"S": "a"}})
        ddb.update_continuous_backups(
            TableName="kept",
            PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": True,
                "RecoveryPeriodInDays": 3,
            },
        )
        ddb.update_contributor_insights(TableName="kept", ContributorInsightsAction="ENABLE")
        policy = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": "*", "Action": "dynamodb:*", "Resource": arn}
                ],
            }
        )
        revision = ddb.put_resource_policy(ResourceArn=arn, Policy=policy)["RevisionId"]
        backup = ddb.create_backup(TableName="kept", BackupName="snap")["BackupDetails"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    proc = start_kumo(tmp_path, port)
    try:
        ddb = client("dynamodb", port)
        recovery = ddb.describe_continuous_backups(TableName="kept")[
            "ContinuousBackupsDescription"
        ]["PointInTimeRecoveryDescription"]
        assert recovery["PointInTimeRecoveryStatus"] == "ENABLED"
        assert recovery["RecoveryPeriodInDays"] == 3
        insights = ddb.describe_contributor_insights(TableName="kept")
        assert insights["ContributorInsightsStatus"] == "ENABLED"
        got = ddb.get_resource_policy(ResourceArn=arn)
        assert (got["Policy"], got["RevisionId"]) == (policy, revision)
        described = ddb.describe_backup(BackupArn=backup["BackupArn"])["BackupDescription"]
        assert described["BackupDetails"]["BackupName"] == "snap"
        ddb.restore_table_from_backup(TargetTableName="copy", BackupArn=backup["BackupArn"])
        assert ddb.get_item(TableName="copy", Key={"pk": {"S": "a"}})["Item"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
