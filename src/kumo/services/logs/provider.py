"""The CloudWatch Logs provider: binds each Logs operation to the function implementing it.

The operations live in modules by sub-resource (log groups and retention, tags, streams,
events, metric and subscription filters, Logs Insights and saved queries, resource
policies, destinations, data and deletion protection); each is a plain function whose
first parameter is this provider, so its signature is the operation's input members and
``tests/services/test_providers.py`` checks it against the model. This class only names
them and owns the retention sweeper.

State is the log store of :mod:`kumo.observe.logs`; reads go through
:mod:`kumo.observe.log_reads`. The sweeper started in :meth:`LogsProvider.start` deletes
events older than their group's retention. Operations whose cost grows with the number of
events (reading, searching, writing batches, deleting groups) are declared blocking, so
they run on worker threads rather than the event loop.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from kumo.observe import logs as db
from kumo.observe.log_reads import sweep_expired
from kumo.services.base import Provider, ServiceDeps, operation, run_every
from kumo.services.logs import (
    destinations,
    groups,
    insights,
    log_events,
    metric_filters,
    protection,
    query_definitions,
    resource_policies,
    streams,
    subscription_filters,
    tagging,
)

log = logging.getLogger("kumo.logs")

__all__ = ["LogsProvider"]

SWEEP_INTERVAL_S = 60.0


class LogsProvider(Provider):
    """Amazon CloudWatch Logs."""

    service = "logs"

    def __init__(self, deps: ServiceDeps) -> None:
        super().__init__(deps)
        self._stop_sweeper: Callable[[], Awaitable[None]] | None = None
        # the retention sweep's period and clock (tests shorten one and fake the other)
        self.sweep_interval = SWEEP_INTERVAL_S
        self.clock: Callable[[], int] = db.now_ms

    async def start(self) -> None:
        self._stop_sweeper = run_every(
            lambda: self.sweep_interval,
            lambda: sweep_expired(self.store, self.clock()),
            log,
            "retention sweep",
        )

    async def stop(self) -> None:
        if self._stop_sweeper is not None:
            await self._stop_sweeper()
            self._stop_sweeper = None

    # -- log groups and their retention -------------------------------------------------------
    create_log_group = operation("CreateLogGroup")(groups.create_log_group)
    delete_log_group = operation("DeleteLogGroup", blocking=True)(groups.delete_log_group)
    describe_log_groups = operation("DescribeLogGroups")(groups.describe_log_groups)
    list_log_groups = operation("ListLogGroups")(groups.list_log_groups)
    put_retention_policy = operation("PutRetentionPolicy")(groups.put_retention_policy)
    delete_retention_policy = operation("DeleteRetentionPolicy")(groups.delete_retention_policy)

    # -- tags ---------------------------------------------------------------------------------
    tag_log_group = operation("TagLogGroup")(tagging.tag_log_group)
    untag_log_group = operation("UntagLogGroup")(tagging.untag_log_group)
    list_tags_log_group = operation("ListTagsLogGroup")(tagging.list_tags_log_group)
    tag_resource = operation("TagResource")(tagging.tag_resource)
    untag_resource = operation("UntagResource")(tagging.untag_resource)
    list_tags_for_resource = operation("ListTagsForResource")(tagging.list_tags_for_resource)

    # -- streams ------------------------------------------------------------------------------
    create_log_stream = operation("CreateLogStream")(streams.create_log_stream)
    delete_log_stream = operation("DeleteLogStream", blocking=True)(streams.delete_log_stream)
    describe_log_streams = operation("DescribeLogStreams")(streams.describe_log_streams)

    # -- events -------------------------------------------------------------------------------
    put_log_events = operation("PutLogEvents", blocking=True)(log_events.put_log_events)
    get_log_events = operation("GetLogEvents", blocking=True)(log_events.get_log_events)
    filter_log_events = operation("FilterLogEvents", blocking=True)(log_events.filter_log_events)

    # -- metric filters -----------------------------------------------------------------------
    put_metric_filter = operation("PutMetricFilter")(metric_filters.put_metric_filter)
    describe_metric_filters = operation("DescribeMetricFilters")(
        metric_filters.describe_metric_filters
    )
    delete_metric_filter = operation("DeleteMetricFilter")(metric_filters.delete_metric_filter)

    # -- subscription filters -----------------------------------------------------------------
    put_subscription_filter = operation("PutSubscriptionFilter")(
        subscription_filters.put_subscription_filter
    )
    describe_subscription_filters = operation("DescribeSubscriptionFilters")(
        subscription_filters.describe_subscription_filters
    )
    delete_subscription_filter = operation("DeleteSubscriptionFilter")(
        subscription_filters.delete_subscription_filter
    )

    # -- Logs Insights ------------------------------------------------------------------------
    start_query = operation("StartQuery", blocking=True)(insights.start_query)
    get_query_results = operation("GetQueryResults")(insights.get_query_results)
    describe_queries = operation("DescribeQueries")(insights.describe_queries)
    get_log_group_fields = operation("GetLogGroupFields", blocking=True)(
        insights.get_log_group_fields
    )
    stop_query = operation("StopQuery")(query_definitions.stop_query)

    # -- saved queries ------------------------------------------------------------------------
    put_query_definition = operation("PutQueryDefinition")(query_definitions.put_query_definition)
    describe_query_definitions = operation("DescribeQueryDefinitions")(
        query_definitions.describe_query_definitions
    )
    delete_query_definition = operation("DeleteQueryDefinition")(
        query_definitions.delete_query_definition
    )

    # -- resource policies --------------------------------------------------------------------
    put_resource_policy = operation("PutResourcePolicy")(resource_policies.put_resource_policy)
    describe_resource_policies = operation("DescribeResourcePolicies")(
        resource_policies.describe_resource_policies
    )
    delete_resource_policy = operation("DeleteResourcePolicy")(
        resource_policies.delete_resource_policy
    )

    # -- destinations -------------------------------------------------------------------------
    put_destination = operation("PutDestination")(destinations.put_destination)
    put_destination_policy = operation("PutDestinationPolicy")(destinations.put_destination_policy)
    describe_destinations = operation("DescribeDestinations")(destinations.describe_destinations)
    delete_destination = operation("DeleteDestination")(destinations.delete_destination)

    # -- data and deletion protection ---------------------------------------------------------
    put_data_protection_policy = operation("PutDataProtectionPolicy")(
        protection.put_data_protection_policy
    )
    get_data_protection_policy = operation("GetDataProtectionPolicy")(
        protection.get_data_protection_policy
    )
    delete_data_protection_policy = operation("DeleteDataProtectionPolicy")(
        protection.delete_data_protection_policy
    )
    put_log_group_deletion_protection = operation("PutLogGroupDeletionProtection")(
        protection.put_log_group_deletion_protection
    )
