"""The filter pattern matcher, table-driven over the three pattern forms."""

from __future__ import annotations

import json

import pytest

from kumo.observe.filter_patterns import InvalidPattern, compile_pattern

LINE = "[ERROR] 2024-01-01 Something failed: Exception in thread main"
ACCESS = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2326'
DOC = json.dumps(
    {
        "level": "ERROR",
        "latency": 150,
        "user": {"id": 7, "name": "frank"},
        "tags": ["a", "b"],
        "items": [{"id": 1}, {"id": 2}],
        "ok": False,
        "retry": True,
        "nothing": None,
        "ip": "123.123.1.5",
        "count": "12",
    }
)

CASES: list[tuple[str, str, bool]] = [
    # terms
    ("", LINE, True),
    ("ERROR", LINE, True),
    ("error", LINE, False),
    ("ERROR Exception", LINE, True),
    ("ERROR Missing", LINE, False),
    ('"Something failed"', LINE, True),
    ('"failed Something"', LINE, False),
    ("?WARN ?Exception", LINE, True),
    ("?WARN ?DEBUG", LINE, False),
    ('?"ERROR" "thread main" ?"WARN" "Deadlock"', LINE, True),
    ('?"ERROR" "Deadlock" ?"WARN" "thread main"', LINE, False),
    ('?"INFO" ?"Something" "failed"', LINE, True),
    ("ERROR -Exception", LINE, False),
    ("ERROR -DEBUG", LINE, True),
    ('-"thread main"', LINE, False),
    ("%fail[a-z]+%", LINE, True),
    ("%^\\[ERROR\\]%", LINE, True),
    # JSON
    ('{ $.level = "ERROR" }', DOC, True),
    ("{ $.level = ERROR }", DOC, True),
    ('{ $.level = "INFO" }', DOC, False),
    ('{ $.level != "INFO" }', DOC, True),
    ('{ $.level = "ERR*" }', DOC, True),
    ('{ $.level = "*RR*" }', DOC, True),
    ("{ $.ip = 123.123.* }", DOC, True),
    ("{ $.ip != 123.123.* }", DOC, False),
    ("{ $.latency > 100 }", DOC, True),
    ("{ $.latency >= 150 }", DOC, True),
    ("{ $.latency < 100 }", DOC, False),
    ("{ $.latency = 150 }", DOC, True),
    ("{ $.latency != 150 }", DOC, False),
    ("{ $.count = 12 }", DOC, False),
    ("{ $.user.id = 7 }", DOC, True),
    ('{ $.user.name = "frank" }', DOC, True),
    ('{ $.tags[1] = "b" }', DOC, True),
    ("{ $.items[1].id = 2 }", DOC, True),
    ("{ $.items[5].id = 2 }", DOC, False),
    ('{ $.level = "ERROR" && $.latency > 100 }', DOC, True),
    ('{ $.level = "INFO" && $.latency > 100 }', DOC, False),
    ('{ $.level = "INFO" || $.latency > 100 }', DOC, True),
    ('{ ($.level = "INFO" || $.latency > 100) && $.user.id = 7 }', DOC, True),
    ('{ ($.level = "INFO" || $.latency > 1000) && $.user.id = 7 }', DOC, False),
    ("{ $.nothing IS NULL }", DOC, True),
    ("{ $.level IS NULL }", DOC, False),
    ("{ $.missing NOT EXISTS }", DOC, True),
    ("{ $.level NOT EXISTS }", DOC, False),
    ("{ $.level EXISTS }", DOC, True),
    ("{ $.retry IS TRUE }", DOC, True),
    ("{ $.ok IS FALSE }", DOC, True),
    ("{ $.ok IS TRUE }", DOC, False),
    ("{ $.level = %ERR.R% }", DOC, True),
    ('{ $.level = "ERROR" }', LINE, False),
    ('{ $.missing = "x" }', DOC, False),
    ('{ $.missing != "x" }', DOC, False),
    # space-delimited
    ("[ip, id, user, timestamp, request, status_code, size]", ACCESS, True),
    ("[ip, id, user, timestamp, request, status_code = 404, size]", ACCESS, True),
    ("[ip, id, user, timestamp, request, status_code = 200, size]", ACCESS, False),
    ("[ip, id, user, timestamp, request, status_code = 4*, size > 1000]", ACCESS, True),
    ("[ip, id, user, timestamp, request, status_code, size > 5000]", ACCESS, False),
    ("[ip, ..., status_code = 404, size]", ACCESS, True),
    ("[..., size = 2326]", ACCESS, True),
    ("[ip = 127.0.0.1, ...]", ACCESS, True),
    ("[ip = 10.*, ...]", ACCESS, False),
    ('[ip, id, user, timestamp, request = "GET *", ...]', ACCESS, True),
    ("[ip, id, user, time, request, code = 5* || code = 404, size]", ACCESS, True),
    ("[ip, id, user, time, request, code != 404 && code != 500, size]", ACCESS, False),
    ("[ip, id, user]", ACCESS, False),
    ("[a, b, c, d, e, f, g, h]", ACCESS, False),
    ('[ip, id, user, time, request, code = "404" && code != "500", size]', ACCESS, True),
    ("[ip, id, user, time, request, 3rd_col, size]", ACCESS, True),
]  # fmt: skip


@pytest.mark.parametrize(("pattern", "message", "expected"), CASES)
def test_matching(pattern: str, message: str, expected: bool) -> None:
    assert compile_pattern(pattern).matches(message) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        "{ $.a = ",
        "{ $.a = 1",
        "{ a = 1 }",
        "{ $.a ~ 1 }",
        "{ $.a = 1 } trailing",
        "[a, b",
        "[a, a]",
        "[a = ]",
        '"unterminated',
        "%unterminated",
        "%(group)%",
        "%something!%",
        "%two words%",
        "term{",
        "?",
    ],
)
def test_invalid_patterns(pattern: str) -> None:
    with pytest.raises(InvalidPattern):
        compile_pattern(pattern)


def test_resolving_fields_for_metric_values() -> None:
    json_pattern = compile_pattern("{ $.latency > 0 }")
    match = json_pattern.match(DOC)
    assert json_pattern.resolve(match, "$.latency") == 150
    assert json_pattern.resolve(match, "$.user.name") == "frank"
    assert json_pattern.resolve(match, "$.absent") is None
    delimited = compile_pattern("[ip, id, user, timestamp, request, status_code, size]")
    fields = delimited.match(ACCESS)
    assert delimited.resolve(fields, "$size") == "2326"
    assert delimited.resolve(fields, "$request") == "GET /apache_pb.gif HTTP/1.0"
    assert delimited.resolve(fields, "$timestamp") == "10/Oct/2000:13:55:36 -0700"
