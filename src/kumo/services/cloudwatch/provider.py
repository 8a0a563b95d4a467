"""The CloudWatch provider: metrics (put, statistics, metric data, list) and stored alarms.

Datapoints live in the metric store (:mod:`kumo.observe.metrics`), shared with the metrics
CloudWatch Logs derives from log events (metric filters, EMF). Alarms are stored and their
state set by SetAlarmState; evaluating them against their metrics is not done yet.
CloudWatch is served over all three of its protocols (CBOR, JSON and query).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.observe.metrics import buckets, iter_datapoints, iter_metrics, put_datapoint
from kumo.services.base import Provider, operation
from kumo.services.cloudwatch import alarms as al
from kumo.services.cloudwatch import metric_data as md
from kumo.services.cloudwatch.errors import (
    invalid_combination,
    invalid_format,
    invalid_next_token,
    invalid_value,
    missing_parameter,
    resource_not_found,
)
from kumo.services.cloudwatch.metric_queries import run_queries
from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = ["CloudWatchProvider"]

Output = dict[str, Any]

LIST_METRICS_PAGE = 500
# what an update of an alarm's configuration leaves as it was
_KEPT_ON_UPDATE = (
    "StateValue",
    "StateReason",
    "StateReasonData",
    "StateUpdatedTimestamp",
    "StateTransitionedTimestamp",
    "Tags",
)
RECENT_MS = 3 * 3_600_000


def _now_ms() -> int:
    return int(time.time() * 1000)


def _token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def _untoken(token: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(token.encode())
    except (ValueError, binascii.Error) as exc:
        raise invalid_next_token() from exc


class CloudWatchProvider(Provider):
    """Amazon CloudWatch: metrics and alarms."""

    service = "cloudwatch"

    # -- metrics -------------------------------------------------------------------------

    @operation("PutMetricData", blocking=True)
    def put_metric_data(
        self,
        ctx: RequestContext,
        namespace: str,
        metric_data: list[dict[str, Any]] | None = None,
        entity_metric_data: list[dict[str, Any]] | None = None,
    ) -> Output:
        md.check_namespace(namespace)
        # metrics sent with an entity are stored as metrics; the entity itself is not kept
        data = list(metric_data or [])
        for item in entity_metric_data or []:
            data.extend(item.get("MetricData") or [])
        if not data:
            raise missing_parameter("The parameter MetricData is required.")
        now = _now_ms()
        parsed = [md.parse_datum(raw, i, now) for i, raw in enumerate(data, start=1)]

        def put(tx: Tx) -> None:
            for name, dims, point in parsed:
                put_datapoint(tx, ctx.account_id, ctx.region, namespace, name, dims, point)

        self.store.write(put)
        return {}

    @operation("GetMetricStatistics", blocking=True)
    def get_metric_statistics(
        self,
        ctx: RequestContext,
        namespace: str,
        metric_name: str,
        start_time: Any,
        end_time: Any,
        period: int,
        dimensions: list[dict[str, str]] | None = None,
        statistics: list[str] | None = None,
        extended_statistics: list[str] | None = None,
        unit: str | None = None,
    ) -> Output:
        if not statistics and not extended_statistics:
            raise invalid_combination("Must specify either statistics or extended statistics")
        for name in extended_statistics or []:
            md.check_extended(name)
        md.check_period(period)
        start, end = md.to_ms(start_time), md.to_ms(end_time)
        if start >= end:
            raise invalid_value("The parameter StartTime must be less than the parameter EndTime.")
        requested = -(-(end - start) // (period * 1000))
        if requested > md.MAX_DATAPOINTS:
            raise invalid_combination(
                f"You have requested up to {requested:,} datapoints, which exceeds the limit of "
                "1,440. You may reduce the datapoints requested by increasing Period, or "
                "decreasing the time range."
            )
        dims = md.dimensions_of(dimensions)

        def get(tx: Tx) -> Output:
            points = iter_datapoints(
                tx, ctx.account_id, ctx.region, namespace, metric_name, dims, start, end
            )
            if unit:
                points = (p for p in points if (p.unit or "None") == unit)
            by_period = buckets(points, period * 1000)
            return {
                "Label": metric_name,
                "Datapoints": [
                    md.datapoint_output(
                        s, by_period[s], statistics or [], extended_statistics or []
                    )
                    for s in sorted(by_period)
                ],
            }

        return self.store.read(get)

    @operation("GetMetricData", blocking=True)
    def get_metric_data(
        self,
        ctx: RequestContext,
        metric_data_queries: list[dict[str, Any]],
        start_time: Any,
        end_time: Any,
        next_token: str | None = None,
        scan_by: str | None = None,
        max_datapoints: int | None = None,
    ) -> Output:
        start, end = md.to_ms(start_time), md.to_ms(end_time)
        if start >= end:
            raise invalid_value("The parameter StartTime must be less than the parameter EndTime.")
        offset = 0
        if next_token:
            raw = _untoken(next_token)
            if not raw.isdigit():
                raise invalid_next_token()
            offset = int(raw)
        return self.store.read(
            lambda tx: run_queries(
                tx, ctx.account_id, ctx.region, metric_data_queries, start, end,
                descending=(scan_by or "TimestampDescending") == "TimestampDescending",
                max_datapoints=max_datapoints or 100_800, offset=offset,
                token=lambda n: _token(str(n).encode()),
            )
        )  # fmt: skip

    @operation("ListMetrics")
    def list_metrics(
        self,
        ctx: RequestContext,
        namespace: str | None = None,
        metric_name: str | None = None,
        dimensions: list[dict[str, str]] | None = None,
        next_token: str | None = None,
        recently_active: str | None = None,
    ) -> Output:
        after = _untoken(next_token) if next_token else None
        wanted = [(d["Name"], d.get("Value")) for d in dimensions or []]
        now = _now_ms()

        def matches(dims: tuple[tuple[str, str], ...]) -> bool:
            have = dict(dims)
            return all(n in have and (v is None or have[n] == v) for n, v in wanted)

        def list_(tx: Tx) -> Output:
            found: list[Output] = []
            last = b""
            metrics = iter_metrics(tx, ctx.account_id, ctx.region, namespace, metric_name, after)
            for mkey, metric in metrics:
                if not matches(metric.dimensions):
                    continue
                if recently_active == "PT3H" and metric.last_ms < now - RECENT_MS:
                    continue
                if len(found) == LIST_METRICS_PAGE:
                    return {"Metrics": found, "NextToken": _token(last)}
                found.append(
                    {
                        "Namespace": metric.namespace,
                        "MetricName": metric.name,
                        "Dimensions": [{"Name": n, "Value": v} for n, v in metric.dimensions],
                    }
                )
                last = mkey
            return {"Metrics": found}

        return self.store.read(list_)

    # -- alarms --------------------------------------------------------------------------

    def _alarm_arn(self, ctx: RequestContext, name: str) -> str:
        return f"arn:aws:cloudwatch:{ctx.region}:{ctx.account_id}:alarm:{name}"

    @operation("PutMetricAlarm")
    def put_metric_alarm(
        self,
        ctx: RequestContext,
        alarm_name: str,
        evaluation_periods: int | None = None,
        comparison_operator: str | None = None,
        alarm_description: str | None = None,
        actions_enabled: bool | None = None,
        ok_actions: list[str] | None = None,
        alarm_actions: list[str] | None = None,
        insufficient_data_actions: list[str] | None = None,
        metric_name: str | None = None,
        namespace: str | None = None,
        statistic: str | None = None,
        extended_statistic: str | None = None,
        dimensions: list[dict[str, str]] | None = None,
        period: int | None = None,
        unit: str | None = None,
        datapoints_to_alarm: int | None = None,
        threshold: float | None = None,
        treat_missing_data: str | None = None,
        evaluate_low_sample_count_percentile: str | None = None,
        metrics: list[dict[str, Any]] | None = None,
        tags: list[dict[str, str]] | None = None,
        threshold_metric_id: str | None = None,
    ) -> Output:
        params: Output = {
            "AlarmName": alarm_name,
            "AlarmDescription": alarm_description,
            "ActionsEnabled": True if actions_enabled is None else actions_enabled,
            "OKActions": list(ok_actions or []),
            "AlarmActions": list(alarm_actions or []),
            "InsufficientDataActions": list(insufficient_data_actions or []),
            "MetricName": metric_name,
            "Namespace": namespace,
            "Statistic": statistic,
            "ExtendedStatistic": extended_statistic,
            "Dimensions": list(dimensions) if dimensions is not None else None,
            "Period": period,
            "Unit": unit,
            "EvaluationPeriods": evaluation_periods,
            "DatapointsToAlarm": datapoints_to_alarm,
            "Threshold": threshold,
            "ComparisonOperator": comparison_operator,
            "TreatMissingData": treat_missing_data,
            "EvaluateLowSampleCountPercentile": evaluate_low_sample_count_percentile,
            "Metrics": metrics,
            "ThresholdMetricId": threshold_metric_id,
        }
        al.check_alarm(params)
        record = {k: v for k, v in params.items() if v is not None}
        if metric_name is not None:
            record.setdefault("Dimensions", [])
        record["AlarmArn"] = self._alarm_arn(ctx, alarm_name)
        now = _now_ms()

        def put(tx: Tx) -> None:
            existing = al.get_alarm(tx, ctx.account_id, ctx.region, alarm_name)
            record["AlarmConfigurationUpdatedTimestamp"] = now
            if existing is None:
                record.update(
                    StateValue="INSUFFICIENT_DATA",
                    StateReason="Unchecked: Initial alarm creation",
                    StateUpdatedTimestamp=now,
                    StateTransitionedTimestamp=now,
                    Tags={t["Key"]: t["Value"] for t in tags or []},
                )
                summary = f'Alarm "{alarm_name}" created'
            else:
                for kept in _KEPT_ON_UPDATE:
                    if kept in existing:
                        record[kept] = existing[kept]
                summary = f'Alarm "{alarm_name}" updated'
            al.put_alarm(tx, ctx.account_id, ctx.region, record)
            al.record_history(
                tx, ctx.account_id, ctx.region, alarm_name, "ConfigurationUpdate", summary,
                {"type": "Create" if existing is None else "Update"}, now,
            )  # fmt: skip

        self.store.write(put)
        return {}

    @operation("DescribeAlarms")
    def describe_alarms(
        self,
        ctx: RequestContext,
        alarm_names: list[str] | None = None,
        alarm_name_prefix: str | None = None,
        alarm_types: list[str] | None = None,
        state_value: str | None = None,
        action_prefix: str | None = None,
        max_records: int | None = None,
        next_token: str | None = None,
    ) -> Output:
        if alarm_names and alarm_name_prefix:
            raise invalid_combination(
                "The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you "
                "have specified both."
            )
        after = _untoken(next_token).decode("utf-8", "replace") if next_token else None
        size = max_records or 50
        names = set(alarm_names or [])
        want_metric = not alarm_types or "MetricAlarm" in alarm_types

        def actions(alarm: Output) -> list[str]:
            return [*alarm["OKActions"], *alarm["AlarmActions"], *alarm["InsufficientDataActions"]]

        def describe(tx: Tx) -> Output:
            found: list[Output] = []
            out: Output = {"MetricAlarms": found, "CompositeAlarms": []}
            if not want_metric:
                return out
            for alarm in al.iter_alarms(
                tx, ctx.account_id, ctx.region, alarm_name_prefix or "", after
            ):
                if names and alarm["AlarmName"] not in names:
                    continue
                if state_value and alarm["StateValue"] != state_value:
                    continue
                if action_prefix and not any(a.startswith(action_prefix) for a in actions(alarm)):
                    continue
                if len(found) == size:
                    out["NextToken"] = _token(found[-1]["AlarmName"].encode())
                    return out
                found.append(al.alarm_output(alarm))
            return out

        return self.store.read(describe)

    @operation("DescribeAlarmsForMetric")
    def describe_alarms_for_metric(
        self,
        ctx: RequestContext,
        metric_name: str,
        namespace: str,
        statistic: str | None = None,
        extended_statistic: str | None = None,
        dimensions: list[dict[str, str]] | None = None,
        period: int | None = None,
        unit: str | None = None,
    ) -> Output:
        wanted_dims = sorted(md.dimensions_of(dimensions)) if dimensions is not None else None

        def describe(tx: Tx) -> Output:
            found: list[Output] = []
            for alarm in al.iter_alarms(tx, ctx.account_id, ctx.region):
                if alarm.get("MetricName") != metric_name or alarm.get("Namespace") != namespace:
                    continue
                if statistic and alarm.get("Statistic") != statistic:
                    continue
                if extended_statistic and alarm.get("ExtendedStatistic") != extended_statistic:
                    continue
                if period and alarm.get("Period") != period:
                    continue
                if unit and alarm.get("Unit") != unit:
                    continue
                if (
                    wanted_dims is not None
                    and sorted(md.dimensions_of(alarm.get("Dimensions"))) != wanted_dims
                ):
                    continue
                found.append(al.alarm_output(alarm))
            return {"MetricAlarms": found}

        return self.store.read(describe)

    @operation("DeleteAlarms")
    def delete_alarms(self, ctx: RequestContext, alarm_names: list[str]) -> Output:
        def delete(tx: Tx) -> None:
            # unknown names are ignored, as CloudWatch does
            for name in alarm_names:
                tx.delete(al.ALARMS, key(ctx.account_id, ctx.region, name))

        self.store.write(delete)
        return {}

    @operation("SetAlarmState")
    def set_alarm_state(
        self,
        ctx: RequestContext,
        alarm_name: str,
        state_value: str,
        state_reason: str,
        state_reason_data: str | None = None,
    ) -> Output:
        if state_reason_data is not None:
            try:
                json.loads(state_reason_data)
            except ValueError as exc:
                raise invalid_format("State reason data must be valid JSON") from exc
        now = _now_ms()

        def set_state(tx: Tx) -> None:
            alarm = al.get_alarm(tx, ctx.account_id, ctx.region, alarm_name)
            if alarm is None:
                raise resource_not_found(f"Alarm {alarm_name} not found")
            old = alarm["StateValue"]
            alarm.update(
                StateValue=state_value, StateReason=state_reason, StateUpdatedTimestamp=now
            )
            if state_reason_data is not None:
                alarm["StateReasonData"] = state_reason_data
            else:
                alarm.pop("StateReasonData", None)
            if old != state_value:
                alarm["StateTransitionedTimestamp"] = now
            al.put_alarm(tx, ctx.account_id, ctx.region, alarm)
            al.record_history(
                tx, ctx.account_id, ctx.region, alarm_name, "StateUpdate",
                f"Alarm updated from {old} to {state_value}",
                {"oldState": {"stateValue": old}, "newState": {"stateValue": state_value,
                 "stateReason": state_reason}}, now,
            )  # fmt: skip

        self.store.write(set_state)
        return {}

    def _set_actions_enabled(self, ctx: RequestContext, names: list[str], enabled: bool) -> None:
        def update(tx: Tx) -> None:
            for name in names:
                alarm = al.get_alarm(tx, ctx.account_id, ctx.region, name)
                if alarm is not None:
                    alarm["ActionsEnabled"] = enabled
                    al.put_alarm(tx, ctx.account_id, ctx.region, alarm)

        self.store.write(update)

    @operation("EnableAlarmActions")
    def enable_alarm_actions(self, ctx: RequestContext, alarm_names: list[str]) -> Output:
        self._set_actions_enabled(ctx, alarm_names, True)
        return {}

    @operation("DisableAlarmActions")
    def disable_alarm_actions(self, ctx: RequestContext, alarm_names: list[str]) -> Output:
        self._set_actions_enabled(ctx, alarm_names, False)
        return {}

    @operation("DescribeAlarmHistory")
    def describe_alarm_history(
        self,
        ctx: RequestContext,
        alarm_name: str | None = None,
        history_item_type: str | None = None,
        start_date: Any = None,
        end_date: Any = None,
        max_records: int | None = None,
        next_token: str | None = None,
        scan_by: str | None = None,
    ) -> Output:
        start = md.to_ms(start_date) if start_date is not None else None
        end = md.to_ms(end_date) if end_date is not None else None
        skip = 0
        if next_token:
            raw = _untoken(next_token)
            if not raw.isdigit():
                raise invalid_next_token()
            skip = int(raw)
        size = max_records or 50

        def history(tx: Tx) -> Output:
            prefix = (
                key(ctx.account_id, ctx.region, alarm_name)
                if alarm_name
                else key(ctx.account_id, ctx.region)
            )
            items = [
                v for _, v in tx.scan(al.HISTORY, prefix=prefix)
                if (not history_item_type or v["HistoryItemType"] == history_item_type)
                and (start is None or v["Timestamp"] >= start)
                and (end is None or v["Timestamp"] <= end)
            ]  # fmt: skip
            items.sort(key=lambda v: v["Timestamp"], reverse=scan_by != "TimestampAscending")
            page = items[skip : skip + size]
            out: Output = {
                "AlarmHistoryItems": [{**v, "Timestamp": md.from_ms(v["Timestamp"])} for v in page]
            }
            if skip + size < len(items):
                out["NextToken"] = _token(str(skip + size).encode())
            return out

        return self.store.read(history)

    # -- tags ----------------------------------------------------------------------------

    def _alarm_of(self, tx: Tx, ctx: RequestContext, resource_arn: str) -> Output:
        parts = resource_arn.split(":", 6)
        if len(parts) != 7 or parts[2] != "cloudwatch" or parts[5] != "alarm":
            raise invalid_value(f"The value {resource_arn} for parameter ResourceARN is invalid.")
        alarm = al.get_alarm(tx, ctx.account_id, ctx.region, parts[6])
        if alarm is None:
            raise ServiceError(
                f"Alarm {parts[6]} does not exist.",
                code="ResourceNotFoundException",
                status=404,
                ResourceType="Alarm",
                ResourceId=parts[6],
            )
        return alarm

    @operation("TagResource")
    def tag_resource(
        self, ctx: RequestContext, resource_arn: str, tags: list[dict[str, str]]
    ) -> Output:
        def tag(tx: Tx) -> None:
            alarm = self._alarm_of(tx, ctx, resource_arn)
            alarm["Tags"] = {**alarm.get("Tags", {}), **{t["Key"]: t["Value"] for t in tags}}
            al.put_alarm(tx, ctx.account_id, ctx.region, alarm)

        self.store.write(tag)
        return {}

    @operation("UntagResource")
    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> Output:
        def untag(tx: Tx) -> None:
            alarm = self._alarm_of(tx, ctx, resource_arn)
            alarm["Tags"] = {k: v for k, v in alarm.get("Tags", {}).items() if k not in tag_keys}
            al.put_alarm(tx, ctx.account_id, ctx.region, alarm)

        self.store.write(untag)
        return {}

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str) -> Output:
        def list_(tx: Tx) -> Output:
            alarm = self._alarm_of(tx, ctx, resource_arn)
            return {"Tags": [{"Key": k, "Value": v} for k, v in alarm.get("Tags", {}).items()]}

        return self.store.read(list_)
