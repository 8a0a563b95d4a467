"""PutMetricData, GetMetricStatistics, GetMetricData and ListMetrics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.logs.helpers import error_of

UTC = dt.UTC
SECONDS_5 = dt.timedelta(seconds=5)
MINUTE = dt.timedelta(minutes=1)


def minute_floor(when: dt.datetime) -> dt.datetime:
    return when.replace(second=0, microsecond=0)


def test_put_and_get_statistics(cloudwatch: Any, namespace: str) -> None:
    base = minute_floor(dt.datetime.now(UTC)) - dt.timedelta(minutes=10)
    dims = [{"Name": "Service", "Value": "api"}]
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {"MetricName": "Latency", "Dimensions": dims, "Timestamp": base, "Value": 10,
             "Unit": "Milliseconds"},
            {"MetricName": "Latency", "Dimensions": dims, "Timestamp": base + SECONDS_5,
             "Values": [20, 30], "Counts": [1, 2], "Unit": "Milliseconds"},
            {"MetricName": "Latency", "Dimensions": dims, "Timestamp": base + MINUTE,
             "StatisticValues": {"SampleCount": 4, "Sum": 400, "Minimum": 50, "Maximum": 150},
             "Unit": "Milliseconds"},
        ],
    )  # fmt: skip
    out = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName="Latency",
        Dimensions=dims,
        StartTime=base - dt.timedelta(minutes=1),
        EndTime=base + dt.timedelta(minutes=5),
        Period=60,
        Statistics=["SampleCount", "Sum", "Average", "Minimum", "Maximum"],
    )
    assert out["Label"] == "Latency"
    points = sorted(out["Datapoints"], key=lambda p: p["Timestamp"])
    assert len(points) == 2
    first, second = points
    assert first["Timestamp"] == base
    assert (first["SampleCount"], first["Sum"], first["Minimum"], first["Maximum"]) == (
        4.0, 90.0, 10.0, 30.0,
    )  # fmt: skip
    assert first["Average"] == 22.5
    assert first["Unit"] == "Milliseconds"
    assert (second["SampleCount"], second["Sum"], second["Average"]) == (4.0, 400.0, 100.0)


def test_percentiles(cloudwatch: Any, namespace: str) -> None:
    now = minute_floor(dt.datetime.now(UTC)) - dt.timedelta(minutes=5)
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[{"MetricName": "D", "Timestamp": now, "Values": list(range(1, 101))}],
    )
    out = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName="D",
        StartTime=now,
        EndTime=now + dt.timedelta(minutes=1),
        Period=60,
        ExtendedStatistics=["p50", "p99"],
    )
    assert out["Datapoints"][0]["ExtendedStatistics"] == {"p50": 50.0, "p99": 99.0}


def test_dimensions_order_does_not_matter(cloudwatch: Any, namespace: str) -> None:
    now = dt.datetime.now(UTC) - dt.timedelta(minutes=1)
    a, b = {"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}
    cloudwatch.put_metric_data(
        Namespace=namespace, MetricData=[{"MetricName": "M", "Dimensions": [a, b], "Value": 1}]
    )
    cloudwatch.put_metric_data(
        Namespace=namespace, MetricData=[{"MetricName": "M", "Dimensions": [b, a], "Value": 1}]
    )
    metrics = cloudwatch.list_metrics(Namespace=namespace)["Metrics"]
    assert len(metrics) == 1
    out = cloudwatch.get_metric_statistics(
        Namespace=namespace, MetricName="M", Dimensions=[b, a],
        StartTime=now - dt.timedelta(minutes=5), EndTime=now + dt.timedelta(minutes=5),
        Period=600, Statistics=["Sum"],
    )  # fmt: skip
    assert sum(p["Sum"] for p in out["Datapoints"]) == 2.0


@pytest.mark.parametrize(
    ("datum", "code", "fragment"),
    [
        ({"MetricName": "M"}, "MissingParameter", "must be specified"),
        ({"MetricName": "M", "Value": 1, "Values": [1]}, "InvalidParameterCombination",
         "mutually exclusive"),
        ({"MetricName": "M", "Values": [1, 2], "Counts": [1]}, "InvalidParameterValue",
         "same size"),
        ({"MetricName": "M", "Value": 1, "StorageResolution": 30}, "InvalidParameterValue",
         "StorageResolution"),
        ({"MetricName": "M", "Value": 1,
          "Timestamp": dt.datetime.now(UTC) - dt.timedelta(days=15)},
         "InvalidParameterValue", "two weeks in the past"),
        ({"MetricName": "M", "Value": 1,
          "Timestamp": dt.datetime.now(UTC) + dt.timedelta(hours=3)},
         "InvalidParameterValue", "two hours in the future"),
    ],
)  # fmt: skip
def test_put_errors(
    cloudwatch: Any, namespace: str, datum: dict[str, Any], code: str, fragment: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=[datum])
    got_code, message = error_of(excinfo)
    assert got_code == code
    assert fragment in message


def test_reserved_namespace(cloudwatch: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        cloudwatch.put_metric_data(
            Namespace="AWS/EC2", MetricData=[{"MetricName": "M", "Value": 1}]
        )
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_statistics_errors(cloudwatch: Any, namespace: str) -> None:
    now = dt.datetime.now(UTC)
    with pytest.raises(ClientError) as excinfo:
        cloudwatch.get_metric_statistics(
            Namespace=namespace, MetricName="M", StartTime=now - dt.timedelta(hours=1),
            EndTime=now, Period=60,
        )  # fmt: skip
    assert error_of(excinfo)[0] == "InvalidParameterCombination"
    with pytest.raises(ClientError) as excinfo:
        cloudwatch.get_metric_statistics(
            Namespace=namespace, MetricName="M", StartTime=now - dt.timedelta(days=2),
            EndTime=now, Period=60, Statistics=["Sum"],
        )  # fmt: skip
    assert error_of(excinfo)[0] == "InvalidParameterCombination"
    assert "exceeds the limit of 1,440" in error_of(excinfo)[1]
    with pytest.raises(ClientError) as excinfo:
        cloudwatch.get_metric_statistics(
            Namespace=namespace, MetricName="M", StartTime=now - dt.timedelta(hours=1),
            EndTime=now, Period=61, Statistics=["Sum"],
        )  # fmt: skip
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_list_metrics_filters(cloudwatch: Any, namespace: str) -> None:
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {"MetricName": "A", "Dimensions": [{"Name": "Fn", "Value": "x"}], "Value": 1},
            {"MetricName": "A", "Dimensions": [{"Name": "Fn", "Value": "y"}], "Value": 1},
            {"MetricName": "B", "Value": 1},
        ],
    )
    all_metrics = cloudwatch.list_metrics(Namespace=namespace)["Metrics"]
    assert len(all_metrics) == 3
    only_a = cloudwatch.list_metrics(Namespace=namespace, MetricName="A")["Metrics"]
    assert {m["Dimensions"][0]["Value"] for m in only_a} == {"x", "y"}
    by_dim = cloudwatch.list_metrics(
        Namespace=namespace, Dimensions=[{"Name": "Fn", "Value": "y"}]
    )["Metrics"]
    assert by_dim == [
        {"Namespace": namespace, "MetricName": "A", "Dimensions": [{"Name": "Fn", "Value": "y"}]}
    ]
    with_dim = cloudwatch.list_metrics(Namespace=namespace, Dimensions=[{"Name": "Fn"}])
    assert len(with_dim["Metrics"]) == 2
    by_name = cloudwatch.list_metrics(MetricName="B")["Metrics"]
    assert {"Namespace": namespace, "MetricName": "B", "Dimensions": []} in by_name
    assert all(m["MetricName"] == "B" for m in by_name)
    recent = cloudwatch.list_metrics(Namespace=namespace, RecentlyActive="PT3H")["Metrics"]
    assert len(recent) == 3


def test_get_metric_data(cloudwatch: Any, namespace: str) -> None:
    base = minute_floor(dt.datetime.now(UTC)) - dt.timedelta(minutes=10)
    data = []
    for i in range(5):
        when = base + dt.timedelta(minutes=i)
        data.append({"MetricName": "Errors", "Timestamp": when, "Value": i})
        data.append({"MetricName": "Requests", "Timestamp": when, "Value": 10})
    cloudwatch.put_metric_data(Namespace=namespace, MetricData=data)

    def stat(name: str) -> dict[str, Any]:
        return {
            "Metric": {"Namespace": namespace, "MetricName": name},
            "Period": 60,
            "Stat": "Sum",
        }

    out = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {"Id": "errors", "MetricStat": stat("Errors"), "ReturnData": False},
            {"Id": "requests", "MetricStat": stat("Requests")},
            {"Id": "rate", "Expression": "errors / requests * 100", "Label": "Error rate"},
        ],
        StartTime=base,
        EndTime=base + dt.timedelta(minutes=5),
    )
    results = {r["Id"]: r for r in out["MetricDataResults"]}
    assert set(results) == {"requests", "rate"}
    rate = results["rate"]
    assert rate["Label"] == "Error rate"
    assert rate["StatusCode"] == "Complete"
    # TimestampDescending is the default order
    assert rate["Values"] == [40.0, 30.0, 20.0, 10.0, 0.0]
    assert rate["Timestamps"][0] == base + dt.timedelta(minutes=4)
    assert results["requests"]["Label"] == "Requests"
    ascending = cloudwatch.get_metric_data(
        MetricDataQueries=[{"Id": "total", "Expression": "SUM(METRICS())"},
                           {"Id": "e", "MetricStat": stat("Errors"), "ReturnData": False},
                           {"Id": "r", "MetricStat": stat("Requests"), "ReturnData": False}],
        StartTime=base, EndTime=base + dt.timedelta(minutes=5), ScanBy="TimestampAscending",
    )  # fmt: skip
    assert ascending["MetricDataResults"][0]["Values"] == [10.0, 11.0, 12.0, 13.0, 14.0]


def test_get_metric_data_pagination(cloudwatch: Any, namespace: str) -> None:
    base = minute_floor(dt.datetime.now(UTC)) - dt.timedelta(minutes=30)
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {"MetricName": "N", "Timestamp": base + dt.timedelta(minutes=i), "Value": i}
            for i in range(12)
        ],
    )
    query = {
        "Id": "n",
        "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": "N"},
            "Period": 60,
            "Stat": "Maximum",
        },
    }
    paginator = cloudwatch.get_paginator("get_metric_data")
    values: list[float] = []
    pages = 0
    for page in paginator.paginate(
        MetricDataQueries=[query], StartTime=base, EndTime=base + dt.timedelta(minutes=20),
        ScanBy="TimestampAscending", MaxDatapoints=5,
    ):  # fmt: skip
        pages += 1
        for result in page["MetricDataResults"]:
            values += result["Values"]
    assert values == [float(i) for i in range(12)]
    assert pages == 3


def test_get_metric_data_bad_queries(cloudwatch: Any, namespace: str) -> None:
    now = dt.datetime.now(UTC)
    with pytest.raises(ClientError) as excinfo:
        cloudwatch.get_metric_data(
            MetricDataQueries=[{"Id": "Bad", "Expression": "1"}],
            StartTime=now - dt.timedelta(hours=1), EndTime=now,
        )  # fmt: skip
    assert error_of(excinfo)[0] == "ValidationError"
    with pytest.raises(ClientError) as excinfo:
        cloudwatch.get_metric_data(
            MetricDataQueries=[{"Id": "a", "Expression": "b + 1"}],
            StartTime=now - dt.timedelta(hours=1), EndTime=now,
        )  # fmt: skip
    assert error_of(excinfo)[0] == "ValidationError"


@pytest.mark.parametrize("protocol", ["json", "query", "smithy-rpc-v2-cbor"])
def test_every_protocol(
    cloudwatch_over: Callable[[str], Any], namespace: str, protocol: str
) -> None:
    client = cloudwatch_over(protocol)
    now = dt.datetime.now(UTC)
    client.put_metric_data(
        Namespace=namespace,
        MetricData=[{"MetricName": "P", "Value": 3.5, "Unit": "Count",
                     "Dimensions": [{"Name": "Via", "Value": protocol}]}],
    )  # fmt: skip
    metrics = client.list_metrics(Namespace=namespace)["Metrics"]
    assert metrics[0]["Dimensions"] == [{"Name": "Via", "Value": protocol}]
    out = client.get_metric_statistics(
        Namespace=namespace, MetricName="P", Dimensions=[{"Name": "Via", "Value": protocol}],
        StartTime=now - dt.timedelta(minutes=5), EndTime=now + dt.timedelta(minutes=5),
        Period=600, Statistics=["Sum"],
    )  # fmt: skip
    assert [p["Sum"] for p in out["Datapoints"]] == [3.5]
    with pytest.raises(ClientError) as excinfo:
        client.put_metric_data(Namespace=namespace, MetricData=[{"MetricName": "P"}])
    assert error_of(excinfo)[0] == "MissingParameter"


def test_list_metrics_pagination(cloudwatch: Any, namespace: str) -> None:
    for batch in range(2):
        cloudwatch.put_metric_data(
            Namespace=namespace,
            MetricData=[
                {"MetricName": f"M{batch}-{i:03d}", "Value": 1} for i in range(batch, 501, 2)
            ],
        )
    first = cloudwatch.list_metrics(Namespace=namespace)
    assert len(first["Metrics"]) == 500
    second = cloudwatch.list_metrics(Namespace=namespace, NextToken=first["NextToken"])
    assert len(second["Metrics"]) == 1
    assert "NextToken" not in second
    names = [m["MetricName"] for m in first["Metrics"] + second["Metrics"]]
    assert names == sorted(names)
    assert len(set(names)) == 501


def test_entity_metric_data(cloudwatch: Any, namespace: str) -> None:
    cloudwatch.put_metric_data(
        Namespace=namespace,
        EntityMetricData=[
            {
                "Entity": {"KeyAttributes": {"Type": "Service", "Name": "checkout"}},
                "MetricData": [{"MetricName": "Orders", "Value": 2}],
            }
        ],
    )
    names = [m["MetricName"] for m in cloudwatch.list_metrics(Namespace=namespace)["Metrics"]]
    assert names == ["Orders"]
