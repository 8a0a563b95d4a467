"""Log streams: create, describe (orders, pagination), delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.logs.helpers import error_of, now_ms


def test_create_and_describe(logs: Any, new_group: Callable[..., str]) -> None:
    group = new_group()
    logs.create_log_stream(logGroupName=group, logStreamName="2024/01/01/[$LATEST]abc")
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert len(streams) == 1
    stream = streams[0]
    assert stream["logStreamName"] == "2024/01/01/[$LATEST]abc"
    assert stream["arn"] == (
        f"arn:aws:logs:us-east-1:000000000000:log-group:{group}:log-stream:2024/01/01/[$LATEST]abc"
    )
    assert "firstEventTimestamp" not in stream


def test_stream_errors(logs: Any, new_group: Callable[..., str]) -> None:
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_stream(logGroupName="/kumo/none-such", logStreamName="s")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
    group = new_group()
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_stream(logGroupName=group, logStreamName="s")
    assert error_of(excinfo) == (
        "ResourceAlreadyExistsException",
        "The specified log stream already exists",
    )
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_stream(logGroupName=group, logStreamName="a:b")
    assert error_of(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        logs.delete_log_stream(logGroupName=group, logStreamName="other")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
    )


def test_delete_stream_removes_its_events(logs: Any, new_group: Callable[..., str]) -> None:
    group = new_group()
    for name in ("a", "b"):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        logs.put_log_events(
            logGroupName=group,
            logStreamName=name,
            logEvents=[{"timestamp": now_ms(), "message": f"from {name}"}],
        )
    logs.delete_log_stream(logGroupName=group, logStreamName="a")
    events = logs.filter_log_events(logGroupName=group)["events"]
    assert [e["message"] for e in events] == ["from b"]
    names = [
        s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]
    ]
    assert names == ["b"]


def test_order_and_pagination(logs: Any, new_group: Callable[..., str]) -> None:
    group = new_group()
    base = now_ms() - 10_000
    # names in one order, last event times in the reverse order
    for i, name in enumerate(["s1", "s2", "s3", "s4", "x5"]):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        logs.put_log_events(
            logGroupName=group,
            logStreamName=name,
            logEvents=[{"timestamp": base - i * 100, "message": "m"}],
        )
    by_name = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix="s")
    assert [s["logStreamName"] for s in by_name["logStreams"]] == ["s1", "s2", "s3", "s4"]
    desc = logs.describe_log_streams(logGroupName=group, descending=True)
    assert [s["logStreamName"] for s in desc["logStreams"]] == ["x5", "s4", "s3", "s2", "s1"]
    by_time = logs.describe_log_streams(
        logGroupName=group, orderBy="LastEventTime", descending=True
    )
    assert [s["logStreamName"] for s in by_time["logStreams"]] == ["s1", "s2", "s3", "s4", "x5"]
    first = by_time["logStreams"][0]
    assert first["firstEventTimestamp"] == base
    assert first["lastEventTimestamp"] == base
    assert first["lastIngestionTime"] >= base
    seen: list[str] = []
    for order in ("LogStreamName", "LastEventTime"):
        seen = []
        kwargs: dict[str, Any] = {"logGroupName": group, "orderBy": order, "limit": 2}
        while True:
            page = logs.describe_log_streams(**kwargs)
            seen += [s["logStreamName"] for s in page["logStreams"]]
            if "nextToken" not in page:
                break
            kwargs["nextToken"] = page["nextToken"]
        assert sorted(seen) == ["s1", "s2", "s3", "s4", "x5"]
        assert len(seen) == 5
    assert seen == ["x5", "s4", "s3", "s2", "s1"]


def test_last_event_time_with_prefix_is_refused(logs: Any, new_group: Callable[..., str]) -> None:
    group = new_group()
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_streams(
            logGroupName=group, orderBy="LastEventTime", logStreamNamePrefix="a"
        )
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_describe_by_group_arn(logs: Any, new_stream: Callable[..., tuple[str, str]]) -> None:
    group, stream = new_stream()
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    streams = logs.describe_log_streams(logGroupIdentifier=arn)["logStreams"]
    assert [s["logStreamName"] for s in streams] == [stream]
