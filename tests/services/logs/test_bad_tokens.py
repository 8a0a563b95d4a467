"""Tokens a client made up get a 400, never a server error."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

TOKENS = [
    "!!!",
    "abc",
    base64.urlsafe_b64encode("ĀĂ-✓".encode()).decode(),
    "f/123",
    "b/" + "9" * 56,
]


@pytest.mark.parametrize("token", TOKENS)
def test_logs_tokens(logs: Any, new_stream: Callable[..., tuple[str, str]], token: str) -> None:
    group, stream = new_stream()
    calls = [
        lambda: logs.describe_log_groups(nextToken=token),
        lambda: logs.describe_log_streams(logGroupName=group, nextToken=token),
        lambda: logs.describe_log_streams(
            logGroupName=group, orderBy="LastEventTime", nextToken=token
        ),
        lambda: logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken=token),
        lambda: logs.filter_log_events(logGroupName=group, nextToken=token),
        lambda: logs.describe_metric_filters(logGroupName=group, nextToken=token),
        lambda: logs.describe_subscription_filters(logGroupName=group, nextToken=token),
    ]
    for call in calls:
        try:
            call()
        except ClientError as exc:
            assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 400, exc.response


@pytest.mark.parametrize("token", TOKENS)
def test_cloudwatch_tokens(aws_client: Any, token: str) -> None:
    cloudwatch = aws_client("cloudwatch")
    now = dt.datetime.now(dt.UTC)
    query = {
        "Id": "m",
        "MetricStat": {
            "Metric": {"Namespace": "Kumo/None", "MetricName": "M"},
            "Period": 60,
            "Stat": "Sum",
        },
    }
    calls = [
        lambda: cloudwatch.list_metrics(NextToken=token),
        lambda: cloudwatch.describe_alarms(NextToken=token),
        lambda: cloudwatch.describe_alarm_history(NextToken=token),
        lambda: cloudwatch.get_metric_data(
            MetricDataQueries=[query], StartTime=now - dt.timedelta(hours=1), EndTime=now,
            NextToken=token,
        ),
    ]  # fmt: skip
    for call in calls:
        try:
            call()
        except ClientError as exc:
            assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 400, exc.response


def test_extreme_times(logs: Any, new_stream: Callable[..., tuple[str, str]]) -> None:
    group, stream = new_stream()
    huge, tiny = 2**63 - 1, 0
    logs.get_log_events(logGroupName=group, logStreamName=stream, startTime=tiny, endTime=huge)
    logs.filter_log_events(logGroupName=group, startTime=tiny, endTime=huge)
    logs.start_query(logGroupName=group, startTime=0, endTime=huge // 1000, queryString="limit 1")
    out = logs.put_log_events(
        logGroupName=group, logStreamName=stream, logEvents=[{"timestamp": huge, "message": "x"}]
    )
    assert out["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 0}
