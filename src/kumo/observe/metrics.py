"""The metric store: CloudWatch metrics and their datapoints, and statistics over them.

Two tables:

* ``cw.metrics`` — ``(account, region, namespace, metric name, dimensions)`` → the metric
  (its dimensions and when it last received data), for ListMetrics;
* ``cw.data`` — ``(account, region, namespace, metric name, dimensions, timestamp, seq)`` →
  one datapoint, so reading a metric over a time range is one range scan.

A metric is named by its namespace, name and *set* of dimensions: the dimensions are kept
sorted by name, so the order a client sent them in does not make another metric.

A datapoint is either raw values (with optional counts, as PutMetricData's ``Values`` and
``Counts``) or a statistic set (``StatisticValues``); :func:`aggregate` folds the datapoints
of one period into the statistics GetMetricStatistics and GetMetricData report.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kumo.storage.base import Tx
from kumo.storage.keys import key, key_prefix

__all__ = [
    "DATA",
    "METRICS",
    "Datapoint",
    "Dimensions",
    "Metric",
    "Stats",
    "aggregate",
    "buckets",
    "dims_id",
    "iter_datapoints",
    "iter_metrics",
    "normalize",
    "percentile",
    "put_datapoint",
]

METRICS = "cw.metrics"
DATA = "cw.data"

Dimensions = tuple[tuple[str, str], ...]


def dims_id(dimensions: Dimensions) -> str:
    """The canonical key part of a dimension set (sorted by name)."""
    return json.dumps(sorted(dimensions), separators=(",", ":"))


def normalize(dimensions: Sequence[tuple[str, str]]) -> Dimensions:
    return tuple(sorted((str(n), str(v)) for n, v in dimensions))


class _Sequence:
    """Increasing integers, time-based so they keep increasing across restarts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def next(self) -> int:
        with self._lock:
            self._last = max(self._last + 1, time.time_ns())
            return self._last


_SEQ = _Sequence()


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    dimensions: Dimensions
    last_ms: int


@dataclass
class Datapoint:
    timestamp_ms: int
    unit: str | None
    # raw values with their counts (Values/Counts, or one Value)
    values: list[float] = field(default_factory=list)
    counts: list[float] = field(default_factory=list)
    # a statistic set: SampleCount, Sum, Minimum, Maximum
    stats: dict[str, float] | None = None
    storage_resolution: int = 60


def put_datapoint(
    tx: Tx,
    account: str,
    region: str,
    namespace: str,
    name: str,
    dimensions: Sequence[tuple[str, str]],
    point: Datapoint,
) -> None:
    """Record one datapoint, registering the metric when it is new."""
    dims = normalize(dimensions)
    did = dims_id(dims)
    mkey = key(account, region, namespace, name, did)
    known = tx.get(METRICS, mkey)
    last = max(point.timestamp_ms, known["last"] if known else 0)
    tx.put(METRICS, mkey, {"ns": namespace, "name": name, "dims": list(dims), "last": last})
    value: dict[str, Any] = {
        "t": point.timestamp_ms,
        "u": point.unit,
        "r": point.storage_resolution,
    }
    if point.stats is not None:
        value["s"] = point.stats
    else:
        value["v"] = point.values
        if point.counts and any(c != 1 for c in point.counts):
            value["c"] = point.counts
    tx.put(DATA, key(account, region, namespace, name, did, point.timestamp_ms, _SEQ.next()), value)


def iter_metrics(
    tx: Tx,
    account: str,
    region: str,
    namespace: str | None = None,
    name: str | None = None,
    after: bytes | None = None,
) -> Iterator[tuple[bytes, Metric]]:
    """``(key, metric)`` in (namespace, name, dimensions) order, narrowed by namespace and
    name, after the key ``after`` (to continue a listing)."""
    if namespace is None:
        prefix = key_prefix(account, region, "")
    elif name is None:
        prefix = key(account, region, namespace)
    else:
        prefix = key(account, region, namespace, name)
    start = after + b"\xff" if after is not None else None
    for k, value in tx.scan(METRICS, prefix=prefix, start=start):
        if name is not None and value["name"] != name:
            # only when no namespace narrowed the scan to the name's own range
            continue
        dims = tuple((str(n), str(v)) for n, v in value["dims"])
        yield k, Metric(value["ns"], value["name"], dims, int(value["last"]))


def iter_datapoints(
    tx: Tx,
    account: str,
    region: str,
    namespace: str,
    name: str,
    dimensions: Sequence[tuple[str, str]],
    start_ms: int,
    end_ms: int,
) -> Iterator[Datapoint]:
    """The datapoints of one metric with ``start_ms <= timestamp < end_ms``, oldest first."""
    did = dims_id(normalize(dimensions))
    base = (account, region, namespace, name, did)
    for _, value in tx.scan(DATA, start=key(*base, start_ms), end=key(*base, end_ms)):
        yield Datapoint(
            timestamp_ms=int(value["t"]),
            unit=value.get("u"),
            values=[float(v) for v in value.get("v", [])],
            counts=[float(c) for c in value.get("c", [])],
            stats=value.get("s"),
            storage_resolution=int(value.get("r", 60)),
        )


@dataclass
class Stats:
    """The statistics of one period."""

    sample_count: float = 0.0
    sum: float = 0.0
    minimum: float = math.inf
    maximum: float = -math.inf
    unit: str | None = None
    # raw (value, count) pairs, for percentiles; statistic sets contribute none
    samples: list[tuple[float, float]] = field(default_factory=list)

    @property
    def average(self) -> float:
        return self.sum / self.sample_count if self.sample_count else 0.0

    def statistic(self, name: str) -> float | None:
        if name == "SampleCount":
            return self.sample_count
        if name == "Sum":
            return self.sum
        if name == "Average":
            return self.average
        if name == "Minimum":
            return self.minimum
        if name == "Maximum":
            return self.maximum
        if name.startswith("p"):
            try:
                pct = float(name[1:])
            except ValueError:
                return None
            return percentile(self.samples, pct)
        return None


def aggregate(points: Sequence[Datapoint]) -> Stats:
    """Fold datapoints into one :class:`Stats`."""
    stats = Stats()
    for point in points:
        if stats.unit is None and point.unit:
            stats.unit = point.unit
        if point.stats is not None:
            stats.sample_count += float(point.stats["SampleCount"])
            stats.sum += float(point.stats["Sum"])
            stats.minimum = min(stats.minimum, float(point.stats["Minimum"]))
            stats.maximum = max(stats.maximum, float(point.stats["Maximum"]))
            continue
        counts = point.counts or [1.0] * len(point.values)
        for value, count in zip(point.values, counts, strict=False):
            stats.sample_count += count
            stats.sum += value * count
            stats.minimum = min(stats.minimum, value)
            stats.maximum = max(stats.maximum, value)
            stats.samples.append((value, count))
    return stats


def percentile(samples: Sequence[tuple[float, float]], pct: float) -> float | None:
    """The ``pct`` percentile of weighted samples (nearest rank), or None without samples."""
    if not samples or not 0 <= pct <= 100:
        return None
    ordered = sorted(samples)
    total = sum(count for _, count in ordered)
    if total <= 0:
        return None
    rank = max(1.0, math.ceil(pct / 100 * total))
    seen = 0.0
    for value, count in ordered:
        seen += count
        if seen >= rank:
            return value
    return ordered[-1][0]


def buckets(points: Iterable[Datapoint], period_ms: int) -> dict[int, Stats]:
    """Statistics per period: datapoints grouped by ``timestamp // period`` (epoch-aligned)."""
    grouped: dict[int, list[Datapoint]] = {}
    for point in points:
        start = point.timestamp_ms - point.timestamp_ms % period_ms
        grouped.setdefault(start, []).append(point)
    return {start: aggregate(group) for start, group in grouped.items()}
