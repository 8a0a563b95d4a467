"""Point-in-time recovery, contributor insights and resource policies of tables, through boto3."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.dynamodb.helpers import error_of

ACCOUNT = "000000000000"


def _gsi_args() -> dict[str, Any]:
    return {
        "range": ("sk", "S"),
        "extra_attributes": [("g", "S")],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    }


def _arn(ddb: Any, name: str) -> str:
    arn: str = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    return arn


# -- point-in-time recovery ----------------------------------------------------------------


def test_pitr_enable_shows_in_describe(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
    out = ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )["ContinuousBackupsDescription"]
    assert out["ContinuousBackupsStatus"] == "ENABLED"
    recovery = out["PointInTimeRecoveryDescription"]
    assert recovery["PointInTimeRecoveryStatus"] == "ENABLED"
    assert recovery["RecoveryPeriodInDays"] == 35
    assert recovery["EarliestRestorableDateTime"] >= before
    assert recovery["LatestRestorableDateTime"] >= recovery["EarliestRestorableDateTime"]

    described = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    again = described["PointInTimeRecoveryDescription"]
    assert again["PointInTimeRecoveryStatus"] == "ENABLED"
    assert again["EarliestRestorableDateTime"] == recovery["EarliestRestorableDateTime"]


def test_pitr_period_change_and_disable(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    spec = {"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7}
    first = ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification=spec)
    earliest = first["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
        "EarliestRestorableDateTime"
    ]
    spec["RecoveryPeriodInDays"] = 10
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification=spec)
    recovery = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"
    ]
    assert recovery["RecoveryPeriodInDays"] == 10
    # changing only the period keeps what is already recoverable
    assert recovery["EarliestRestorableDateTime"] == earliest

    off = ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )["ContinuousBackupsDescription"]
    assert off["PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}
    described = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert described["PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}
    assert described["ContinuousBackupsStatus"] == "ENABLED"


def test_pitr_by_table_arn(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    arn = _arn(ddb, name)
    ddb.update_continuous_backups(
        TableName=arn, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    recovery = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert recovery["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_pitr_errors(ddb: Any, new_table: Callable[..., str]) -> None:
    spec = {"PointInTimeRecoveryEnabled": True}
    with pytest.raises(ClientError) as exc:
        ddb.update_continuous_backups(
            TableName="no-such-table", PointInTimeRecoverySpecification=spec
        )
    assert error_of(exc) == ("TableNotFoundException", "Table not found: no-such-table")
    with pytest.raises(ClientError) as exc:
        ddb.describe_continuous_backups(TableName="no-such-table")
    assert error_of(exc) == ("TableNotFoundException", "Table not found: no-such-table")

    name = new_table()
    with pytest.raises(ClientError) as exc:
        ddb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": True,
                "RecoveryPeriodInDays": 36,
            },
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "less than or equal to 35" in message


def test_pitr_goes_with_the_table(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    ddb.delete_table(TableName=name)
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    recovery = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert recovery["PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}


# -- contributor insights ------------------------------------------------------------------


def test_insights_default_disabled(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    out = ddb.describe_contributor_insights(TableName=name)
    assert out["TableName"] == name
    assert out["ContributorInsightsStatus"] == "DISABLED"
    assert "ContributorInsightsRuleList" not in out


def test_insights_enable_disable_table(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(range=("sk", "S"))
    out = ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="ENABLE")
    assert out["TableName"] == name
    assert out["ContributorInsightsStatus"] == "ENABLING"
    described = ddb.describe_contributor_insights(TableName=name)
    assert described["ContributorInsightsStatus"] == "ENABLED"
    assert described["ContributorInsightsMode"] == "ACCESSED_AND_THROTTLED_KEYS"
    rules = described["ContributorInsightsRuleList"]
    assert len(rules) == 4
    assert all(rule.startswith("DynamoDBContributorInsights-") for rule in rules)
    assert any(f"-PKC-{name}-" in rule for rule in rules)
    assert any(f"-SKT-{name}-" in rule for rule in rules)
    assert isinstance(described["LastUpdateDateTime"], dt.datetime)

    out = ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="DISABLE")
    assert out["ContributorInsightsStatus"] == "DISABLING"
    described = ddb.describe_contributor_insights(TableName=name)
    assert described["ContributorInsightsStatus"] == "DISABLED"
    assert "ContributorInsightsRuleList" not in described


def test_insights_throttled_mode(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    ddb.update_contributor_insights(
        TableName=name, ContributorInsightsAction="ENABLE", ContributorInsightsMode="THROTTLED_KEYS"
    )
    described = ddb.describe_contributor_insights(TableName=name)
    assert described["ContributorInsightsMode"] == "THROTTLED_KEYS"
    assert [r.split("-")[1] for r in described["ContributorInsightsRuleList"]] == ["PKT"]


def test_insights_on_index(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(**_gsi_args())
    out = ddb.update_contributor_insights(
        TableName=name, IndexName="by-g", ContributorInsightsAction="ENABLE"
    )
    assert out["IndexName"] == "by-g"
    index = ddb.describe_contributor_insights(TableName=name, IndexName="by-g")
    assert index["IndexName"] == "by-g"
    assert index["ContributorInsightsStatus"] == "ENABLED"
    table = ddb.describe_contributor_insights(TableName=name)
    assert table["ContributorInsightsStatus"] == "DISABLED"

    listed = ddb.list_contributor_insights(TableName=name)["ContributorInsightsSummaries"]
    assert listed == [
        {"TableName": name, "ContributorInsightsStatus": "DISABLED"},
        {
            "TableName": name,
            "IndexName": "by-g",
            "ContributorInsightsStatus": "ENABLED",
            "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS",
        },
    ]


def test_insights_errors(ddb: Any, new_table: Callable[..., str]) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.describe_contributor_insights(TableName="no-such-table")
    assert error_of(exc) == (
        "ResourceNotFoundException",
        "Requested resource not found: Table: no-such-table not found",
    )
    with pytest.raises(ClientError) as exc:
        ddb.update_contributor_insights(
            TableName="no-such-table", ContributorInsightsAction="ENABLE"
        )
    assert error_of(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        ddb.list_contributor_insights(TableName="no-such-table")
    assert error_of(exc)[0] == "ResourceNotFoundException"

    name = new_table()
    with pytest.raises(ClientError) as exc:
        ddb.update_contributor_insights(
            TableName=name, IndexName="nope", ContributorInsightsAction="ENABLE"
        )
    assert error_of(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="PAUSE")
    assert error_of(exc)[0] == "ValidationException"


def _all_insights(ddb: Any, **kwargs: Any) -> list[str]:
    names: list[str] = []
    while True:
        page = ddb.list_contributor_insights(**kwargs)
        names += [s["TableName"] for s in page["ContributorInsightsSummaries"]]
        if "NextToken" not in page:
            return names
        kwargs["NextToken"] = page["NextToken"]


def test_list_insights_paginates_account_wide(ddb: Any, new_table: Callable[..., str]) -> None:
    names = [new_table(prefix="ci") for _ in range(3)]
    for name in names:
        ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="ENABLE")
    seen: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 1}
    while True:
        page = ddb.list_contributor_insights(**kwargs)
        assert len(page["ContributorInsightsSummaries"]) <= 1
        seen += [s["TableName"] for s in page["ContributorInsightsSummaries"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert set(names) <= set(seen)
    assert set(names) <= set(_all_insights(ddb, MaxResults=2))


def test_insights_go_with_the_table(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(prefix="gone")
    ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="ENABLE")
    ddb.delete_table(TableName=name)
    all_names = _all_insights(ddb)
    assert name not in all_names


# -- resource policies ---------------------------------------------------------------------


def _policy(arn: str, action: str = "dynamodb:GetItem") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": action,
                    "Resource": arn,
                }
            ],
        }
    )


def test_policy_put_get_delete(ddb: Any, new_table: Callable[..., str]) -> None:
    arn = _arn(ddb, new_table())
    policy = _policy(arn)
    revision = ddb.put_resource_policy(ResourceArn=arn, Policy=policy)["RevisionId"]
    assert revision.isdigit()
    got = ddb.get_resource_policy(ResourceArn=arn)
    assert got["Policy"] == policy
    assert got["RevisionId"] == revision
    # the same document again is idempotent
    assert ddb.put_resource_policy(ResourceArn=arn, Policy=policy)["RevisionId"] == revision

    deleted = ddb.delete_resource_policy(ResourceArn=arn)
    assert deleted["RevisionId"] == revision
    with pytest.raises(ClientError) as exc:
        ddb.get_resource_policy(ResourceArn=arn)
    assert error_of(exc)[0] == "PolicyNotFoundException"
    with pytest.raises(ClientError) as exc:
        ddb.delete_resource_policy(ResourceArn=arn)
    assert error_of(exc)[0] == "PolicyNotFoundException"


def test_policy_expected_revision(ddb: Any, new_table: Callable[..., str]) -> None:
    arn = _arn(ddb, new_table())
    with pytest.raises(ClientError) as exc:
        ddb.put_resource_policy(ResourceArn=arn, Policy=_policy(arn), ExpectedRevisionId="123")
    assert error_of(exc)[0] == "PolicyNotFoundException"

    first = ddb.put_resource_policy(
        ResourceArn=arn, Policy=_policy(arn), ExpectedRevisionId="NO_POLICY"
    )["RevisionId"]
    with pytest.raises(ClientError) as exc:
        ddb.put_resource_policy(
            ResourceArn=arn, Policy=_policy(arn, "dynamodb:*"), ExpectedRevisionId="NO_POLICY"
        )
    assert error_of(exc)[0] == "PolicyNotFoundException"
    with pytest.raises(ClientError) as exc:
        ddb.put_resource_policy(
            ResourceArn=arn, Policy=_policy(arn, "dynamodb:*"), ExpectedRevisionId="1"
        )
    code, message = error_of(exc)
    assert code == "PolicyNotFoundException"
    assert first in message

    second = ddb.put_resource_policy(
        ResourceArn=arn, Policy=_policy(arn, "dynamodb:*"), ExpectedRevisionId=first
    )["RevisionId"]
    assert second != first
    assert ddb.get_resource_policy(ResourceArn=arn)["RevisionId"] == second

    with pytest.raises(ClientError) as exc:
        ddb.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=first)
    assert error_of(exc)[0] == "PolicyNotFoundException"
    assert ddb.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=second)["RevisionId"] == (
        second
    )


def test_policy_on_stream(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    table = ddb.describe_table(TableName=name)["Table"]
    stream_arn = table["LatestStreamArn"]
    ddb.put_resource_policy(ResourceArn=stream_arn, Policy=_policy(stream_arn))
    assert json.loads(ddb.get_resource_policy(ResourceArn=stream_arn)["Policy"])
    # the table's own policy is a separate one
    with pytest.raises(ClientError) as exc:
        ddb.get_resource_policy(ResourceArn=table["TableArn"])
    assert error_of(exc)[0] == "PolicyNotFoundException"


def test_policy_validation(ddb: Any, new_table: Callable[..., str]) -> None:
    arn = _arn(ddb, new_table())
    bad = [
        "not json",
        "[]",
        json.dumps({"Version": "2012-10-17"}),
        json.dumps({"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "x"}]}),
        json.dumps({"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem"}]}),
        json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*"}]}),
        _policy(arn).replace("Allow", "Allow" + " " * 21000),
    ]
    for policy in bad:
        with pytest.raises(ClientError) as exc:
            ddb.put_resource_policy(ResourceArn=arn, Policy=policy)
        assert error_of(exc)[0] == "ValidationException", policy[:40]


def test_policy_unknown_resource(ddb: Any, new_table: Callable[..., str]) -> None:
    arn = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/no-such-table"
    for call in (
        lambda: ddb.put_resource_policy(ResourceArn=arn, Policy=_policy(arn)),
        lambda: ddb.get_resource_policy(ResourceArn=arn),
        lambda: ddb.delete_resource_policy(ResourceArn=arn),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        ddb.get_resource_policy(ResourceArn="table-name")
    assert error_of(exc)[0] == "ValidationException"


def test_policy_goes_with_the_table(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table()
    arn = _arn(ddb, name)
    ddb.put_resource_policy(ResourceArn=arn, Policy=_policy(arn))
    ddb.delete_table(TableName=name)
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with pytest.raises(ClientError) as exc:
        ddb.get_resource_policy(ResourceArn=arn)
    assert error_of(exc)[0] == "PolicyNotFoundException"


def test_insights_go_with_a_dropped_index(ddb: Any, new_table: Callable[..., str]) -> None:
    name = new_table(**_gsi_args())
    ddb.update_contributor_insights(
        TableName=name, IndexName="by-g", ContributorInsightsAction="ENABLE"
    )
    ddb.update_table(
        TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-g"}}]
    )
    with pytest.raises(ClientError) as exc:
        ddb.describe_contributor_insights(TableName=name, IndexName="by-g")
    assert error_of(exc) == (
        "ResourceNotFoundException",
        "Requested resource not found: Index: by-g not found",
    )
    ddb.update_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "by-g",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            }
        ],
    )
    again = ddb.describe_contributor_insights(TableName=name, IndexName="by-g")
    assert again["ContributorInsightsStatus"] == "DISABLED"
