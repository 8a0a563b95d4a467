"""Metric filters (matching events become CloudWatch metrics), EMF lines, subscription
filters."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.logs.helpers import error_of, now_ms

FIXTURES = Path(__file__).parents[2] / "observe" / "fixtures"


def transformation(namespace: str, **extra: Any) -> dict[str, Any]:
    return {"metricName": "Errors", "metricNamespace": namespace, "metricValue": "1", **extra}


def metric_sum(cloudwatch: Any, namespace: str, name: str, dims: list[Any] | None = None) -> float:
    now = dt.datetime.now(dt.UTC)
    out = cloudwatch.get_metric_statistics(
        Namespace=namespace, MetricName=name, Dimensions=dims or [],
        StartTime=now - dt.timedelta(hours=1), EndTime=now + dt.timedelta(minutes=5),
        Period=3600, Statistics=["Sum"],
    )  # fmt: skip
    return float(sum(p["Sum"] for p in out["Datapoints"]))


@pytest.fixture
def cloudwatch(aws_client: Any) -> Any:
    return aws_client("cloudwatch")


@pytest.fixture
def namespace() -> str:
    return f"Kumo/Logs-{uuid.uuid4().hex[:10]}"


def test_metric_filter_counts_matches(
    logs: Any, cloudwatch: Any, namespace: str, new_stream: Callable[..., tuple[str, str]]
) -> None:
    group, stream = new_stream()
    logs.put_metric_filter(
        logGroupName=group,
        filterName="errors",
        filterPattern="ERROR",
        metricTransformations=[transformation(namespace)],
    )
    now = now_ms()
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[
            {"timestamp": now, "message": "ERROR one"},
            {"timestamp": now, "message": "INFO fine"},
            {"timestamp": now, "message": "ERROR two"},
        ],
    )
    assert metric_sum(cloudwatch, namespace, "Errors") == 2.0
    described = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert [f["filterName"] for f in described] == ["errors"]
    assert described[0]["metricTransformations"][0]["metricName"] == "Errors"
    group_info = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert group_info["metricFilterCount"] == 1
    by_metric = logs.describe_metric_filters(metricName="Errors", metricNamespace=namespace)
    assert [f["logGroupName"] for f in by_metric["metricFilters"]] == [group]


def test_metric_filter_values_and_dimensions_from_json(
    logs: Any, cloudwatch: Any, namespace: str, new_stream: Callable[..., tuple[str, str]]
) -> None:
    group, stream = new_stream()
    logs.put_metric_filter(
        logGroupName=group,
        filterName="latency",
        filterPattern="{ $.latency > 0 }",
        metricTransformations=[
            {
                "metricName": "Latency",
                "metricNamespace": namespace,
                "metricValue": "$.latency",
                "dimensions": {"Route": "$.route"},
                "unit": "Milliseconds",
            }
        ],
    )
    now = now_ms()
    docs = [{"latency": 120, "route": "/a"}, {"latency": 30, "route": "/a"}, {"latency": 5}]
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": now, "message": json.dumps(d)} for d in docs],
    )
    dims = [{"Name": "Route", "Value": "/a"}]
    assert metric_sum(cloudwatch, namespace, "Latency", dims) == 150.0


def test_metric_filter_errors(logs: Any, namespace: str, new_group: Callable[..., str]) -> None:
    group = new_group()
    with pytest.raises(ClientError) as excinfo:
        logs.put_metric_filter(
            logGroupName=group, filterName="f", filterPattern="{ $.x = ",
            metricTransformations=[transformation(namespace)],
        )  # fmt: skip
    assert error_of(excinfo) == ("InvalidParameterException", "Invalid filter pattern")
    with pytest.raises(ClientError) as excinfo:
        logs.put_metric_filter(
            logGroupName="/kumo/none-such", filterName="f", filterPattern="",
            metricTransformations=[transformation(namespace)],
        )  # fmt: skip
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        logs.delete_metric_filter(logGroupName=group, filterName="nope")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The specified metric filter does not exist.",
    )


def test_delete_metric_filter(logs: Any, namespace: str, new_group: Callable[..., str]) -> None:
    group = new_group()
    logs.put_metric_filter(
        logGroupName=group, filterName="f", filterPattern="",
        metricTransformations=[transformation(namespace)],
    )  # fmt: skip
    logs.delete_metric_filter(logGroupName=group, filterName="f")
    assert logs.describe_metric_filters(logGroupName=group)["metricFilters"] == []


def test_emf_lines_become_metrics(
    logs: Any, cloudwatch: Any, new_stream: Callable[..., tuple[str, str]]
) -> None:
    group, stream = new_stream()
    doc = json.loads((FIXTURES / "emf_powertools.json").read_text())
    namespace = f"Kumo/EMF-{uuid.uuid4().hex[:8]}"
    now = now_ms()
    doc["_aws"]["Timestamp"] = now
    doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] = namespace
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": now, "message": json.dumps(doc)}],
    )
    dims = [{"Name": "service", "Value": "booking"}, {"Name": "environment", "Value": "prod"}]
    assert metric_sum(cloudwatch, namespace, "SuccessfulBooking", dims) == 1.0
    assert metric_sum(cloudwatch, namespace, "BookingLatency", dims) == 200.0
    listed = cloudwatch.list_metrics(Namespace=namespace)["Metrics"]
    assert sorted(m["MetricName"] for m in listed) == ["BookingLatency", "SuccessfulBooking"]


def test_subscription_filters(logs: Any, new_group: Callable[..., str]) -> None:
    group = new_group()
    arn = "arn:aws:lambda:us-east-1:000000000000:function:consumer"
    logs.put_subscription_filter(
        logGroupName=group, filterName="to-lambda", filterPattern="ERROR", destinationArn=arn
    )
    filters = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert len(filters) == 1
    assert filters[0]["destinationArn"] == arn
    assert filters[0]["filterPattern"] == "ERROR"
    assert filters[0]["distribution"] == "ByLogStream"
    logs.put_subscription_filter(
        logGroupName=group, filterName="second", filterPattern="", destinationArn=arn
    )
    with pytest.raises(ClientError) as excinfo:
        logs.put_subscription_filter(
            logGroupName=group, filterName="third", filterPattern="", destinationArn=arn
        )
    assert error_of(excinfo)[0] == "LimitExceededException"
    logs.delete_subscription_filter(logGroupName=group, filterName="to-lambda")
    names = [
        f["filterName"]
        for f in logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    ]
    assert names == ["second"]
    with pytest.raises(ClientError) as excinfo:
        logs.delete_subscription_filter(logGroupName=group, filterName="to-lambda")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_describe_metric_filters_pages_and_prefix(
    logs: Any, namespace: str, new_group: Callable[..., str]
) -> None:
    group = new_group()
    for name in ("api-errors", "api-latency", "db-errors"):
        logs.put_metric_filter(
            logGroupName=group, filterName=name, filterPattern="ERROR",
            metricTransformations=[transformation(namespace, metricName=name)],
        )  # fmt: skip
    paginator = logs.get_paginator("describe_metric_filters")
    names = [
        f["filterName"]
        for page in paginator.paginate(logGroupName=group, PaginationConfig={"PageSize": 2})
        for f in page["metricFilters"]
    ]
    assert names == ["api-errors", "api-latency", "db-errors"]
    api = logs.describe_metric_filters(logGroupName=group, filterNamePrefix="api-")
    assert [f["filterName"] for f in api["metricFilters"]] == ["api-errors", "api-latency"]
    # replacing a filter keeps one filter under that name
    logs.put_metric_filter(
        logGroupName=group, filterName="db-errors", filterPattern="FATAL",
        metricTransformations=[transformation(namespace)],
    )  # fmt: skip
    db = logs.describe_metric_filters(logGroupName=group, filterNamePrefix="db-")
    assert [f["filterPattern"] for f in db["metricFilters"]] == ["FATAL"]
    with pytest.raises(ClientError) as excinfo:
        logs.describe_metric_filters(filterNamePrefix="api-")
    assert error_of(excinfo)[0] == "InvalidParameterException"
    logs.delete_log_group(logGroupName=group)
    remaining = logs.describe_metric_filters(metricName="api-errors", metricNamespace=namespace)
    assert remaining["metricFilters"] == []
