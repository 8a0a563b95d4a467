"""Metric alarms: their records, the rules PutMetricAlarm checks, and their history.

Alarms are stored in ``cw.alarms`` keyed ``(account, region, name)`` as the MetricAlarm
shape's members (timestamps in epoch milliseconds); ``cw.alarm_history`` keeps one item per
configuration or state change, keyed ``(account, region, name, time, seq)``. Evaluating
alarms against their metrics is not done here: an alarm's state changes only through
SetAlarmState.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

from kumo.services.cloudwatch.errors import invalid_combination, invalid_value, missing_parameter
from kumo.services.cloudwatch.metric_data import check_extended, check_namespace, check_period
from kumo.storage.base import Tx
from kumo.storage.keys import key, key_prefix

__all__ = [
    "ALARMS",
    "HISTORY",
    "alarm_output",
    "check_alarm",
    "get_alarm",
    "iter_alarms",
    "put_alarm",
    "record_history",
]

ALARMS = "cw.alarms"
HISTORY = "cw.alarm_history"

_TIMESTAMPS = ("AlarmConfigurationUpdatedTimestamp", "StateUpdatedTimestamp",
               "StateTransitionedTimestamp")  # fmt: skip

_lock = threading.Lock()
_last_seq = 0


def _seq() -> int:
    global _last_seq
    with _lock:
        _last_seq = max(_last_seq + 1, time.time_ns())
        return _last_seq


def check_alarm(params: dict[str, Any]) -> None:
    """PutMetricAlarm's checks on the combination of parameters."""
    if params.get("EvaluationPeriods") is None:
        raise missing_parameter("The parameter EvaluationPeriods is required.")
    metrics = params.get("Metrics")
    single = [
        k for k in ("MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions",
                    "Period", "Unit") if params.get(k) is not None
    ]  # fmt: skip
    if metrics and single:
        raise invalid_combination(
            f"The parameters Metrics and {single[0]} are mutually exclusive and you have "
            "specified both."
        )
    if metrics:
        returned = [m for m in metrics if m.get("ReturnData", True)]
        if len(returned) != 1 and not params.get("ThresholdMetricId"):
            raise invalid_value("Exactly one element of the metrics list should return data.")
        return
    if params.get("MetricName") is None:
        raise missing_parameter("The parameter MetricName is required.")
    if params.get("Namespace") is None:
        raise missing_parameter("The parameter Namespace is required.")
    check_namespace(params["Namespace"])
    statistic, extended = params.get("Statistic"), params.get("ExtendedStatistic")
    if statistic and extended:
        raise invalid_combination(
            "The parameters Statistic and ExtendedStatistic are mutually exclusive and you "
            "have specified both."
        )
    if not statistic and not extended:
        raise missing_parameter("One of the parameters Statistic or ExtendedStatistic is required.")
    if extended:
        check_extended(extended)
    if params.get("Period") is None:
        raise missing_parameter("The parameter Period is required.")
    check_period(params["Period"])
    if params.get("ComparisonOperator") is None:
        raise missing_parameter("The parameter ComparisonOperator is required.")
    if params.get("Threshold") is None and not params.get("ThresholdMetricId"):
        raise missing_parameter("The parameter Threshold is required.")
    points = params.get("DatapointsToAlarm")
    if points is not None and points > params["EvaluationPeriods"]:
        raise invalid_value("DatapointsToAlarm must be less than or equal to EvaluationPeriods.")
    treat = params.get("TreatMissingData")
    if treat is not None and treat not in ("breaching", "notBreaching", "ignore", "missing"):
        raise invalid_value(f"The value {treat} for parameter TreatMissingData is not supported.")
    low_count = params.get("EvaluateLowSampleCountPercentile")
    if low_count is not None and low_count not in ("evaluate", "ignore"):
        raise invalid_value(
            f"The value {low_count} for parameter EvaluateLowSampleCountPercentile is not "
            "supported."
        )


def get_alarm(tx: Tx, account: str, region: str, name: str) -> dict[str, Any] | None:
    value: dict[str, Any] | None = tx.get(ALARMS, key(account, region, name))
    return value


def put_alarm(tx: Tx, account: str, region: str, alarm: dict[str, Any]) -> None:
    tx.put(ALARMS, key(account, region, alarm["AlarmName"]), alarm)


def iter_alarms(
    tx: Tx, account: str, region: str, prefix: str = "", after: str | None = None
) -> Iterator[dict[str, Any]]:
    start = key(account, region, after) + b"\xff" if after is not None else None
    for _, value in tx.scan(ALARMS, prefix=key_prefix(account, region, prefix), start=start):
        yield value


def record_history(
    tx: Tx,
    account: str,
    region: str,
    name: str,
    item_type: str,
    summary: str,
    data: dict[str, Any],
    now_ms: int,
) -> None:
    tx.put(
        HISTORY,
        key(account, region, name, now_ms, _seq()),
        {
            "AlarmName": name,
            "AlarmType": "MetricAlarm",
            "Timestamp": now_ms,
            "HistoryItemType": item_type,
            "HistorySummary": summary,
            "HistoryData": json.dumps(data, separators=(",", ":")),
        },
    )


def alarm_output(alarm: dict[str, Any]) -> dict[str, Any]:
    """The MetricAlarm shape: stored milliseconds become timestamps, tags stay private."""
    from kumo.services.cloudwatch.metric_data import from_ms

    out = {k: v for k, v in alarm.items() if k != "Tags"}
    for name in _TIMESTAMPS:
        if out.get(name) is not None:
            out[name] = from_ms(out[name])
    return out
