"""PutLogEvents, GetLogEvents and its tokens, FilterLogEvents."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.logs.helpers import error_of, now_ms


def put(logs: Any, group: str, stream: str, messages: list[tuple[int, str]]) -> Any:
    return logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": ts, "message": m} for ts, m in messages],
    )


def test_put_and_get(logs: Any, new_stream: Callable[..., tuple[str, str]]) -> None:
    group, stream = new_stream()
    base = now_ms() - 60_000
    out = put(logs, group, stream, [(base, "one"), (base + 1, "two"), (base + 1, "three")])
    assert "nextSequenceToken" in out
    assert "rejectedLogEventsInfo" not in out
    got = logs.get_log_events(logGroupName=group, logStreamName=stream)
    assert [e["message"] for e in got["events"]] == ["one", "two", "three"]
    assert [e["timestamp"] for e in got["events"]] == [base, base + 1, base + 1]
    assert all(e["ingestionTime"] >= base for e in got["events"])
    assert got["nextForwardToken"].startswith("f/")
    assert got["nextBackwardToken"].startswith("b/")
    group_info = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert group_info["storedBytes"] == len("one") + len("two") + len("three")


def test_sequence_token_is_ignored(logs: Any, new_stream: Callable[..., tuple[str, str]]) -> None:
    group, stream = new_stream()
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": now_ms(), "message": "x"}],
        sequenceToken="whatever",
    )


def test_put_errors(logs: Any, new_stream: Callable[..., tuple[str, str]]) -> None:
    group, stream = new_stream()
    base = now_ms()
    with pytest.raises(ClientError) as excinfo:
        put(logs, group, stream, [(base, "b"), (base - 1, "a")])
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Log events in a single PutLogEvents request must be in chronological order.",
    )
    with pytest.raises(ClientError) as excinfo:
        put(logs, group, "missing", [(base, "a")])
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
    )
    with pytest.raises(ClientError) as excinfo:
        put(logs, group, stream, [(base - 25 * 3600 * 1000, "a"), (base, "b")])
    assert "cannot span more than 24 hours" in error_of(excinfo)[1]
    big = "x" * 200_000
    with pytest.raises(ClientError) as excinfo:
        put(logs, group, stream, [(base, big)] * 6)
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Upload too large: 1200156 bytes exceeds limit of 1048576",
    )


def test_too_old_and_too_new_are_rejected(
    logs: Any, new_stream: Callable[..., tuple[str, str]]
) -> None:
    group, stream = new_stream()
    now = now_ms()
    old = now - 15 * 86_400_000
    out = put(logs, group, stream, [(old, "old1"), (old + 1, "old2")])
    assert out["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 2}
    out = put(logs, group, stream, [(now, "ok"), (now + 3 * 3600 * 1000, "new")])
    assert out["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    got = logs.get_log_events(logGroupName=group, logStreamName=stream)
    assert [e["message"] for e in got["events"]] == ["ok"]


def test_expired_by_retention(logs: Any, new_stream: Callable[..., tuple[str, str]]) -> None:
    group, stream = new_stream()
    logs.put_retention_policy(logGroupName=group, retentionInDays=1)
    now = now_ms()
    then = now - 2 * 86_400_000
    out = put(logs, group, stream, [(then, "expired"), (then + 1, "expired too")])
    assert out["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 2}
    assert logs.get_log_events(logGroupName=group, logStreamName=stream)["events"] == []


def test_forward_paging_ends_with_the_same_token(
    logs: Any, new_stream: Callable[..., tuple[str, str]]
) -> None:
    group, stream = new_stream()
    base = now_ms() - 60_000
    put(logs, group, stream, [(base + i, f"m{i}") for i in range(25)])
    seen: list[str] = []
    kwargs: dict[str, Any] = {
        "logGroupName": group,
        "logStreamName": stream,
        "startFromHead": True,
        "limit": 10,
    }
    token = None
    for _ in range(10):
        page = logs.get_log_events(**kwargs)
        seen += [e["message"] for e in page["events"]]
        if page["nextForwardToken"] == token:
            assert page["events"] == []
            break
        token = page["nextForwardToken"]
        kwargs["nextToken"] = token
    assert seen == [f"m{i}" for i in range(25)]
    # new events appear behind the last forward token
    put(logs, group, stream, [(base + 100, "late")])
    page = logs.get_log_events(**kwargs)
    assert [e["message"] for e in page["events"]] == ["late"]


def test_newest_first_and_backward_paging(
    logs: Any, new_stream: Callable[..., tuple[str, str]]
) -> None:
    group, stream = new_stream()
    base = now_ms() - 60_000
    put(logs, group, stream, [(base + i, f"m{i}") for i in range(25)])
    page = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=10)
    assert [e["message"] for e in page["events"]] == [f"m{i}" for i in range(15, 25)]
    page = logs.get_log_events(
        logGroupName=group, logStreamName=stream, limit=10, nextToken=page["nextBackwardToken"]
    )
    assert [e["message"] for e in page["events"]] == [f"m{i}" for i in range(5, 15)]
    page = logs.get_log_events(
        logGroupName=group, logStreamName=stream, limit=10, nextToken=page["nextBackwardToken"]
    )
    assert [e["message"] for e in page["events"]] == [f"m{i}" for i in range(5)]
    last = page["nextBackwardToken"]
    page = logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken=last)
    assert page["events"] == []
    assert page["nextBackwardToken"] == last


def test_time_range(logs: Any, new_stream: Callable[..., tuple[str, str]]) -> None:
    group, stream = new_stream()
    base = now_ms() - 60_000
    put(logs, group, stream, [(base + i * 10, f"m{i}") for i in range(10)])
    page = logs.get_log_events(
        logGroupName=group,
        logStreamName=stream,
        startTime=base + 20,
        endTime=base + 50,
        startFromHead=True,
    )
    # startTime inclusive, endTime exclusive
    assert [e["message"] for e in page["events"]] == ["m2", "m3", "m4"]


def test_invalid_token(logs: Any, new_stream: Callable[..., tuple[str, str]]) -> None:
    group, stream = new_stream()
    with pytest.raises(ClientError) as excinfo:
        logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken="nope")
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_filter_across_streams(logs: Any, new_group: Callable[..., str]) -> None:
    group = new_group()
    base = now_ms() - 60_000
    for name, offset in (("a", 0), ("b", 1), ("c", 2)):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        put(logs, group, name, [(base + offset + i * 10, f"{name} ERROR {i}") for i in range(3)])
    put(logs, group, "a", [(base + 100, "a INFO fine")])
    events = logs.filter_log_events(logGroupName=group, filterPattern="ERROR")["events"]
    assert [e["message"] for e in events] == [
        "a ERROR 0", "b ERROR 0", "c ERROR 0",
        "a ERROR 1", "b ERROR 1", "c ERROR 1",
        "a ERROR 2", "b ERROR 2", "c ERROR 2",
    ]  # fmt: skip
    first = events[0]
    assert first["logStreamName"] == "a"
    assert first["timestamp"] == base
    assert first["eventId"].isdigit()
    assert len({e["eventId"] for e in events}) == 9
    only_b = logs.filter_log_events(logGroupName=group, logStreamNames=["b", "c"], limit=100)
    assert [e["logStreamName"] for e in only_b["events"]] == ["b", "c"] * 3
    prefix = logs.filter_log_events(logGroupName=group, logStreamNamePrefix="a")
    assert [e["message"] for e in prefix["events"]][-1] == "a INFO fine"
    window = logs.filter_log_events(logGroupName=group, startTime=base + 10, endTime=base + 12)
    assert [e["message"] for e in window["events"]] == ["a ERROR 1", "b ERROR 1", "c ERROR 1"]


def test_filter_pagination(logs: Any, new_stream: Callable[..., tuple[str, str]]) -> None:
    group, stream = new_stream()
    base = now_ms() - 60_000
    put(logs, group, stream, [(base + i, f"m{i}") for i in range(23)])
    paginator = logs.get_paginator("filter_log_events")
    pages = list(paginator.paginate(logGroupName=group, PaginationConfig={"PageSize": 5}))
    messages = [e["message"] for page in pages for e in page["events"]]
    assert messages == [f"m{i}" for i in range(23)]
    assert len(pages) == 5


def test_filter_json_pattern(logs: Any, new_stream: Callable[..., tuple[str, str]]) -> None:
    group, stream = new_stream()
    base = now_ms() - 60_000
    docs = [{"level": "ERROR", "latency": 50}, {"level": "INFO", "latency": 500}, "plain text"]
    put(
        logs,
        group,
        stream,
        [(base + i, d if isinstance(d, str) else json.dumps(d)) for i, d in enumerate(docs)],
    )
    slow = logs.filter_log_events(logGroupName=group, filterPattern="{ $.latency > 100 }")
    assert [json.loads(e["message"])["level"] for e in slow["events"]] == ["INFO"]


def test_invalid_filter_pattern(logs: Any, new_stream: Callable[..., tuple[str, str]]) -> None:
    group, _ = new_stream()
    with pytest.raises(ClientError) as excinfo:
        logs.filter_log_events(logGroupName=group, filterPattern="{ $.a = ")
    assert error_of(excinfo) == ("InvalidParameterException", "Invalid filter pattern")


def test_filter_missing_group(logs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        logs.filter_log_events(logGroupName="/kumo/none-such")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_aws_cli_reads_events(
    logs: Any, new_stream: Callable[..., tuple[str, str]], aws_cli: Callable[..., Any]
) -> None:
    group, stream = new_stream()
    base = now_ms() - 60_000
    put(logs, group, stream, [(base, "hello from kumo"), (base + 1, "ERROR boom")])
    out = aws_cli(
        "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream,
        "--start-from-head",
    )  # fmt: skip
    events = json.loads(out.stdout)["events"]
    assert [e["message"] for e in events] == ["hello from kumo", "ERROR boom"]
    out = aws_cli(
        "logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "ERROR"
    )
    events = json.loads(out.stdout)["events"]
    assert [(e["logStreamName"], e["message"]) for e in events] == [(stream, "ERROR boom")]


def test_pages_stop_at_one_megabyte(logs: Any, new_stream: Callable[..., tuple[str, str]]) -> None:
    group, stream = new_stream()
    base = now_ms() - 60_000
    big = "x" * 150_000
    for batch in range(3):
        put(logs, group, stream, [(base + batch * 10 + i, f"{batch}{i}{big}") for i in range(5)])
    kwargs: dict[str, Any] = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
    seen = 0
    for _ in range(10):
        page = logs.get_log_events(**kwargs)
        assert sum(len(e["message"]) for e in page["events"]) <= 1_048_576
        seen += len(page["events"])
        if kwargs.get("nextToken") == page["nextForwardToken"]:
            break
        kwargs["nextToken"] = page["nextForwardToken"]
    assert seen == 15
    filtered = logs.filter_log_events(logGroupName=group)
    assert 0 < len(filtered["events"]) < 15
    assert "nextToken" in filtered
