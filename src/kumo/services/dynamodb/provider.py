"""The DynamoDB provider: one thin method per operation.

Table operations live here; item reads and writes delegate to :mod:`.items`, queries and
scans to :mod:`.query`, batches to :mod:`.batch`, transactions to :mod:`.transactions` and
PartiQL statements to :mod:`.ql`.

Operations that may touch every item of a table (UpdateTable's index backfill, DeleteTable,
UpdateTimeToLive) are declared blocking so they run off the event loop. A background task
(:mod:`.ttl`) deletes expired items, trims stream records and finishes removing the items
of deleted tables.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.base import Provider, ServiceDeps, operation
from kumo.services.dynamodb import batch, items, ql, query, transactions, ttl
from kumo.services.dynamodb import store as db
from kumo.services.dynamodb import streams as st
from kumo.services.dynamodb.errors import validation
from kumo.services.dynamodb.models import Table
from kumo.services.dynamodb.settings import set_time_to_live, table_for_arn, tag_table
from kumo.services.dynamodb.tables import (
    CreateRequest,
    build_table,
    show_creating,
    sse_description,
)
from kumo.services.dynamodb.updates import show_in_progress, update_stream, update_table
from kumo.storage.base import Tx

__all__ = ["DynamoDBProvider"]

Output = dict[str, Any]


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

    def _table(self, ctx: RequestContext, name: str, *, named: bool = True) -> Table:
        return db.cached_table(self.store, ctx.account_id, ctx.region, name, named=named)

    # -- tables --------------------------------------------------------------------------

    @operation("CreateTable")
    def create_table(
        self,
        ctx: RequestContext,
        table_name: str,
        attribute_definitions: list[dict[str, Any]],
        key_schema: list[dict[str, Any]],
        local_secondary_indexes: list[dict[str, Any]] | None = None,
        global_secondary_indexes: list[dict[str, Any]] | None = None,
        billing_mode: str | None = None,
        provisioned_throughput: dict[str, Any] | None = None,
        stream_specification: dict[str, Any] | None = None,
        sse_specification: dict[str, Any] | None = None,
        tags: list[dict[str, str]] | None = None,
        table_class: str | None = None,
        deletion_protection_enabled: bool | None = None,
    ) -> Output:
        now = time.time()
        table = build_table(
            CreateRequest(
                account=ctx.account_id,
                region=ctx.region,
                name=table_name,
                attribute_definitions=attribute_definitions,
                key_schema=key_schema,
                local_indexes=local_secondary_indexes,
                global_indexes=global_secondary_indexes,
                billing_mode=billing_mode,
                provisioned=provisioned_throughput,
                stream=stream_specification,
                sse=sse_specification,
                tags=tags,
                table_class=table_class,
                deletion_protection=deletion_protection_enabled,
            ),
            now,
        )

        def create(tx: Tx) -> Output:
            if db.get_table(tx, ctx.account_id, ctx.region, table_name) is not None:
                raise ServiceError(
                    f"Table already exists: {table_name}",
                    code="ResourceInUseException",
                    status=400,
                )
            db.put_table(tx, table)
            if table.stream is not None:
                st.put_stream(tx, table, now)
            return table.describe(db.get_stats(tx, table))

        return {"TableDescription": show_creating(self.store.write(create))}

    @operation("DescribeTable")
    def describe_table(self, ctx: RequestContext, table_name: str) -> Output:
        def describe(tx: Tx) -> Output:
            table = db.require_table(tx, ctx.account_id, ctx.region, table_name, named=True)
            return table.describe(db.get_stats(tx, table))

        return {"Table": self.store.read(describe)}

    @operation("ListTables")
    def list_tables(
        self,
        ctx: RequestContext,
        exclusive_start_table_name: str | None = None,
        limit: int | None = None,
    ) -> Output:
        count = limit or 100

        def names(tx: Tx) -> list[str]:
            out = []
            for name in db.list_tables(tx, ctx.account_id, ctx.region, exclusive_start_table_name):
                out.append(name)
                if len(out) > count:
                    break
            return out

        found = self.store.read(names)
        out: Output = {"TableNames": found[:count]}
        if len(found) > count:
            out["LastEvaluatedTableName"] = found[count - 1]
        return out

    @operation("DeleteTable", blocking=True)
    def delete_table(self, ctx: RequestContext, table_name: str) -> Output:
        now = time.time()

        def delete(tx: Tx) -> Output:
            table = db.require_table(tx, ctx.account_id, ctx.region, table_name, named=True)
            if table.deletion_protection:
                raise validation(
                    "Resource cannot be deleted as it is currently protected against "
                    "deletion. Disable deletion protection first."
                )
            desc = table.describe(db.get_stats(tx, table))
            desc["TableStatus"] = "DELETING"
            st.disable_stream(tx, table, now)
            db.delete_table(tx, table)
            return desc

        desc = self.store.write(delete)
        # the items go in bounded transactions; the sweeper finishes after a crash
        while self.store.write(db.purge_some):
            pass
        return {"TableDescription": desc}

    @operation("UpdateTable", blocking=True)
    def update_table(
        self,
        ctx: RequestContext,
        table_name: str,
        attribute_definitions: list[dict[str, Any]] | None = None,
        billing_mode: str | None = None,
        provisioned_throughput: dict[str, Any] | None = None,
        global_secondary_index_updates: list[dict[str, Any]] | None = None,
        stream_specification: dict[str, Any] | None = None,
        sse_specification: dict[str, Any] | None = None,
        table_class: str | None = None,
        deletion_protection_enabled: bool | None = None,
    ) -> Output:
        now = time.time()
        changes: list[Any] = [billing_mode, provisioned_throughput, global_secondary_index_updates]
        changes += [stream_specification, sse_specification, table_class]
        only_protection = all(change is None for change in changes)
        if only_protection and deletion_protection_enabled is None:
            raise validation(
                "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"
            )

        def update(tx: Tx) -> Output:
            table = db.require_table(tx, ctx.account_id, ctx.region, table_name, named=True)
            writer = db.ItemWriter(tx, table, now)
            before = table.describe(writer.stats)
            update_table(
                table,
                writer,
                attribute_definitions=attribute_definitions,
                billing_mode=billing_mode,
                provisioned=provisioned_throughput,
                gsi_updates=global_secondary_index_updates,
                now=now,
            )
            if stream_specification is not None:
                update_stream(tx, table, stream_specification, now)
            if sse_specification is not None:
                table.sse = sse_description(sse_specification, table.account, table.region)
            if table_class is not None:
                table.table_class = table_class
            if deletion_protection_enabled is not None:
                table.deletion_protection = deletion_protection_enabled
            db.put_table(tx, table)
            writer.close()
            desc = table.describe(writer.stats)
            if only_protection:
                # a deletion protection switch is settled at once, as in DynamoDB
                return desc
            show_in_progress(desc, before, global_secondary_index_updates or [])
            return desc

        return {"TableDescription": self.store.write(update)}

    # -- table settings ------------------------------------------------------------------

    @operation("TagResource")
    def tag_resource(
        self, ctx: RequestContext, resource_arn: str, tags: list[dict[str, str]]
    ) -> Output:
        add = {tag["Key"]: tag["Value"] for tag in tags}
        self.store.write(
            lambda tx: tag_table(tx, ctx.account_id, ctx.region, resource_arn, add, [])
        )
        return {}

    @operation("UntagResource")
    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> Output:
        self.store.write(
            lambda tx: tag_table(tx, ctx.account_id, ctx.region, resource_arn, {}, tag_keys)
        )
        return {}

    @operation("ListTagsOfResource")
    def list_tags_of_resource(
        self, ctx: RequestContext, resource_arn: str, next_token: str | None = None
    ) -> Output:
        table = self.store.read(
            lambda tx: table_for_arn(tx, ctx.account_id, ctx.region, resource_arn)
        )
        return {"Tags": [{"Key": k, "Value": v} for k, v in table.tags.items()]}

    @operation("UpdateTimeToLive", blocking=True)
    def update_time_to_live(
        self, ctx: RequestContext, table_name: str, time_to_live_specification: dict[str, Any]
    ) -> Output:
        enabled = bool(time_to_live_specification["Enabled"])
        attribute = time_to_live_specification["AttributeName"]

        def change(tx: Tx) -> None:
            table = db.require_table(tx, ctx.account_id, ctx.region, table_name, named=True)
            set_time_to_live(tx, table, enabled, attribute, time.time())

        self.store.write(change)
        return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attribute}}

    @operation("DescribeTimeToLive")
    def describe_time_to_live(self, ctx: RequestContext, table_name: str) -> Output:
        table = self._table(ctx, table_name)
        if not table.ttl_enabled:
            return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
        return {
            "TimeToLiveDescription": {
                "TimeToLiveStatus": "ENABLED",
                "AttributeName": table.ttl_attribute,
            }
        }

    @operation("DescribeContinuousBackups")
    def describe_continuous_backups(self, ctx: RequestContext, table_name: str) -> Output:
        self._table(ctx, table_name)
        return {
            "ContinuousBackupsDescription": {
                "ContinuousBackupsStatus": "ENABLED",
                "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
            }
        }

    @operation("DescribeLimits")
    def describe_limits(self, ctx: RequestContext) -> Output:
        return {
            "AccountMaxReadCapacityUnits": 80000,
            "AccountMaxWriteCapacityUnits": 80000,
            "TableMaxReadCapacityUnits": 40000,
            "TableMaxWriteCapacityUnits": 40000,
        }

    @operation("DescribeEndpoints")
    def describe_endpoints(self, ctx: RequestContext) -> Output:
        host = ctx.request.host or f"dynamodb.{ctx.region}.amazonaws.com"
        return {"Endpoints": [{"Address": host, "CachePeriodInMinutes": 1440}]}

    # -- items ---------------------------------------------------------------------------

    def _item_request(
        self,
        ctx: RequestContext,
        table_name: str,
        capacity: str | None,
        metrics: str | None = None,
    ) -> items.ItemRequest:
        return items.ItemRequest(
            self.store, ctx.account_id, ctx.region, table_name, capacity, metrics
        )

    @operation("PutItem")
    def put_item(
        self,
        ctx: RequestContext,
        table_name: str,
        item: dict[str, Any],
        expected: dict[str, Any] | None = None,
        return_values: str | None = None,
        return_consumed_capacity: str | None = None,
        return_item_collection_metrics: str | None = None,
        conditional_operator: str | None = None,
        condition_expression: str | None = None,
        expression_attribute_names: dict[str, str] | None = None,
        expression_attribute_values: dict[str, Any] | None = None,
        return_values_on_condition_check_failure: str | None = None,
    ) -> Output:
        return items.put_item(
            self._item_request(
                ctx, table_name, return_consumed_capacity, return_item_collection_metrics
            ),
            item,
            expected=expected,
            conditional_operator=conditional_operator,
            condition_expression=condition_expression,
            names=expression_attribute_names,
            values=expression_attribute_values,
            return_values_mode=return_values,
            return_values_on_condition_check_failure=return_values_on_condition_check_failure,
        )

    @operation("GetItem")
    def get_item(
        self,
        ctx: RequestContext,
        table_name: str,
        key: dict[str, Any],
        attributes_to_get: list[str] | None = None,
        consistent_read: bool | None = None,
        return_consumed_capacity: str | None = None,
        projection_expression: str | None = None,
        expression_attribute_names: dict[str, str] | None = None,
    ) -> Output:
        return items.get_item(
            self._item_request(ctx, table_name, return_consumed_capacity),
            key,
            projection_expression=projection_expression,
            attributes_to_get=attributes_to_get,
            names=expression_attribute_names,
            consistent_read=consistent_read,
        )

    @operation("DeleteItem")
    def delete_item(
        self,
        ctx: RequestContext,
        table_name: str,
        key: dict[str, Any],
        expected: dict[str, Any] | None = None,
        conditional_operator: str | None = None,
        return_values: str | None = None,
        return_consumed_capacity: str | None = None,
        return_item_collection_metrics: str | None = None,
        condition_expression: str | None = None,
        expression_attribute_names: dict[str, str] | None = None,
        expression_attribute_values: dict[str, Any] | None = None,
        return_values_on_condition_check_failure: str | None = None,
    ) -> Output:
        return items.delete_item(
            self._item_request(
                ctx, table_name, return_consumed_capacity, return_item_collection_metrics
            ),
            key,
            expected=expected,
            conditional_operator=conditional_operator,
            condition_expression=condition_expression,
            names=expression_attribute_names,
            values=expression_attribute_values,
            return_values_mode=return_values,
            return_values_on_condition_check_failure=return_values_on_condition_check_failure,
        )

    @operation("UpdateItem")
    def update_item(
        self,
        ctx: RequestContext,
        table_name: str,
        key: dict[str, Any],
        attribute_updates: dict[str, Any] | None = None,
        expected: dict[str, Any] | None = None,
        conditional_operator: str | None = None,
        return_values: str | None = None,
        return_consumed_capacity: str | None = None,
        return_item_collection_metrics: str | None = None,
        update_expression: str | None = None,
        condition_expression: str | None = None,
        expression_attribute_names: dict[str, str] | None = None,
        expression_attribute_values: dict[str, Any] | None = None,
        return_values_on_condition_check_failure: str | None = None,
    ) -> Output:
        return items.update_item(
            self._item_request(
                ctx, table_name, return_consumed_capacity, return_item_collection_metrics
            ),
            key,
            update_expression=update_expression,
            attribute_updates=attribute_updates,
            expected=expected,
            conditional_operator=conditional_operator,
            condition_expression=condition_expression,
            names=expression_attribute_names,
            values=expression_attribute_values,
            return_values_mode=return_values,
            return_values_on_condition_check_failure=return_values_on_condition_check_failure,
        )

    # -- reads ---------------------------------------------------------------------------

    @operation("Query")
    def query(
        self,
        ctx: RequestContext,
        table_name: str,
        index_name: str | None = None,
        select: str | None = None,
        attributes_to_get: list[str] | None = None,
        limit: int | None = None,
        consistent_read: bool | None = None,
        key_conditions: dict[str, Any] | None = None,
        query_filter: dict[str, Any] | None = None,
        conditional_operator: str | None = None,
        scan_index_forward: bool | None = None,
        exclusive_start_key: dict[str, Any] | None = None,
        return_consumed_capacity: str | None = None,
        projection_expression: str | None = None,
        filter_expression: str | None = None,
        key_condition_expression: str | None = None,
        expression_attribute_names: dict[str, str] | None = None,
        expression_attribute_values: dict[str, Any] | None = None,
    ) -> Output:
        req = query.ReadRequest(
            self.store, ctx.account_id, ctx.region, table_name, index_name, select,
            attributes_to_get, limit, consistent_read, exclusive_start_key,
            return_consumed_capacity, projection_expression, filter_expression,
            expression_attribute_names, expression_attribute_values, conditional_operator,
        )  # fmt: skip
        return query.query(
            req,
            key_condition_expression=key_condition_expression,
            key_conditions=key_conditions,
            query_filter=query_filter,
            scan_index_forward=scan_index_forward,
        )

    @operation("Scan")
    def scan(
        self,
        ctx: RequestContext,
        table_name: str,
        index_name: str | None = None,
        attributes_to_get: list[str] | None = None,
        limit: int | None = None,
        select: str | None = None,
        scan_filter: dict[str, Any] | None = None,
        conditional_operator: str | None = None,
        exclusive_start_key: dict[str, Any] | None = None,
        return_consumed_capacity: str | None = None,
        total_segments: int | None = None,
        segment: int | None = None,
        projection_expression: str | None = None,
        filter_expression: str | None = None,
        expression_attribute_names: dict[str, str] | None = None,
        expression_attribute_values: dict[str, Any] | None = None,
        consistent_read: bool | None = None,
    ) -> Output:
        req = query.ReadRequest(
            self.store, ctx.account_id, ctx.region, table_name, index_name, select,
            attributes_to_get, limit, consistent_read, exclusive_start_key,
            return_consumed_capacity, projection_expression, filter_expression,
            expression_attribute_names, expression_attribute_values, conditional_operator,
        )  # fmt: skip
        return query.scan(
            req, scan_filter=scan_filter, segment=segment, total_segments=total_segments
        )

    # -- batches and transactions --------------------------------------------------------

    @operation("BatchGetItem")
    def batch_get_item(
        self,
        ctx: RequestContext,
        request_items: dict[str, dict[str, Any]],
        return_consumed_capacity: str | None = None,
    ) -> Output:
        req = batch.BatchRequest(self.store, ctx.account_id, ctx.region, return_consumed_capacity)
        return batch.batch_get_item(req, request_items)

    @operation("BatchWriteItem")
    def batch_write_item(
        self,
        ctx: RequestContext,
        request_items: dict[str, list[dict[str, Any]]],
        return_consumed_capacity: str | None = None,
        return_item_collection_metrics: str | None = None,
    ) -> Output:
        req = batch.BatchRequest(self.store, ctx.account_id, ctx.region, return_consumed_capacity)
        return batch.batch_write_item(req, request_items, return_item_collection_metrics)

    @operation("TransactWriteItems")
    def transact_write_items(
        self,
        ctx: RequestContext,
        transact_items: list[dict[str, Any]],
        return_consumed_capacity: str | None = None,
        return_item_collection_metrics: str | None = None,
        client_request_token: str | None = None,
    ) -> Output:
        req = transactions.TransactRequest(
            self.store, ctx.account_id, ctx.region, return_consumed_capacity
        )
        return transactions.transact_write_items(
            req, transact_items, client_request_token, return_item_collection_metrics
        )

    @operation("TransactGetItems")
    def transact_get_items(
        self,
        ctx: RequestContext,
        transact_items: list[dict[str, Any]],
        return_consumed_capacity: str | None = None,
    ) -> Output:
        req = transactions.TransactRequest(
            self.store, ctx.account_id, ctx.region, return_consumed_capacity
        )
        return transactions.transact_get_items(req, transact_items)

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
