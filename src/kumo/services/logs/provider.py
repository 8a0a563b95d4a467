"""The CloudWatch Logs provider: log groups, streams, events, retention, tags, filters and
Logs Insights queries.

State is the log store of :mod:`kumo.observe.logs`; reads go through
:mod:`kumo.observe.log_reads`. A sweeper started in :meth:`LogsProvider.start` deletes
events older than their group's retention. Operations whose cost grows with the number of
events (reading, searching, writing batches, deleting groups) are declared blocking, so
they run on worker threads rather than the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from kumo.aws.context import RequestContext
from kumo.observe import logs as db
from kumo.observe.filter_patterns import InvalidPattern, compile_pattern
from kumo.observe.log_reads import filter_events, read_stream, sweep_expired
from kumo.services.base import Provider, ServiceDeps, operation
from kumo.services.logs import events as ev
from kumo.services.logs import filters as flt
from kumo.services.logs import models as m
from kumo.services.logs import queries
from kumo.services.logs.errors import (
    NO_STREAM,
    already_exists,
    invalid_parameter,
    not_found,
)
from kumo.services.logs.filters import METRIC_FILTERS, SUBSCRIPTION_FILTERS, invalid_pattern
from kumo.storage.base import Tx

__all__ = ["LogsProvider"]

Output = dict[str, Any]

SWEEP_INTERVAL_S = 60.0


class LogsProvider(Provider):
    """Amazon CloudWatch Logs."""

    service = "logs"

    def __init__(self, deps: ServiceDeps) -> None:
        super().__init__(deps)
        self._sweeper: asyncio.Task[None] | None = None
        # the retention sweep's period and clock (tests shorten one and fake the other)
        self.sweep_interval = SWEEP_INTERVAL_S
        self.clock: Callable[[], int] = db.now_ms

    async def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep_forever())

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_interval)
            # a failed sweep (store closing, disk trouble) is retried on the next round
            with contextlib.suppress(Exception):
                await asyncio.to_thread(sweep_expired, self.store, self.clock())

    @staticmethod
    def _require_group(tx: Tx, ctx: RequestContext, name: str) -> db.LogGroup:
        return m.require_group(tx, ctx.account_id, ctx.region, name)

    # -- groups --------------------------------------------------------------------------

    @operation("CreateLogGroup")
    def create_log_group(
        self,
        ctx: RequestContext,
        log_group_name: str,
        kms_key_id: str | None = None,
        tags: dict[str, str] | None = None,
        log_group_class: str | None = None,
    ) -> Output:
        m.check_group_name(log_group_name)
        if tags and len(tags) > m.MAX_TAGS:
            raise invalid_parameter("A log group may have at most 50 tags.")

        def create(tx: Tx) -> None:
            if db.get_group(tx, ctx.account_id, ctx.region, log_group_name) is not None:
                raise already_exists("The specified log group already exists")
            group = db.LogGroup(
                account=ctx.account_id,
                region=ctx.region,
                name=log_group_name,
                creation_time=db.now_ms(),
                kms_key_id=kms_key_id,
                log_group_class=log_group_class or "STANDARD",
                tags=dict(tags or {}),
            )
            db.put_group(tx, group)

        self.store.write(create)
        return {}

    @operation("DeleteLogGroup", blocking=True)
    def delete_log_group(self, ctx: RequestContext, log_group_name: str) -> Output:
        def delete(tx: Tx) -> None:
            self._require_group(tx, ctx, log_group_name)
            db.delete_group(tx, ctx.account_id, ctx.region, log_group_name)
            flt.delete_group_filters(tx, ctx.account_id, ctx.region, log_group_name)

        self.store.write(delete)
        return {}

    @operation("DescribeLogGroups")
    def describe_log_groups(
        self,
        ctx: RequestContext,
        log_group_name_prefix: str | None = None,
        log_group_name_pattern: str | None = None,
        next_token: str | None = None,
        limit: int | None = None,
        log_group_class: str | None = None,
        log_group_identifiers: list[str] | None = None,
    ) -> Output:
        if log_group_name_prefix is not None and log_group_name_pattern is not None:
            raise invalid_parameter(
                "LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters."
            )
        after = m.read_page_token(next_token) if next_token else None
        wanted = {m.group_name_of(i) for i in log_group_identifiers or []}
        return self.store.read(
            lambda tx: m.describe_groups(
                tx, ctx.account_id, ctx.region, prefix=log_group_name_prefix or "",
                pattern=log_group_name_pattern or "", group_class=log_group_class,
                wanted=wanted, after=after, size=limit or 50,
            )
        )  # fmt: skip

    @operation("ListLogGroups")
    def list_log_groups(
        self,
        ctx: RequestContext,
        log_group_name_pattern: str | None = None,
        log_group_class: str | None = None,
        next_token: str | None = None,
        limit: int | None = None,
    ) -> Output:
        after = m.read_page_token(next_token) if next_token else None
        return self.store.read(
            lambda tx: m.list_groups(
                tx, ctx.account_id, ctx.region, pattern=log_group_name_pattern,
                group_class=log_group_class, after=after, size=limit or 50,
            )
        )  # fmt: skip

    # -- retention -----------------------------------------------------------------------

    @operation("PutRetentionPolicy")
    def put_retention_policy(
        self, ctx: RequestContext, log_group_name: str, retention_in_days: int
    ) -> Output:
        m.check_retention(retention_in_days)

        def put(tx: Tx) -> None:
            group = self._require_group(tx, ctx, log_group_name)
            group.retention_days = retention_in_days
            db.put_group(tx, group)

        self.store.write(put)
        return {}

    @operation("DeleteRetentionPolicy")
    def delete_retention_policy(self, ctx: RequestContext, log_group_name: str) -> Output:
        def delete(tx: Tx) -> None:
            group = self._require_group(tx, ctx, log_group_name)
            group.retention_days = None
            db.put_group(tx, group)

        self.store.write(delete)
        return {}

    # -- tags ----------------------------------------------------------------------------

    def _tag(self, ctx: RequestContext, name: str, tags: dict[str, str]) -> None:
        self.store.write(lambda tx: m.tag_group(tx, ctx.account_id, ctx.region, name, tags))

    def _untag(self, ctx: RequestContext, name: str, keys: list[str]) -> None:
        self.store.write(lambda tx: m.untag_group(tx, ctx.account_id, ctx.region, name, keys))

    def _tags(self, ctx: RequestContext, name: str) -> dict[str, str]:
        return self.store.read(lambda tx: self._require_group(tx, ctx, name).tags)

    @operation("TagLogGroup")
    def tag_log_group(
        self, ctx: RequestContext, log_group_name: str, tags: dict[str, str]
    ) -> Output:
        self._tag(ctx, log_group_name, tags)
        return {}

    @operation("UntagLogGroup")
    def untag_log_group(self, ctx: RequestContext, log_group_name: str, tags: list[str]) -> Output:
        self._untag(ctx, log_group_name, tags)
        return {}

    @operation("ListTagsLogGroup")
    def list_tags_log_group(self, ctx: RequestContext, log_group_name: str) -> Output:
        return {"tags": self._tags(ctx, log_group_name)}

    @operation("TagResource")
    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: dict[str, str]) -> Output:
        self._tag(ctx, m.arn_group(resource_arn), tags)
        return {}

    @operation("UntagResource")
    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> Output:
        self._untag(ctx, m.arn_group(resource_arn), tag_keys)
        return {}

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str) -> Output:
        return {"tags": self._tags(ctx, m.arn_group(resource_arn))}

    # -- streams -------------------------------------------------------------------------

    @operation("CreateLogStream")
    def create_log_stream(
        self, ctx: RequestContext, log_group_name: str, log_stream_name: str
    ) -> Output:
        m.check_stream_name(log_stream_name)

        def create(tx: Tx) -> None:
            self._require_group(tx, ctx, log_group_name)
            if db.get_stream(tx, ctx.account_id, ctx.region, log_group_name, log_stream_name):
                raise already_exists("The specified log stream already exists")
            stream = db.LogStream(log_group_name, log_stream_name, creation_time=db.now_ms())
            db.put_stream(tx, ctx.account_id, ctx.region, stream)

        self.store.write(create)
        return {}

    @operation("DeleteLogStream", blocking=True)
    def delete_log_stream(
        self, ctx: RequestContext, log_group_name: str, log_stream_name: str
    ) -> Output:
        def delete(tx: Tx) -> None:
            group = self._require_group(tx, ctx, log_group_name)
            if (
                db.get_stream(tx, ctx.account_id, ctx.region, log_group_name, log_stream_name)
                is None
            ):
                raise not_found(NO_STREAM)
            db.delete_stream(tx, ctx.account_id, ctx.region, group, log_stream_name)

        self.store.write(delete)
        return {}

    @operation("DescribeLogStreams")
    def describe_log_streams(
        self,
        ctx: RequestContext,
        log_group_name: str | None = None,
        log_group_identifier: str | None = None,
        log_stream_name_prefix: str | None = None,
        order_by: str | None = None,
        descending: bool | None = None,
        next_token: str | None = None,
        limit: int | None = None,
    ) -> Output:
        name = m.group_param(log_group_name, log_group_identifier)
        by_time = order_by == "LastEventTime"
        if by_time and log_stream_name_prefix:
            raise invalid_parameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
        return self.store.read(
            lambda tx: m.describe_streams(
                tx, ctx.account_id, ctx.region, name, prefix=log_stream_name_prefix or "",
                by_time=by_time, descending=bool(descending), token=next_token, size=limit or 50,
            )
        )  # fmt: skip

    # -- events --------------------------------------------------------------------------

    @operation("PutLogEvents", blocking=True)
    def put_log_events(
        self,
        ctx: RequestContext,
        log_group_name: str,
        log_stream_name: str,
        log_events: list[dict[str, Any]],
        sequence_token: str | None = None,
    ) -> Output:
        # sequence tokens are accepted and ignored, as CloudWatch Logs does since 2023
        def put(tx: Tx) -> Output:
            group = self._require_group(tx, ctx, log_group_name)
            stream = db.get_stream(tx, ctx.account_id, ctx.region, log_group_name, log_stream_name)
            if stream is None:
                raise not_found(NO_STREAM)
            now = db.now_ms()
            accepted = ev.classify(log_events, now, group.retention_days)
            db.append_events(tx, group, stream, accepted.events, ingestion_ms=now)
            out: Output = {"nextSequenceToken": f"{now:056d}"}
            if accepted.rejected:
                out["rejectedLogEventsInfo"] = accepted.rejected
            return out

        return self.store.write(put)

    @operation("GetLogEvents", blocking=True)
    def get_log_events(
        self,
        ctx: RequestContext,
        log_stream_name: str,
        log_group_name: str | None = None,
        log_group_identifier: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        next_token: str | None = None,
        limit: int | None = None,
        start_from_head: bool | None = None,
    ) -> Output:
        name = m.group_param(log_group_name, log_group_identifier)
        token = ev.decode_stream_token(next_token) if next_token else None

        def get(tx: Tx) -> Output:
            self._require_group(tx, ctx, name)
            if db.get_stream(tx, ctx.account_id, ctx.region, name, log_stream_name) is None:
                raise not_found(NO_STREAM)
            page = read_stream(
                tx, ctx.account_id, ctx.region, name, log_stream_name,
                start_time=start_time, end_time=end_time, limit=limit or 10_000,
                after=token[1] if token and token[0] == "f" else None,
                before=token[1] if token and token[0] == "b" else None,
                from_head=bool(start_from_head),
            )  # fmt: skip
            forward, backward = ev.stream_tokens(page, token, start_time, end_time)
            return {
                "events": [ev.output_event(e) for e in page.events],
                "nextForwardToken": forward,
                "nextBackwardToken": backward,
            }

        return self.store.read(get)

    @operation("FilterLogEvents", blocking=True)
    def filter_log_events(
        self,
        ctx: RequestContext,
        log_group_name: str | None = None,
        log_group_identifier: str | None = None,
        log_stream_names: list[str] | None = None,
        log_stream_name_prefix: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        filter_pattern: str | None = None,
        next_token: str | None = None,
        limit: int | None = None,
        start_from_head: bool | None = None,
        interleaved: bool | None = None,
    ) -> Output:
        name = m.group_param(log_group_name, log_group_identifier)
        if log_stream_names and log_stream_name_prefix:
            raise invalid_parameter(
                "logStreamNames and logStreamNamePrefix are mutually exclusive parameters."
            )
        try:
            pattern = compile_pattern(filter_pattern)
        except InvalidPattern as exc:
            raise invalid_pattern() from exc
        resume = ev.decode_filter_token(next_token) if next_token else None

        def search(tx: Tx) -> Output:
            self._require_group(tx, ctx, name)
            page = filter_events(
                tx, ctx.account_id, ctx.region, name,
                start_time=start_time, end_time=end_time,
                streams=log_stream_names, stream_prefix=log_stream_name_prefix,
                matches=pattern.matches, limit=limit or 10_000, resume=resume,
            )  # fmt: skip
            out: Output = {
                "events": [ev.filtered_event(e) for e in page.events],
                # no longer supported by AWS: always an empty list
                "searchedLogStreams": [],
            }
            if page.resume is not None:
                out["nextToken"] = ev.encode_filter_token(page.resume)
            return out

        return self.store.read(search)

    # -- metric filters ------------------------------------------------------------------

    @operation("PutMetricFilter")
    def put_metric_filter(
        self,
        ctx: RequestContext,
        log_group_name: str,
        filter_name: str,
        filter_pattern: str,
        metric_transformations: list[dict[str, Any]],
        apply_on_transformed_logs: bool | None = None,
    ) -> Output:
        flt.check_filter_name(filter_name)
        flt.check_pattern(filter_pattern)
        transformations = [flt.check_transformation(t) for t in metric_transformations]

        def put(tx: Tx) -> None:
            self._require_group(tx, ctx, log_group_name)
            flt.put_metric_filter(
                tx, ctx.account_id, ctx.region, log_group_name, filter_name, filter_pattern,
                transformations, bool(apply_on_transformed_logs), db.now_ms(),
            )  # fmt: skip

        self.store.write(put)
        return {}

    @operation("DescribeMetricFilters")
    def describe_metric_filters(
        self,
        ctx: RequestContext,
        log_group_name: str | None = None,
        filter_name_prefix: str | None = None,
        next_token: str | None = None,
        limit: int | None = None,
        metric_name: str | None = None,
        metric_namespace: str | None = None,
    ) -> Output:
        if filter_name_prefix is not None and log_group_name is None:
            raise invalid_parameter(
                "If you include the filterNamePrefix, you must also include the "
                "logGroupName parameter."
            )
        if (metric_name is None) != (metric_namespace is None):
            raise invalid_parameter(
                "If you include the metricName, you must also include the metricNamespace "
                "parameter."
            )
        after = m.read_key_token(next_token) if next_token else None

        def describe(tx: Tx) -> Output:
            if log_group_name is not None:
                self._require_group(tx, ctx, log_group_name)
            found, last = flt.describe_metric_filters(
                tx, ctx.account_id, ctx.region, log_group_name, filter_name_prefix,
                metric_name, metric_namespace, after, limit or 50,
            )  # fmt: skip
            out: Output = {"metricFilters": found}
            if last is not None:
                out["nextToken"] = m.key_token(last)
            return out

        return self.store.read(describe)

    @operation("DeleteMetricFilter")
    def delete_metric_filter(
        self, ctx: RequestContext, log_group_name: str, filter_name: str
    ) -> Output:
        def delete(tx: Tx) -> None:
            self._require_group(tx, ctx, log_group_name)
            fkey = flt.filter_key(ctx.account_id, ctx.region, log_group_name, filter_name)
            if not tx.delete(METRIC_FILTERS, fkey):
                raise not_found("The specified metric filter does not exist.")

        self.store.write(delete)
        return {}

    # -- subscription filters (stored; delivery belongs to the triggers) -----------------

    @operation("PutSubscriptionFilter")
    def put_subscription_filter(
        self,
        ctx: RequestContext,
        log_group_name: str,
        filter_name: str,
        filter_pattern: str,
        destination_arn: str,
        role_arn: str | None = None,
        distribution: str | None = None,
        apply_on_transformed_logs: bool | None = None,
    ) -> Output:
        flt.check_filter_name(filter_name)
        flt.check_pattern(filter_pattern)
        if not destination_arn.startswith("arn:"):
            raise invalid_parameter(f"Invalid destination ARN: {destination_arn}")
        record: Output = {
            "filterName": filter_name,
            "logGroupName": log_group_name,
            "filterPattern": filter_pattern,
            "destinationArn": destination_arn,
            "distribution": distribution or "ByLogStream",
            "applyOnTransformedLogs": bool(apply_on_transformed_logs),
        }
        if role_arn:
            record["roleArn"] = role_arn

        def put(tx: Tx) -> None:
            self._require_group(tx, ctx, log_group_name)
            flt.put_subscription_filter(
                tx, ctx.account_id, ctx.region, log_group_name, record, db.now_ms()
            )

        self.store.write(put)
        return {}

    @operation("DescribeSubscriptionFilters")
    def describe_subscription_filters(
        self,
        ctx: RequestContext,
        log_group_name: str,
        filter_name_prefix: str | None = None,
        next_token: str | None = None,
        limit: int | None = None,
    ) -> Output:
        after = m.read_page_token(next_token) if next_token else None

        def describe(tx: Tx) -> Output:
            self._require_group(tx, ctx, log_group_name)
            found, more = flt.describe_subscription_filters(
                tx, ctx.account_id, ctx.region, log_group_name, filter_name_prefix or "",
                after, limit or 50,
            )  # fmt: skip
            out: Output = {"subscriptionFilters": found}
            if more:
                out["nextToken"] = m.page_token(found[-1]["filterName"])
            return out

        return self.store.read(describe)

    @operation("DeleteSubscriptionFilter")
    def delete_subscription_filter(
        self, ctx: RequestContext, log_group_name: str, filter_name: str
    ) -> Output:
        def delete(tx: Tx) -> None:
            self._require_group(tx, ctx, log_group_name)
            fkey = flt.filter_key(ctx.account_id, ctx.region, log_group_name, filter_name)
            if not tx.delete(SUBSCRIPTION_FILTERS, fkey):
                raise not_found("The specified subscription filter does not exist.")

        self.store.write(delete)
        return {}

    # -- Logs Insights -------------------------------------------------------------------

    @operation("StartQuery", blocking=True)
    def start_query(
        self,
        ctx: RequestContext,
        start_time: int,
        end_time: int,
        query_string: str,
        log_group_name: str | None = None,
        log_group_names: list[str] | None = None,
        log_group_identifiers: list[str] | None = None,
        limit: int | None = None,
    ) -> Output:
        given = [p for p in (log_group_name, log_group_names, log_group_identifiers) if p]
        if len(given) != 1:
            raise invalid_parameter(
                "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be "
                "specified."
            )
        if log_group_name:
            groups = [log_group_name]
        elif log_group_names:
            groups = list(log_group_names)
        else:
            groups = [m.group_name_of(i) for i in log_group_identifiers or []]
        query_id = self.store.write(
            lambda tx: queries.start_query(
                tx, ctx.account_id, ctx.region, groups, start_time, end_time, query_string,
                limit, db.now_ms(),
            )
        )  # fmt: skip
        return {"queryId": query_id}

    @operation("GetQueryResults")
    def get_query_results(self, ctx: RequestContext, query_id: str) -> Output:
        query = self.store.read(
            lambda tx: queries.get_query(tx, ctx.account_id, ctx.region, query_id)
        )
        return {
            "queryLanguage": query["queryLanguage"],
            "results": query["results"],
            "statistics": query["statistics"],
            "status": query["status"],
        }

    @operation("DescribeQueries")
    def describe_queries(
        self,
        ctx: RequestContext,
        log_group_name: str | None = None,
        status: str | None = None,
        max_results: int | None = None,
    ) -> Output:
        found = self.store.read(
            lambda tx: queries.describe_queries(
                tx, ctx.account_id, ctx.region, log_group_name, status, max_results or 1000
            )
        )
        return {"queries": found}

    @operation("GetLogGroupFields", blocking=True)
    def get_log_group_fields(
        self,
        ctx: RequestContext,
        log_group_name: str | None = None,
        time: int | None = None,
        log_group_identifier: str | None = None,
    ) -> Output:
        name = m.group_param(log_group_name, log_group_identifier)
        fields = self.store.read(
            lambda tx: queries.group_fields(tx, ctx.account_id, ctx.region, name, time, db.now_ms())
        )
        return {"logGroupFields": fields}
