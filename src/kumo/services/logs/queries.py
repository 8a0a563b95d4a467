"""Logs Insights queries: StartQuery runs the query at once over the log store and keeps
its results in ``logs.queries`` (keyed ``(account, region, query id)``) for GetQueryResults
and DescribeQueries. A query is therefore ``Complete`` as soon as it is known.
GetLogGroupFields reports the fields Insights discovers in a group's recent events.
"""

from __future__ import annotations

import base64
import heapq
import uuid
from collections.abc import Iterator
from typing import Any

from kumo.aws.errors import ServiceError
from kumo.observe.insights import MalformedQuery, Record, make_record, parse_query, run_query
from kumo.observe.log_reads import iter_group_events
from kumo.observe.logs import get_group
from kumo.services.logs.errors import NO_GROUP, invalid_parameter, not_found
from kumo.storage.base import Tx
from kumo.storage.keys import key, key_prefix

__all__ = ["QUERIES", "describe_queries", "get_query", "group_fields", "start_query"]

QUERIES = "logs.queries"
# the QueryInfo members DescribeQueries reports
_INFO_FIELDS = ("queryId", "queryString", "status", "createTime", "logGroupName", "queryLanguage")


def _ptr(group: str, timestamp: int, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{group}\x00{timestamp}\x00{seq}".encode()).decode()


def _records(
    tx: Tx, account: str, region: str, groups: list[str], start_ms: int, end_ms: int
) -> Iterator[Record]:
    def one(group: str) -> Iterator[tuple[int, int, Record]]:
        for event in iter_group_events(tx, account, region, group, start_ms, end_ms):
            record = make_record(
                group, event.stream, event.timestamp, event.message, event.ingestion_time,
                _ptr(group, event.timestamp, event.seq),
            )  # fmt: skip
            yield event.timestamp, event.seq, record

    for _, _, record in heapq.merge(*(one(g) for g in groups), key=lambda t: (t[0], t[1])):
        yield record


def start_query(
    tx: Tx,
    account: str,
    region: str,
    groups: list[str],
    start_time: int,
    end_time: int,
    query_string: str,
    limit: int | None,
    now_ms: int,
) -> str:
    if end_time < start_time:
        raise invalid_parameter("End time must be after start time.")
    try:
        query = parse_query(query_string)
    except MalformedQuery as exc:
        raise ServiceError(
            f"Query is malformed: {exc}", code="MalformedQueryException", status=400
        ) from exc
    for group in groups:
        if get_group(tx, account, region, group) is None:
            raise not_found(NO_GROUP)
    records = _records(tx, account, region, groups, start_time * 1000, end_time * 1000 + 999)
    result = run_query(query, records, limit or 10_000)
    query_id = str(uuid.uuid4())
    tx.put(
        QUERIES,
        key(account, region, query_id),
        {
            "queryId": query_id,
            "queryString": query_string,
            "status": "Complete",
            "createTime": now_ms,
            "logGroupName": groups[0],
            "queryLanguage": "CWLI",
            "results": result.rows,
            "statistics": {
                "recordsMatched": float(result.matched),
                "recordsScanned": float(result.scanned),
                "bytesScanned": float(result.bytes_scanned),
            },
        },
    )
    return query_id


def get_query(tx: Tx, account: str, region: str, query_id: str) -> dict[str, Any]:
    value = tx.get(QUERIES, key(account, region, query_id))
    if value is None:
        raise not_found(f"Query {query_id} does not exist.")
    out: dict[str, Any] = value
    return out


def describe_queries(
    tx: Tx, account: str, region: str, group: str | None, status: str | None, limit: int
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for _, value in tx.scan(QUERIES, prefix=key_prefix(account, region, "")):
        if group is not None and value["logGroupName"] != group:
            continue
        if status is not None and value["status"] != status:
            continue
        found.append({k: value[k] for k in _INFO_FIELDS})
    found.sort(key=lambda q: q["createTime"], reverse=True)
    return found[:limit]


# GetLogGroupFields looks at this many events at most, as a sample of the window
_FIELDS_SAMPLE = 10_000


def group_fields(
    tx: Tx, account: str, region: str, group: str, time_s: int | None, now_ms: int
) -> list[dict[str, Any]]:
    """The fields of a group's recent events with the share of events holding each.

    Without ``time_s`` the window is the last 15 minutes; with it, 8 minutes either side.
    """
    if get_group(tx, account, region, group) is None:
        raise not_found(NO_GROUP)
    if time_s is None:
        start, end = now_ms - 15 * 60_000, now_ms
    else:
        start, end = time_s * 1000 - 8 * 60_000, time_s * 1000 + 8 * 60_000
    counts: dict[str, int] = {}
    total = 0
    for event in iter_group_events(tx, account, region, group, start, end):
        record = make_record(
            group, event.stream, event.timestamp, event.message, event.ingestion_time, ""
        )
        total += 1
        for name in record:
            if name != "@ptr":
                counts[name] = counts.get(name, 0) + 1
        if total >= _FIELDS_SAMPLE:
            break
    return [{"name": name, "percent": round(100 * n / total)} for name, n in sorted(counts.items())]
