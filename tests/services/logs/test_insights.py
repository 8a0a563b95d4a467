"""StartQuery / GetQueryResults / DescribeQueries over the wire."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.logs.helpers import error_of, now_ms


def wait_for(logs: Any, query_id: str) -> dict[str, Any]:
    for _ in range(50):
        out = logs.get_query_results(queryId=query_id)
        if out["status"] == "Complete":
            return dict(out)
        time.sleep(0.1)
    raise AssertionError("query did not complete")


def test_query_round_trip(logs: Any, new_group: Callable[..., str]) -> None:
    group = new_group()
    now = now_ms()
    for stream, level in (("a", "ERROR"), ("b", "INFO"), ("c", "ERROR")):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": now, "message": json.dumps({"level": level})}],
        )
    started = logs.start_query(
        logGroupName=group,
        startTime=now // 1000 - 60,
        endTime=now // 1000 + 60,
        queryString="stats count(*) as n by level | sort n desc",
    )
    out = wait_for(logs, started["queryId"])
    table = [{f["field"]: f["value"] for f in row} for row in out["results"]]
    assert table == [{"level": "ERROR", "n": "2"}, {"level": "INFO", "n": "1"}]
    assert out["statistics"]["recordsScanned"] == 3.0
    listed = logs.describe_queries(logGroupName=group)["queries"]
    assert [q["queryId"] for q in listed] == [started["queryId"]]
    events = logs.start_query(
        logGroupNames=[group],
        startTime=now // 1000 - 60,
        endTime=now // 1000 + 60,
        queryString='fields @timestamp, @message, @logStream | filter level = "ERROR"',
    )
    rows = wait_for(logs, events["queryId"])["results"]
    assert sorted(next(f["value"] for f in r if f["field"] == "@logStream") for r in rows) == [
        "a", "c",
    ]  # fmt: skip
    assert all(any(f["field"] == "@ptr" for f in r) for r in rows)


def test_query_errors(logs: Any, new_group: Callable[..., str]) -> None:
    group = new_group()
    with pytest.raises(ClientError) as excinfo:
        logs.start_query(logGroupName=group, startTime=0, endTime=10, queryString="explode x")
    assert error_of(excinfo)[0] == "MalformedQueryException"
    with pytest.raises(ClientError) as excinfo:
        logs.start_query(
            logGroupName="/kumo/none-such", startTime=0, endTime=10, queryString="fields a"
        )
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        logs.get_query_results(queryId="00000000-0000-0000-0000-000000000000")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_log_group_fields(logs: Any, new_stream: Callable[..., tuple[str, str]]) -> None:
    group, stream = new_stream()
    now = now_ms()
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[
            {"timestamp": now - 1000, "message": json.dumps({"level": "INFO", "ms": 3})},
            {"timestamp": now - 500, "message": json.dumps({"level": "WARN"})},
            {"timestamp": now - 100, "message": "plain"},
            {"timestamp": now - 50, "message": "plain too"},
        ],
    )
    listed = logs.get_log_group_fields(logGroupName=group)["logGroupFields"]
    fields = {f["name"]: f["percent"] for f in listed}
    assert fields["@message"] == 100
    assert fields["@timestamp"] == 100
    assert fields["level"] == 50
    assert fields["ms"] == 25
