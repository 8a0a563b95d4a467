"""Metric data over the wire: PutMetricData's checks, and the statistics GetMetricStatistics
and GetMetricData compute from the metric store (:mod:`kumo.observe.metrics`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kumo.observe.metrics import Datapoint, Stats, buckets, iter_datapoints
from kumo.services.cloudwatch.errors import (
    invalid_combination,
    invalid_value,
    missing_parameter,
)
from kumo.storage.base import Tx

__all__ = [
    "STANDARD_STATISTICS",
    "Series",
    "check_extended",
    "check_namespace",
    "check_period",
    "datapoint_output",
    "dimensions_of",
    "from_ms",
    "parse_datum",
    "series",
    "to_ms",
]

STANDARD_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
TWO_WEEKS_MS = 14 * 86_400_000
TWO_HOURS_MS = 2 * 3_600_000
MAX_VALUES = 150
MAX_DATAPOINTS = 1440

_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d{1,10})?|100(\.0{1,10})?)$")


def to_ms(value: Any) -> int:
    if isinstance(value, dt.datetime):
        when = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return int(when.timestamp() * 1000)
    return int(float(value) * 1000)


def from_ms(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)


def dimensions_of(raw: Sequence[dict[str, str]] | None) -> list[tuple[str, str]]:
    return [(d["Name"], d["Value"]) for d in raw or []]


def check_namespace(namespace: str, member: str = "Namespace") -> None:
    if namespace.startswith("AWS/"):
        raise invalid_value(f"The value {namespace} for parameter {member} is invalid.")
    if namespace.startswith(":"):
        raise invalid_value(f"The value {namespace} for parameter {member} is invalid.")


def _finite(value: Any, member: str) -> float:
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise invalid_value(f"The value {value} for parameter {member} is invalid.")
    # CloudWatch rejects values too small or too large to store: 2^-260 .. 2^360
    if number != 0 and not 2.0**-260 <= abs(number) <= 2.0**360:
        raise invalid_value(f"The value {value} for parameter {member} is invalid.")
    return number


def parse_datum(
    raw: dict[str, Any], index: int, now_ms: int
) -> tuple[str, list[tuple[str, str]], Datapoint]:
    """One MetricData member as ``(name, dimensions, datapoint)``, after AWS's checks."""
    where = f"MetricData.member.{index}"
    has_value = raw.get("Value") is not None
    has_values = raw.get("Values") is not None
    has_stats = raw.get("StatisticValues") is not None
    if has_value and has_values:
        raise invalid_combination(
            f"The parameters {where}.Value and {where}.Values are mutually exclusive and you "
            "have specified both."
        )
    if has_stats and (has_value or has_values):
        other = "Value" if has_value else "Values"
        raise invalid_combination(
            f"The parameters {where}.{other} and {where}.StatisticValues are mutually "
            "exclusive and you have specified both."
        )
    if not (has_value or has_values or has_stats):
        raise missing_parameter(
            f"At least one of the parameters {where}.Value, {where}.Values or "
            f"{where}.StatisticValues must be specified."
        )
    dimensions = dimensions_of(raw.get("Dimensions"))
    names = [name for name, _ in dimensions]
    if len(set(names)) != len(names):
        raise invalid_value(f"The dimension names in {where}.Dimensions must be unique.")
    timestamp = to_ms(raw["Timestamp"]) if raw.get("Timestamp") is not None else now_ms
    if timestamp < now_ms - TWO_WEEKS_MS:
        raise invalid_value(
            f"The parameter {where}.Timestamp must specify a time no more than two weeks in "
            "the past."
        )
    if timestamp > now_ms + TWO_HOURS_MS:
        raise invalid_value(
            f"The parameter {where}.Timestamp must specify a time no more than two hours in "
            "the future."
        )
    resolution = raw.get("StorageResolution", 60)
    if resolution not in (1, 60):
        raise invalid_value(
            f"The value {resolution} for parameter {where}.StorageResolution is invalid."
        )
    point = Datapoint(timestamp_ms=timestamp, unit=raw.get("Unit"), storage_resolution=resolution)
    if has_stats:
        stats = raw["StatisticValues"]
        point.stats = {
            k: _finite(stats[k], f"{where}.StatisticValues.{k}")
            for k in ("SampleCount", "Sum", "Minimum", "Maximum")
        }
        if point.stats["SampleCount"] <= 0:
            raise invalid_value(
                f"The value {stats['SampleCount']} for parameter "
                f"{where}.StatisticValues.SampleCount is invalid."
            )
        if point.stats["Minimum"] > point.stats["Maximum"]:
            raise invalid_value(
                f"The parameter {where}.StatisticValues.Maximum must be greater than "
                f"{where}.StatisticValues.Minimum."
            )
    elif has_values:
        values = list(raw["Values"])
        counts = list(raw.get("Counts") or [])
        if len(values) > MAX_VALUES:
            raise invalid_value(
                f"The collection {where}.Values must not have a size greater than {MAX_VALUES}."
            )
        if counts and len(counts) != len(values):
            raise invalid_value(
                f"The parameters {where}.Values and {where}.Counts must be of the same size."
            )
        point.values = [_finite(v, f"{where}.Values") for v in values]
        point.counts = [_finite(c, f"{where}.Counts") for c in counts]
    else:
        point.values = [_finite(raw["Value"], f"{where}.Value")]
    return str(raw["MetricName"]), dimensions, point


def check_period(period: int, member: str = "Period") -> None:
    if period in (1, 5, 10, 20, 30) or period % 60 == 0:
        return
    raise invalid_value(f"The parameter {member} must be a multiple of 60.")


def check_extended(name: str) -> None:
    if not _PERCENTILE.match(name):
        raise invalid_value(
            f"The value {name} for parameter ExtendedStatistics is not a valid percentile."
        )


def datapoint_output(
    start_ms: int, stats: Stats, statistics: Sequence[str], extended: Sequence[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {"Timestamp": from_ms(start_ms)}
    for name in statistics:
        out[name] = stats.statistic(name)
    if extended:
        out["ExtendedStatistics"] = {
            name: value for name in extended if (value := stats.statistic(name)) is not None
        }
    out["Unit"] = stats.unit or "None"
    return out


@dataclass
class Series:
    """One result of GetMetricData: values by period start, ascending."""

    timestamps: list[int]
    values: list[float]


def series(
    tx: Tx,
    account: str,
    region: str,
    metric: dict[str, Any],
    period: int,
    stat: str,
    unit: str | None,
    start_ms: int,
    end_ms: int,
) -> Series:
    """A MetricStat's values over ``[start_ms, end_ms)``, one per period with data."""
    points = iter_datapoints(
        tx,
        account,
        region,
        metric.get("Namespace", ""),
        metric.get("MetricName", ""),
        dimensions_of(metric.get("Dimensions")),
        start_ms,
        end_ms,
    )
    if unit:
        points = (p for p in points if (p.unit or "None") == unit)
    by_period = buckets(points, period * 1000)
    timestamps: list[int] = []
    values: list[float] = []
    for start in sorted(by_period):
        value = by_period[start].statistic(stat)
        if value is not None:
            timestamps.append(start)
            values.append(value)
    return Series(timestamps, values)
