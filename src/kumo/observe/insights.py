"""A subset of the CloudWatch Logs Insights query language, run over the log store.

Commands, joined by ``|`` and applied in order (parsed by :mod:`kumo.observe.insights_query`):

* ``fields a, b, ...`` / ``display a, b, ...`` — which fields each result carries;
* ``filter <condition>`` — comparisons (``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``) against
  quoted strings and numbers, ``like "text"`` / ``like /regex/`` (``not like``),
  ``in [...]``, ``ispresent(field)``, combined with ``and``, ``or``, ``not`` and parentheses;
* ``parse field "text * with * globs" as a, b`` and ``parse field /(?<name>regex)/``;
* ``sort field [asc|desc]``, ``limit n``;
* ``stats count(*) | count(f) | sum(f) | avg(f) | min(f) | max(f) [as name], ... [by f, ...]``,
  grouping also by time with ``bin(5m)`` (units ``ms``, ``s``, ``m``, ``h``, ``d``).

Every event offers ``@timestamp``, ``@message``, ``@logStream``, ``@log``,
``@ingestionTime``; the members of a JSON message (nested ones as ``a.b``); and for Lambda's
``REPORT`` lines ``@type``, ``@requestId``, ``@duration``, ``@billedDuration``,
``@memorySize``, ``@maxMemoryUsed`` and ``@initDuration``, as Logs Insights discovers them.

Memory stays bounded: events stream through filters; a sort keeps only as many rows as the
query can return; stats keep one accumulator per group.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kumo.observe.insights_query import (
    BIN,
    BIN_UNITS,
    Condition,
    MalformedQuery,
    Query,
    Record,
    Stat,
    number_of,
    parse_query,
    text_of,
)

__all__ = [
    "MalformedQuery",
    "Query",
    "QueryResult",
    "Record",
    "make_record",
    "parse_query",
    "run_query",
]

MAX_RESULTS = 10_000


def _group_value(record: Record, group: str) -> str:
    found = BIN.fullmatch(group)
    if found is None:
        return text_of(record.get(group)) or ""
    # bin(5m): the event's time rounded down to the period, shown as Insights shows times
    period = int(found.group(1)) * BIN_UNITS[found.group(2)]
    timestamp = record.get("@timestamp")
    if not isinstance(timestamp, int) or period <= 0:
        return ""
    return _format_field("@timestamp", timestamp - timestamp % period)


# -- records ------------------------------------------------------------------------------

_REPORT = re.compile(
    r"^REPORT RequestId: (?P<id>\S+)\s+Duration: (?P<d>[\d.]+) ms\s+Billed Duration: (?P<b>\d+) "
    r"ms\s+Memory Size: (?P<m>\d+) MB\s+Max Memory Used: (?P<u>\d+) MB"
    r"(?:\s+Init Duration: (?P<i>[\d.]+) ms)?"
)


def _flatten(value: Any, prefix: str, out: Record) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _flatten(v, f"{prefix}.{i}", out)
    elif prefix:
        out[prefix] = value


def make_record(
    group: str, stream: str, timestamp: int, message: str, ingestion: int, ptr: str
) -> Record:
    record: Record = {
        "@timestamp": timestamp,
        "@message": message,
        "@logStream": stream,
        "@log": group,
        "@ingestionTime": ingestion,
        "@ptr": ptr,
    }
    text = message.strip()
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            fields: Record = {}
            _flatten(doc, "", fields)
            for k, v in fields.items():
                record.setdefault(k, v)
    elif text.startswith("REPORT RequestId:"):
        found = _REPORT.match(text)
        if found:
            record.update(
                {
                    "@type": "REPORT",
                    "@requestId": found.group("id"),
                    "@duration": float(found.group("d")),
                    "@billedDuration": int(found.group("b")),
                    "@memorySize": int(found.group("m")) * 1_000_000,
                    "@maxMemoryUsed": int(found.group("u")) * 1_000_000,
                }
            )
            if found.group("i"):
                record["@initDuration"] = float(found.group("i"))
    return record


def _format_field(name: str, value: Any) -> str:
    if name in ("@timestamp", "@ingestionTime") and isinstance(value, int):
        when = dt.datetime.fromtimestamp(value / 1000, dt.UTC)
        return when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d}"
    return text_of(value) or ""


# -- running ------------------------------------------------------------------------------


@dataclass
class QueryResult:
    rows: list[list[dict[str, str]]]
    matched: int
    scanned: int
    bytes_scanned: int


class _Accumulator:
    def __init__(self) -> None:
        self.count = 0
        self.sum = 0.0
        self.min: float | None = None
        self.max: float | None = None

    def add(self, value: float) -> None:
        self.count += 1
        self.sum += value
        self.min = value if self.min is None else min(self.min, value)
        self.max = value if self.max is None else max(self.max, value)


def _stats(records: Iterable[Record], stats: list[Stat], groups: list[str]) -> Iterator[Record]:
    table: dict[tuple[str, ...], list[_Accumulator]] = {}
    for record in records:
        group_key = tuple(_group_value(record, g) for g in groups)
        accumulators = table.setdefault(group_key, [_Accumulator() for _ in stats])
        for stat, acc in zip(stats, accumulators, strict=True):
            if stat.argument is None:
                acc.add(0.0)
                continue
            value = record.get(stat.argument)
            if value is None:
                continue
            number = number_of(value)
            if stat.function == "count":
                acc.add(0.0)
            elif number is not None:
                acc.add(number)
    for group_key, accumulators in table.items():
        row: Record = dict(zip(groups, group_key, strict=True))
        for stat, acc in zip(stats, accumulators, strict=True):
            if stat.function == "count":
                row[stat.name] = acc.count
            elif acc.count:
                row[stat.name] = {
                    "sum": acc.sum, "avg": acc.sum / acc.count, "min": acc.min, "max": acc.max,
                }[stat.function]  # fmt: skip
        yield row


def _sort_key(value: Any) -> tuple[int, float, str]:
    number = number_of(value)
    if number is not None:
        return (0, number, "")
    return (1, 0.0, text_of(value) or "")


def run_query(query: Query, records: Iterable[Record], limit: int) -> QueryResult:
    """Apply ``query`` to ``records`` (time-ordered) and format at most ``limit`` rows."""
    counter = {"scanned": 0, "bytes": 0}

    def counted(source: Iterable[Record]) -> Iterator[Record]:
        for record in source:
            counter["scanned"] += 1
            counter["bytes"] += len(str(record.get("@message", "")))
            yield record

    stream: Iterable[Record] = counted(records)
    projection: list[str] | None = None
    cap = min(limit, MAX_RESULTS)
    for index, (kind, value) in enumerate(query.stages):
        if kind == "filter":
            stream = _where(stream, value)
        elif kind == "parse":
            stream = _parsed(stream, value)
        elif kind == "fields":
            projection = list(value)
        elif kind == "limit":
            stream = _take(stream, value)
        elif kind == "sort":
            name, descending = value
            later_limits = [v for k, v in query.stages[index + 1 :] if k == "limit"]
            keep = min([cap, *later_limits])
            stream = _top(stream, name, descending, keep)
        elif kind == "stats":
            stats, groups = value
            stream = _stats(stream, stats, groups)
            projection = [*groups, *(s.name for s in stats)]
    matched_rows = list(_take(stream, cap))
    if projection is None:
        projection = ["@timestamp", "@message"]
    out: list[list[dict[str, str]]] = []
    for record in matched_rows:
        row = [
            {"field": name, "value": _format_field(name, record[name])}
            for name in projection
            if record.get(name) is not None
        ]
        if "@ptr" in record:
            row.append({"field": "@ptr", "value": str(record["@ptr"])})
        out.append(row)
    return QueryResult(out, len(matched_rows), counter["scanned"], counter["bytes"])


def _parsed(source: Iterable[Record], apply: Callable[[Record], None]) -> Iterator[Record]:
    for record in source:
        apply(record)
        yield record


def _where(source: Iterable[Record], condition: Condition) -> Iterator[Record]:
    return (record for record in source if condition(record))


def _top(source: Iterable[Record], name: str, descending: bool, keep: int) -> Iterator[Record]:
    """The first ``keep`` rows in ``name`` order: a heap of that size, never the whole input."""

    def sort_key(record: Record) -> tuple[int, float, str]:
        return _sort_key(record.get(name))

    picker = heapq.nlargest if descending else heapq.nsmallest
    return iter(picker(keep, source, key=sort_key))


def _take(source: Iterable[Record], n: int) -> Iterator[Record]:
    for i, record in enumerate(source):
        if i >= n:
            return
        yield record
