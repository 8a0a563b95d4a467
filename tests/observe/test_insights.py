"""The Logs Insights subset, over in-memory records."""

from __future__ import annotations

import json

import pytest

from kumo.observe.insights import MalformedQuery, make_record, parse_query, run_query

GROUP = "/aws/lambda/fn"


def records() -> list[dict[str, object]]:
    lines = [
        json.dumps({"level": "INFO", "route": "/a", "ms": 10}),
        json.dumps({"level": "ERROR", "route": "/a", "ms": 300}),
        json.dumps({"level": "ERROR", "route": "/b", "ms": 50, "user": {"id": 7}}),
        "plain ERROR line",
        "REPORT RequestId: 5b1c Duration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB"
        "\tMax Memory Used: 40 MB\tInit Duration: 100.25 ms",
    ]
    return [
        make_record(GROUP, "s", 1_700_000_000_000 + i, line, 1_700_000_000_100, f"p{i}")
        for i, line in enumerate(lines)
    ]


def rows(query: str, limit: int = 10_000) -> list[dict[str, str]]:
    result = run_query(parse_query(query), records(), limit)
    return [{f["field"]: f["value"] for f in row if f["field"] != "@ptr"} for row in result.rows]


def test_fields_and_default_projection() -> None:
    got = rows("fields @timestamp, level | limit 2")
    assert got == [
        {"@timestamp": "2023-11-14 22:13:20.000", "level": "INFO"},
        {"@timestamp": "2023-11-14 22:13:20.001", "level": "ERROR"},
    ]
    assert rows("limit 1") == [
        {"@timestamp": "2023-11-14 22:13:20.000", "@message": records()[0]["@message"]}
    ]


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ('filter level = "ERROR"', 2),
        ("filter ms > 20", 2),
        ("filter ms >= 10 and ms < 100", 2),
        ('filter level = "INFO" or route = "/b"', 2),
        ("filter @message like /ERROR/", 3),
        ('filter @message like "plain"', 1),
        ("filter @message not like /ERROR/", 2),
        ('filter route in ["/a", "/c"]', 2),
        ("filter ispresent(user.id)", 1),
        ("filter not ispresent(level)", 2),
        ("filter user.id = 7", 1),
        ('filter @type = "REPORT" and @duration > 10', 1),
        ("filter (ms > 100 or ms < 20) and level = 'ERROR'", 1),
    ],
)
def test_filters(query: str, count: int) -> None:
    assert len(rows(query)) == count


def test_sort_and_limit() -> None:
    got = rows("filter ispresent(ms) | sort ms desc | limit 2 | fields route, ms")
    assert got == [{"route": "/a", "ms": "300"}, {"route": "/b", "ms": "50"}]
    got = rows("filter ispresent(ms) | sort ms asc | fields ms")
    assert [r["ms"] for r in got] == ["10", "50", "300"]


def test_stats() -> None:
    got = rows("filter ispresent(level) | stats count(*) as n by level | sort n desc")
    assert got == [{"level": "ERROR", "n": "2"}, {"level": "INFO", "n": "1"}]
    got = rows("stats sum(ms), avg(ms), max(ms), count(ms)")
    assert got == [{"sum(ms)": "360", "avg(ms)": "120", "max(ms)": "300", "count(ms)": "3"}]


def test_parse() -> None:
    got = rows('filter @message like "plain" | parse @message "plain * line" as what | fields what')
    assert got == [{"what": "ERROR"}]
    got = rows("filter @type = 'REPORT' | parse @message /Duration: (?<d>[0-9.]+) ms/ | fields d")
    assert got == [{"d": "12.50"}]
    got = rows('parse route "/*" as path | filter ispresent(path) | stats count(*) by path')
    assert sorted(r["path"] for r in got) == ["a", "b"]
    for bad in ('parse @message "a * b"', "parse @message /(no names)/", "parse @message"):
        with pytest.raises(MalformedQuery):
            parse_query(bad)


def test_stats_by_time_bins() -> None:
    got = rows("stats count(*) as n by bin(1h)")
    assert got == [{"bin(1h)": "2023-11-14 22:00:00.000", "n": "5"}]
    with pytest.raises(MalformedQuery):
        parse_query("stats count(*) by bin(5x)")


def test_lambda_report_fields() -> None:
    record = records()[4]
    assert record["@requestId"] == "5b1c"
    assert record["@billedDuration"] == 13
    assert record["@maxMemoryUsed"] == 40_000_000
    assert record["@initDuration"] == 100.25


def test_result_limit_and_statistics() -> None:
    result = run_query(parse_query("fields @message"), records(), 3)
    assert len(result.rows) == 3
    assert result.scanned >= 3
    assert result.rows[0][-1] == {"field": "@ptr", "value": "p0"}


@pytest.mark.parametrize(
    "query",
    ["fields", "filter", "sort", "limit x", "stats", "stats median(ms)", "explode x",
     "filter a = ", "filter (a = 1", "filter a ~ 1", "sort a sideways"],
)  # fmt: skip
def test_malformed(query: str) -> None:
    with pytest.raises(MalformedQuery):
        parse_query(query)
