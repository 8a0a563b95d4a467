"""UpdateTable's changes to billing, throughput, global secondary indexes and streams.

A new GSI is backfilled from the table's items in the same transaction, so it is ACTIVE as
soon as UpdateTable returns; a deleted one's entries are removed with it.
"""

from __future__ import annotations

from typing import Any

from kumo.services.dynamodb.errors import invalid, resource_not_found, validation
from kumo.services.dynamodb.models import Table
from kumo.services.dynamodb.store import ItemWriter
from kumo.services.dynamodb.streams import disable_stream, put_stream
from kumo.services.dynamodb.tables import (
    MAX_GSI,
    check_stream_spec,
    new_stream,
    parse_index,
    throughput,
)
from kumo.storage.base import Tx

__all__ = ["show_in_progress", "update_stream", "update_table"]


def _set_throughput(table: Table, spec: dict[str, Any], now: float) -> None:
    read, write = throughput(spec)
    if read == table.read_capacity and write == table.write_capacity:
        raise validation(
            "The provisioned throughput for the table will not change. The requested value "
            "equals the current value. Current ReadCapacityUnits provisioned for the table: "
            f"{table.read_capacity}. Requested ReadCapacityUnits: {read}. Current "
            f"WriteCapacityUnits provisioned for the table: {table.write_capacity}. "
            f"Requested WriteCapacityUnits: {write}. Refer to the Amazon DynamoDB Developer "
            "Guide for current limits and how to request higher limits."
        )
    if read < table.read_capacity or write < table.write_capacity:
        table.decreases_today += 1
        table.last_decrease = now
    if read > table.read_capacity or write > table.write_capacity:
        table.last_increase = now
    table.read_capacity, table.write_capacity = read, write


def update_table(
    table: Table,
    writer: ItemWriter,
    *,
    attribute_definitions: list[dict[str, Any]] | None,
    billing_mode: str | None,
    provisioned: dict[str, Any] | None,
    gsi_updates: list[dict[str, Any]] | None,
    now: float,
) -> None:
    """Apply UpdateTable's billing, throughput and GSI members to ``table``."""
    mode = billing_mode or table.billing_mode
    if mode == "PAY_PER_REQUEST":
        if provisioned is not None:
            raise invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                "BillingMode is PAY_PER_REQUEST"
            )
        if table.billing_mode != mode:
            table.billing_mode = mode
            table.read_capacity = table.write_capacity = 0
            for index in table.global_indexes:
                index.read_capacity = index.write_capacity = None
    else:
        if table.billing_mode != mode:
            if provisioned is None:
                raise invalid(
                    "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
                    "BillingMode is PROVISIONED"
                )
            table.billing_mode = mode
            table.read_capacity, table.write_capacity = throughput(provisioned)
            for index in table.global_indexes:
                index.read_capacity, index.write_capacity = (
                    table.read_capacity,
                    table.write_capacity,
                )
        elif provisioned is not None:
            _set_throughput(table, provisioned, now)
    types = dict(table.attribute_types)
    for definition in attribute_definitions or []:
        name, kind = definition["AttributeName"], definition["AttributeType"]
        if name in types and types[name] != kind and _in_use(table, name):
            raise invalid(f"Cannot change the type of an attribute in use: {name}")
        types[name] = kind
    for update in gsi_updates or []:
        if len([k for k in ("Create", "Update", "Delete") if update.get(k)]) != 1:
            raise invalid(
                "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                "GlobalSecondaryIndexUpdate.Delete must not be null"
            )
        if update.get("Create"):
            spec = update["Create"]
            if table.index(spec["IndexName"]) is not None:
                raise validation(
                    "One or more parameter values were invalid: Index with name: "
                    f"{spec['IndexName']} already exists"
                )
            index = parse_index(spec, types, is_global=True, billing_mode=table.billing_mode)
            if len(table.global_indexes) >= MAX_GSI:
                raise invalid(
                    f"GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GSI}"
                )
            table.attribute_types = types
            table.global_indexes.append(index)
            writer.table = table
            writer.backfill(index)
        elif update.get("Delete"):
            name = update["Delete"]["IndexName"]
            dropped = next((i for i in table.global_indexes if i.name == name), None)
            if dropped is None:
                raise resource_not_found(f"Requested resource not found: Index: {name} not found")
            table.global_indexes.remove(dropped)
            writer.drop(dropped)
        else:
            spec = update["Update"]
            name = spec["IndexName"]
            changed = next((i for i in table.global_indexes if i.name == name), None)
            if changed is None:
                raise resource_not_found(f"Requested resource not found: Index: {name} not found")
            if spec.get("ProvisionedThroughput") is not None:
                if table.billing_mode == "PAY_PER_REQUEST":
                    raise invalid(
                        "ProvisionedThroughput cannot be specified when BillingMode is "
                        "PAY_PER_REQUEST"
                    )
                changed.read_capacity, changed.write_capacity = throughput(
                    spec["ProvisionedThroughput"]
                )
    # definitions no longer used by any key are dropped, as DynamoDB does
    used = {*table.key_names(), *(n for i in table.indexes() for n in i.key_names())}
    table.attribute_types = {n: t for n, t in types.items() if n in used}


def _in_use(table: Table, name: str) -> bool:
    return name in table.key_names() or any(name in i.key_names() for i in table.indexes())


def update_stream(tx: Tx, table: Table, spec: dict[str, Any], now: float) -> None:
    """Turn ``table``'s stream on (a new stream, new label) or off."""
    view = check_stream_spec(spec)
    if view is not None:
        if table.stream_enabled():
            raise validation(f"Table already has an enabled stream: TableName: {table.name}")
        new_stream(table, view, now)
        put_stream(tx, table, now)
        return
    if not table.stream_enabled():
        raise validation(f"Table already has no enabled stream: TableName: {table.name}")
    disable_stream(tx, table, now)
    assert table.stream is not None
    table.stream.enabled = False


def show_in_progress(
    desc: dict[str, Any], before: dict[str, Any], gsi_updates: list[dict[str, Any]]
) -> None:
    """Mark UpdateTable's answer as DynamoDB does while the change runs: the table UPDATING,
    a new index CREATING, a dropped one DELETING (kumo finishes them before answering, so
    DescribeTable shows the result right away)."""
    desc["TableStatus"] = "UPDATING"
    created = {u["Create"]["IndexName"] for u in gsi_updates if u.get("Create")}
    deleted = {u["Delete"]["IndexName"] for u in gsi_updates if u.get("Delete")}
    indexes = desc.get("GlobalSecondaryIndexes", [])
    for index in indexes:
        if index["IndexName"] in created:
            index["IndexStatus"] = "CREATING"
            index["Backfilling"] = False
    for index in before.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in deleted:
            indexes.append({**index, "IndexStatus": "DELETING"})
    if indexes:
        desc["GlobalSecondaryIndexes"] = indexes
