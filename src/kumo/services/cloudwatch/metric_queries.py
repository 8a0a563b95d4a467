"""GetMetricData: running a list of MetricDataQueries (MetricStat and metric math).

Each query's series is computed over the whole time range, then the datapoints of all the
returned queries are paged together: a page holds at most ``MaxDatapoints`` values, and the
token is how many were handed out before, so the next call resumes where the last stopped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kumo.aws.errors import ServiceError
from kumo.services.cloudwatch.expressions import ExpressionError, evaluate, references
from kumo.services.cloudwatch.metric_data import (
    STANDARD_STATISTICS,
    Series,
    check_period,
    from_ms,
    series,
)
from kumo.storage.base import Tx

__all__ = ["run_queries"]

_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d+)?|100)$")


def _validation(message: str) -> ServiceError:
    return ServiceError(message, code="ValidationException", status=400)


def _check(queries: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for i, query in enumerate(queries, start=1):
        where = f"MetricDataQueries.member.{i}"
        qid = query.get("Id", "")
        if not _ID.match(qid):
            raise _validation(
                f"The value {qid} for parameter {where}.Id is invalid: it must start with a "
                "lowercase letter and contain only letters, numbers and underscores."
            )
        if qid in seen:
            raise _validation("The values for parameter id in MetricDataQueries are not unique.")
        seen.add(qid)
        has_stat, has_expr = query.get("MetricStat") is not None, bool(query.get("Expression"))
        if has_stat == has_expr:
            raise _validation(
                f"The parameter {where} must specify exactly one of MetricStat and Expression."
            )
        if has_stat:
            stat = query["MetricStat"]
            check_period(int(stat.get("Period", 0)), f"{where}.MetricStat.Period")
            name = stat.get("Stat", "")
            if name not in STANDARD_STATISTICS and not _PERCENTILE.match(name):
                raise _validation(
                    f"The value {name} for parameter {where}.MetricStat.Stat is invalid."
                )


def _order(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """MetricStat queries first, then expressions after the ids they use."""
    done: set[str] = {q["Id"] for q in queries if q.get("MetricStat") is not None}
    ordered = [q for q in queries if q.get("MetricStat") is not None]
    pending = [q for q in queries if q.get("MetricStat") is None]
    while pending:
        ready = []
        for query in pending:
            try:
                needs = references(query["Expression"])
            except ExpressionError as exc:
                raise _validation(str(exc)) from exc
            if needs <= done:
                ready.append(query)
        if not ready:
            raise _validation("Circular or unknown references between metric data queries.")
        for query in ready:
            pending.remove(query)
            ordered.append(query)
            done.add(query["Id"])
    return ordered


def run_queries(
    tx: Tx,
    account: str,
    region: str,
    queries: list[dict[str, Any]],
    start_ms: int,
    end_ms: int,
    *,
    descending: bool,
    max_datapoints: int,
    offset: int,
    token: Callable[[int], str],
) -> dict[str, Any]:
    _check(queries)
    results: dict[str, Series] = {}
    metric_ids = [q["Id"] for q in queries if q.get("MetricStat") is not None]
    for query in _order(queries):
        stat = query.get("MetricStat")
        if stat is not None:
            results[query["Id"]] = series(
                tx, account, region, stat.get("Metric", {}), int(stat["Period"]), stat["Stat"],
                stat.get("Unit"), start_ms, end_ms,
            )  # fmt: skip
            continue
        try:
            results[query["Id"]] = evaluate(query["Expression"], results, metric_ids)
        except ExpressionError as exc:
            raise _validation(str(exc)) from exc
    out: list[dict[str, Any]] = []
    position = 0
    budget = max_datapoints
    truncated = False
    for query in queries:
        if not query.get("ReturnData", True):
            continue
        result = results[query["Id"]]
        pairs = list(zip(result.timestamps, result.values, strict=True))
        if descending:
            pairs.reverse()
        # the part of this query's datapoints the earlier pages did not hand out
        skip = max(0, offset - position)
        position += len(pairs)
        remaining = pairs[skip:]
        page = remaining[:budget] if remaining else []
        budget -= len(page)
        complete = len(page) == len(remaining)
        truncated = truncated or not complete
        label = query.get("Label") or (
            stat["Metric"].get("MetricName", query["Id"])
            if (stat := query.get("MetricStat")) is not None
            else query["Id"]
        )
        out.append(
            {
                "Id": query["Id"],
                "Label": label,
                "Timestamps": [from_ms(t) for t, _ in page],
                "Values": [v for _, v in page],
                "StatusCode": "Complete" if complete else "PartialData",
            }
        )
    response: dict[str, Any] = {"MetricDataResults": out, "Messages": []}
    if truncated:
        response["NextToken"] = token(offset + max_datapoints)
    return response
