"""Metrics derived from log events: metric filters and the Embedded Metric Format (EMF).

Every batch stored by :func:`kumo.observe.logs.append_events` passes through
:func:`derive_metrics` inside the same transaction, so a metric never exists without the
log line it came from, and vice versa.

* **Metric filters** (``logs.metric_filters``, one record per group and filter name): each
  event matching the filter's pattern publishes the transformation's value, resolved from
  the event when it names a field (``$.latency``, ``$size``), with the dimensions it names.
  When no event of a batch matches, the filter's ``defaultValue`` is published once.
* **EMF**: a line that is a JSON object with an ``_aws.CloudWatchMetrics`` directive
  publishes, for each directive, each metric under each of its dimension sets, with the
  values taken from the object's root members (a number or an array of numbers).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kumo.observe.filter_patterns import FilterPattern, InvalidPattern, compile_pattern
from kumo.observe.metrics import Datapoint, put_datapoint
from kumo.storage.base import Tx
from kumo.storage.keys import key

if TYPE_CHECKING:
    from kumo.observe.logs import LogGroup, StoredEvent

__all__ = ["METRIC_FILTERS", "derive_metrics", "emf_metrics"]

METRIC_FILTERS = "logs.metric_filters"

# EMF limits as CloudWatch documents them
_EMF_MAX_VALUES = 100
_EMF_MAX_DIMENSIONS = 30


def derive_metrics(tx: Tx, group: LogGroup, events: Sequence[StoredEvent]) -> None:
    """Publish the metrics ``events`` of ``group`` give rise to."""
    for event in events:
        _apply_emf(tx, group, event)
    for _, value in tx.scan(METRIC_FILTERS, prefix=key(group.account, group.region, group.name)):
        _apply_filter(tx, group, value, events)


# -- metric filters -----------------------------------------------------------------------


def _apply_filter(
    tx: Tx, group: LogGroup, record: dict[str, Any], events: Sequence[StoredEvent]
) -> None:
    try:
        pattern = compile_pattern(record.get("filterPattern", ""))
    except InvalidPattern:
        return
    transformations = record.get("metricTransformations", [])
    matched = False
    for event in events:
        match = pattern.match(event.message)
        if match is None:
            continue
        matched = True
        for transformation in transformations:
            _publish_transformation(tx, group, pattern, transformation, event, match)
    if not matched and events:
        last = events[-1]
        for transformation in transformations:
            default = transformation.get("defaultValue")
            if default is None:
                continue
            put_datapoint(
                tx,
                group.account,
                group.region,
                transformation["metricNamespace"],
                transformation["metricName"],
                [],
                Datapoint(
                    timestamp_ms=last.timestamp,
                    unit=transformation.get("unit"),
                    values=[float(default)],
                ),
            )


def _publish_transformation(
    tx: Tx,
    group: LogGroup,
    pattern: FilterPattern,
    transformation: dict[str, Any],
    event: StoredEvent,
    match: Any,
) -> None:
    raw = str(transformation.get("metricValue", "1"))
    value = _number(pattern.resolve(match, raw)) if raw.startswith("$") else _number(raw)
    if value is None:
        return
    dimensions: list[tuple[str, str]] = []
    for name, selector in (transformation.get("dimensions") or {}).items():
        resolved = pattern.resolve(match, selector) if str(selector).startswith("$") else selector
        if resolved is None:
            # CloudWatch skips the datapoint when a dimension field is missing
            return
        dimensions.append((name, str(resolved)))
    put_datapoint(
        tx,
        group.account,
        group.region,
        transformation["metricNamespace"],
        transformation["metricName"],
        dimensions,
        Datapoint(timestamp_ms=event.timestamp, unit=transformation.get("unit"), values=[value]),
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


# -- Embedded Metric Format ---------------------------------------------------------------


def emf_metrics(
    message: str, fallback_ms: int
) -> list[tuple[str, str, list[tuple[str, str]], Datapoint]]:
    """The metrics one EMF log line declares: ``(namespace, name, dimensions, datapoint)``.

    An empty list when the line is not an EMF document or its directives are invalid
    (CloudWatch then keeps the line as a plain log event).
    """
    text = message.strip()
    if not text.startswith("{") or '"_aws"' not in text:
        return []
    try:
        doc = json.loads(text)
    except ValueError:
        return []
    if not isinstance(doc, dict):
        return []
    meta = doc.get("_aws")
    if not isinstance(meta, dict):
        return []
    directives = meta.get("CloudWatchMetrics")
    if not isinstance(directives, list):
        return []
    timestamp = meta.get("Timestamp", fallback_ms)
    if isinstance(timestamp, bool) or not isinstance(timestamp, int | float):
        return []
    out: list[tuple[str, str, list[tuple[str, str]], Datapoint]] = []
    for directive in directives:
        if not isinstance(directive, dict):
            continue
        namespace = directive.get("Namespace")
        metrics = directive.get("Metrics")
        dimension_sets = directive.get("Dimensions", [[]])
        if not isinstance(namespace, str) or not namespace or not isinstance(metrics, list):
            continue
        if not isinstance(dimension_sets, list):
            continue
        resolved_sets: list[list[tuple[str, str]]] = []
        for dimension_set in dimension_sets:
            dims = _emf_dimensions(doc, dimension_set)
            if dims is not None:
                resolved_sets.append(dims)
        for metric in metrics:
            if not isinstance(metric, dict) or not isinstance(metric.get("Name"), str):
                continue
            name = metric["Name"]
            values = _emf_values(doc.get(name))
            if values is None:
                continue
            unit = metric.get("Unit") if isinstance(metric.get("Unit"), str) else None
            resolution = metric.get("StorageResolution", 60)
            resolution = 1 if resolution == 1 else 60
            for dims in resolved_sets:
                point = Datapoint(
                    timestamp_ms=int(timestamp),
                    unit=unit,
                    values=list(values),
                    storage_resolution=resolution,
                )
                out.append((namespace, name, dims, point))
    return out


def _emf_dimensions(doc: dict[str, Any], dimension_set: Any) -> list[tuple[str, str]] | None:
    if not isinstance(dimension_set, list) or len(dimension_set) > _EMF_MAX_DIMENSIONS:
        return None
    dims: list[tuple[str, str]] = []
    for name in dimension_set:
        if not isinstance(name, str):
            return None
        value = doc.get(name)
        # dimension values must be strings in the document
        if not isinstance(value, str):
            return None
        dims.append((name, value))
    return dims


def _emf_values(raw: Any) -> list[float] | None:
    items = raw if isinstance(raw, list) else [raw]
    if not items or len(items) > _EMF_MAX_VALUES:
        return None
    values: list[float] = []
    for item in items:
        number = _number(item)
        if number is None:
            return None
        values.append(number)
    return values


def _apply_emf(tx: Tx, group: LogGroup, event: StoredEvent) -> None:
    for namespace, name, dims, point in emf_metrics(event.message, event.timestamp):
        put_datapoint(tx, group.account, group.region, namespace, name, dims, point)
