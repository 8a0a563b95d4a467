"""Table operations: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable.

What a table is and how its description is built lives in :mod:`.tables` and
:mod:`.updates`; these functions run them in store transactions. DeleteTable and
UpdateTable may touch every item of a table, so the provider declares them blocking; the
items of a deleted table go in bounded transactions, and the sweeper (:mod:`.ttl`) finishes
after a crash.
"""

from __future__ import annotations

import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.dynamodb import store as db
from kumo.services.dynamodb import streams as st
from kumo.services.dynamodb import updates
from kumo.services.dynamodb.errors import validation
from kumo.services.dynamodb.host import Host, Output
from kumo.services.dynamodb.tables import (
    CreateRequest,
    build_table,
    show_creating,
    sse_description,
)
from kumo.storage.base import Tx

__all__ = ["create_table", "delete_table", "describe_table", "list_tables", "update_table"]


def create_table(
    host: Host,
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

    return {"TableDescription": show_creating(host.store.write(create))}


def describe_table(host: Host, ctx: RequestContext, table_name: str) -> Output:
    def describe(tx: Tx) -> Output:
        table = db.require_table(tx, ctx.account_id, ctx.region, table_name, named=True)
        return table.describe(db.get_stats(tx, table))

    return {"Table": host.store.read(describe)}


def list_tables(
    host: Host,
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

    found = host.store.read(names)
    out: Output = {"TableNames": found[:count]}
    if len(found) > count:
        out["LastEvaluatedTableName"] = found[count - 1]
    return out


def delete_table(host: Host, ctx: RequestContext, table_name: str) -> Output:
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

    desc = host.store.write(delete)
    # the items go in bounded transactions; the sweeper finishes after a crash
    while host.store.write(db.purge_some):
        pass
    return {"TableDescription": desc}


def update_table(
    host: Host,
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
        updates.update_table(
            table,
            writer,
            attribute_definitions=attribute_definitions,
            billing_mode=billing_mode,
            provisioned=provisioned_throughput,
            gsi_updates=global_secondary_index_updates,
            now=now,
        )
        if stream_specification is not None:
            updates.update_stream(tx, table, stream_specification, now)
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
        updates.show_in_progress(desc, before, global_secondary_index_updates or [])
        return desc

    return {"TableDescription": host.store.write(update)}
