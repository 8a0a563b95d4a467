"""Metric alarms: stored, described, state set by hand, tagged, deleted."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.logs.helpers import error_of


def alarm_kwargs(name: str, namespace: str, **extra: Any) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "Namespace": namespace,
        "MetricName": "Errors",
        "Statistic": "Sum",
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "Dimensions": [{"Name": "FunctionName", "Value": "fn"}],
        **extra,
    }


@pytest.fixture
def alarm_name() -> str:
    return f"alarm-{uuid.uuid4().hex[:10]}"


def test_put_and_describe(cloudwatch: Any, namespace: str, alarm_name: str) -> None:
    cloudwatch.put_metric_alarm(
        **alarm_kwargs(alarm_name, namespace, AlarmActions=["arn:aws:sns:us-east-1:000000000000:t"])
    )
    alarms = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    assert len(alarms) == 1
    alarm = alarms[0]
    assert alarm["AlarmArn"] == f"arn:aws:cloudwatch:us-east-1:000000000000:alarm:{alarm_name}"
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert alarm["StateReason"] == "Unchecked: Initial alarm creation"
    assert alarm["ActionsEnabled"] is True
    assert alarm["Threshold"] == 1.0
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": "fn"}]
    assert "StateUpdatedTimestamp" in alarm
    by_prefix = cloudwatch.describe_alarms(AlarmNamePrefix=alarm_name[:12])["MetricAlarms"]
    assert alarm_name in [a["AlarmName"] for a in by_prefix]
    by_action = cloudwatch.describe_alarms(ActionPrefix="arn:aws:sns:us-east-1:000000000000:t")
    assert alarm_name in [a["AlarmName"] for a in by_action["MetricAlarms"]]
    for_metric = cloudwatch.describe_alarms_for_metric(
        MetricName="Errors",
        Namespace=namespace,
        Dimensions=[{"Name": "FunctionName", "Value": "fn"}],
    )["MetricAlarms"]
    assert [a["AlarmName"] for a in for_metric] == [alarm_name]


def test_set_state_and_history(cloudwatch: Any, namespace: str, alarm_name: str) -> None:
    cloudwatch.put_metric_alarm(**alarm_kwargs(alarm_name, namespace))
    cloudwatch.set_alarm_state(
        AlarmName=alarm_name,
        StateValue="ALARM",
        StateReason="testing",
        StateReasonData=json.dumps({"why": "test"}),
    )
    alarm = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"][0]
    assert (alarm["StateValue"], alarm["StateReason"]) == ("ALARM", "testing")
    in_alarm = cloudwatch.describe_alarms(StateValue="ALARM")["MetricAlarms"]
    assert alarm_name in [a["AlarmName"] for a in in_alarm]
    # updating the configuration keeps the state
    cloudwatch.put_metric_alarm(**alarm_kwargs(alarm_name, namespace, Threshold=5.0))
    alarm = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"][0]
    assert (alarm["StateValue"], alarm["Threshold"]) == ("ALARM", 5.0)
    history = cloudwatch.describe_alarm_history(AlarmName=alarm_name)["AlarmHistoryItems"]
    assert [h["HistoryItemType"] for h in history] == [
        "ConfigurationUpdate", "StateUpdate", "ConfigurationUpdate",
    ]  # fmt: skip
    states = cloudwatch.describe_alarm_history(AlarmName=alarm_name, HistoryItemType="StateUpdate")[
        "AlarmHistoryItems"
    ]
    assert states[0]["HistorySummary"] == "Alarm updated from INSUFFICIENT_DATA to ALARM"


def test_set_state_errors(cloudwatch: Any, namespace: str, alarm_name: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        cloudwatch.set_alarm_state(AlarmName=alarm_name, StateValue="OK", StateReason="x")
    assert error_of(excinfo)[0] == "ResourceNotFound"
    cloudwatch.put_metric_alarm(**alarm_kwargs(alarm_name, namespace))
    with pytest.raises(ClientError) as excinfo:
        cloudwatch.set_alarm_state(
            AlarmName=alarm_name, StateValue="OK", StateReason="x", StateReasonData="{not json"
        )
    assert error_of(excinfo)[0] == "InvalidFormat"


def test_put_errors(cloudwatch: Any, namespace: str, alarm_name: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        cloudwatch.put_metric_alarm(**alarm_kwargs(alarm_name, namespace, ExtendedStatistic="p99"))
    assert error_of(excinfo)[0] == "InvalidParameterCombination"
    kwargs = alarm_kwargs(alarm_name, namespace)
    del kwargs["Statistic"]
    with pytest.raises(ClientError) as excinfo:
        cloudwatch.put_metric_alarm(**kwargs)
    assert error_of(excinfo)[0] == "MissingParameter"


def test_actions_tags_and_delete(cloudwatch: Any, namespace: str, alarm_name: str) -> None:
    cloudwatch.put_metric_alarm(
        **alarm_kwargs(alarm_name, namespace, Tags=[{"Key": "team", "Value": "a"}])
    )
    cloudwatch.disable_alarm_actions(AlarmNames=[alarm_name])
    alarm = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"][0]
    assert alarm["ActionsEnabled"] is False
    cloudwatch.enable_alarm_actions(AlarmNames=[alarm_name])
    arn = alarm["AlarmArn"]
    assert cloudwatch.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "team", "Value": "a"}
    ]
    cloudwatch.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "dev"}])
    cloudwatch.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert cloudwatch.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "env", "Value": "dev"}
    ]
    cloudwatch.delete_alarms(AlarmNames=[alarm_name, "never-existed"])
    assert cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"] == []
    with pytest.raises(ClientError) as excinfo:
        cloudwatch.list_tags_for_resource(ResourceARN=arn)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_pagination(cloudwatch: Any, namespace: str) -> None:
    prefix = f"page-{uuid.uuid4().hex[:8]}"
    for i in range(5):
        cloudwatch.put_metric_alarm(**alarm_kwargs(f"{prefix}-{i}", namespace))
    paginator = cloudwatch.get_paginator("describe_alarms")
    names = [
        a["AlarmName"]
        for page in paginator.paginate(AlarmNamePrefix=prefix, PaginationConfig={"PageSize": 2})
        for a in page["MetricAlarms"]
    ]
    assert names == [f"{prefix}-{i}" for i in range(5)]


@pytest.mark.parametrize("protocol", ["json", "query", "smithy-rpc-v2-cbor"])
def test_metric_math_alarm_over_every_protocol(
    cloudwatch_over: Any, namespace: str, alarm_name: str, protocol: str
) -> None:
    client = cloudwatch_over(protocol)

    def stat(name: str) -> dict[str, Any]:
        return {
            "Metric": {"Namespace": namespace, "MetricName": name},
            "Period": 60,
            "Stat": "Sum",
        }

    client.put_metric_alarm(
        AlarmName=alarm_name,
        EvaluationPeriods=2,
        Threshold=5.0,
        ComparisonOperator="GreaterThanThreshold",
        Metrics=[
            {"Id": "e", "MetricStat": stat("Errors"), "ReturnData": False},
            {"Id": "r", "MetricStat": stat("Requests"), "ReturnData": False},
            {"Id": "rate", "Expression": "e / r * 100", "Label": "Error rate"},
        ],
    )
    alarm = client.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"][0]
    assert [m["Id"] for m in alarm["Metrics"]] == ["e", "r", "rate"]
    assert alarm["Metrics"][0]["MetricStat"]["Metric"]["MetricName"] == "Errors"
    assert alarm["Metrics"][2]["Expression"] == "e / r * 100"
    assert "MetricName" not in alarm
    client.delete_alarms(AlarmNames=[alarm_name])
