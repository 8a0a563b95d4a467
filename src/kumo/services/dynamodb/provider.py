"""The DynamoDB provider: binds each DynamoDB operation to the function implementing it.

The operations live in modules by sub-resource — tables (:mod:`.table_operations`), table
settings (:mod:`.settings`, :mod:`.recovery`, :mod:`.insights`, :mod:`.policies`),
backups (:mod:`.backups`), account answers (:mod:`.account`), items (:mod:`.items`),
queries and scans (:mod:`.query`), batches (:mod:`.batch`) and transactions
(:mod:`.transactions`) — each a plain function whose first parameter is this provider (see
:mod:`.host`), so its signature is the operation's input members and
``tests/services/test_providers.py`` checks it against the model. PartiQL statements
(:mod:`.ql`) are thin methods here because :mod:`.ql` is driven by a :class:`.ql.Scope`
(its tests run statements without a provider).

Operations that may touch every item of a table (UpdateTable's index backfill, DeleteTable,
UpdateTimeToLive, CreateBackup, DeleteBackup, RestoreTableFromBackup) are declared
blocking so they run off the event loop. A background task (:mod:`.ttl`) deletes expired
items, trims stream records and finishes removing the items of deleted tables.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from kumo.aws.context import RequestContext
from kumo.services.base import Provider, ServiceDeps, operation
from kumo.services.dynamodb import (
    account,
    backups,
    batch,
    insights,
    items,
    policies,
    ql,
    recovery,
    settings,
    table_operations,
    transactions,
    ttl,
)
from kumo.services.dynamodb import query as reads
from kumo.services.dynamodb.host import Output

__all__ = ["DynamoDBProvider"]


class DynamoDBProvider(Provider):
    """Amazon DynamoDB."""

    service = "dynamodb"

    def __init__(self, deps: ServiceDeps) -> None:
        super().__init__(deps)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(ttl.run_sweeper(self.store))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # -- tables --------------------------------------------------------------------------
    create_table = operation("CreateTable")(table_operations.create_table)
    describe_table = operation("DescribeTable")(table_operations.describe_table)
    list_tables = operation("ListTables")(table_operations.list_tables)
    delete_table = operation("DeleteTable", blocking=True)(table_operations.delete_table)
    update_table = operation("UpdateTable", blocking=True)(table_operations.update_table)

    # -- table settings ------------------------------------------------------------------
    tag_resource = operation("TagResource")(settings.tag_resource)
    untag_resource = operation("UntagResource")(settings.untag_resource)
    list_tags_of_resource = operation("ListTagsOfResource")(settings.list_tags_of_resource)
    update_time_to_live = operation("UpdateTimeToLive", blocking=True)(settings.update_time_to_live)
    describe_time_to_live = operation("DescribeTimeToLive")(settings.describe_time_to_live)
    describe_continuous_backups = operation("DescribeContinuousBackups")(
        recovery.describe_continuous_backups
    )
    update_continuous_backups = operation("UpdateContinuousBackups")(
        recovery.update_continuous_backups
    )
    update_contributor_insights = operation("UpdateContributorInsights")(
        insights.update_contributor_insights
    )
    describe_contributor_insights = operation("DescribeContributorInsights")(
        insights.describe_contributor_insights
    )
    list_contributor_insights = operation("ListContributorInsights")(
        insights.list_contributor_insights
    )
    put_resource_policy = operation("PutResourcePolicy")(policies.put_resource_policy)
    get_resource_policy = operation("GetResourcePolicy")(policies.get_resource_policy)
    delete_resource_policy = operation("DeleteResourcePolicy")(policies.delete_resource_policy)

    # -- backups -------------------------------------------------------------------------
    create_backup = operation("CreateBackup", blocking=True)(backups.create_backup)
    describe_backup = operation("DescribeBackup")(backups.describe_backup)
    list_backups = operation("ListBackups")(backups.list_backups)
    delete_backup = operation("DeleteBackup", blocking=True)(backups.delete_backup)
    restore_table_from_backup = operation("RestoreTableFromBackup", blocking=True)(
        backups.restore_table_from_backup
    )
    describe_limits = operation("DescribeLimits")(account.describe_limits)
    describe_endpoints = operation("DescribeEndpoints")(account.describe_endpoints)

    # -- items ---------------------------------------------------------------------------
    put_item = operation("PutItem")(items.put_item)
    get_item = operation("GetItem")(items.get_item)
    delete_item = operation("DeleteItem")(items.delete_item)
    update_item = operation("UpdateItem")(items.update_item)

    # -- reads ---------------------------------------------------------------------------
    query = operation("Query")(reads.query)
    scan = operation("Scan")(reads.scan)

    # -- batches and transactions --------------------------------------------------------
    batch_get_item = operation("BatchGetItem")(batch.batch_get_item)
    batch_write_item = operation("BatchWriteItem")(batch.batch_write_item)
    transact_write_items = operation("TransactWriteItems")(transactions.transact_write_items)
    transact_get_items = operation("TransactGetItems")(transactions.transact_get_items)

    # -- PartiQL -------------------------------------------------------------------------

    def _scope(self, ctx: RequestContext) -> ql.Scope:
        return ql.Scope(self.store, ctx.account_id, ctx.region)

    @operation("ExecuteStatement")
    def execute_statement(
        self,
        ctx: RequestContext,
        statement: str,
        parameters: list[dict[str, Any]] | None = None,
        consistent_read: bool | None = None,
        next_token: str | None = None,
        return_consumed_capacity: str | None = None,
        limit: int | None = None,
        return_values_on_condition_check_failure: str | None = None,
    ) -> Output:
        return ql.execute_statement(
            self._scope(ctx),
            statement,
            parameters,
            consistent_read=consistent_read,
            next_token=next_token,
            limit=limit,
            return_consumed_capacity=return_consumed_capacity,
            return_values_on_condition_check_failure=return_values_on_condition_check_failure,
        )

    @operation("BatchExecuteStatement")
    def batch_execute_statement(
        self,
        ctx: RequestContext,
        statements: list[dict[str, Any]],
        return_consumed_capacity: str | None = None,
    ) -> Output:
        return ql.batch_execute_statement(self._scope(ctx), statements, return_consumed_capacity)

    @operation("ExecuteTransaction")
    def execute_transaction(
        self,
        ctx: RequestContext,
        transact_statements: list[dict[str, Any]],
        client_request_token: str | None = None,
        return_consumed_capacity: str | None = None,
    ) -> Output:
        return ql.execute_transaction(
            self._scope(ctx), transact_statements, client_request_token, return_consumed_capacity
        )
