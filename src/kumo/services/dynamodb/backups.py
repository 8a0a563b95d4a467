"""On-demand backups: CreateBackup, DescribeBackup, ListBackups, DeleteBackup and
RestoreTableFromBackup.

A backup is a snapshot of a table taken in one transaction:

* ``dynamodb.backups`` — the backup record by ``(account, region, backup ARN)``: its name,
  the source table's record and description, and its size;
* ``dynamodb.backup_items`` — the table's items as they were, by ``(backup id, n)``.

Backups outlive their table, as DynamoDB's do. A restore builds a new table from the
snapshot's definition (through the same checks as CreateTable, so the overrides are
validated like a CreateTable request) and writes the items through
:class:`~kumo.services.dynamodb.store.ItemWriter`, which rebuilds the indexes. As in
DynamoDB, a restored table has no stream, time to live, tags or point-in-time recovery.
Copying or dropping every item of a table may be long: the provider declares CreateBackup,
DeleteBackup and RestoreTableFromBackup blocking.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.dynamodb import store as db
from kumo.services.dynamodb.errors import validation
from kumo.services.dynamodb.host import Host, Output
from kumo.services.dynamodb.models import Stats, Table
from kumo.services.dynamodb.recovery import named_table
from kumo.services.dynamodb.tables import CreateRequest, build_table, show_creating
from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = [
    "BACKUPS",
    "BACKUP_ITEMS",
    "create_backup",
    "delete_backup",
    "describe_backup",
    "list_backups",
    "restore_table_from_backup",
]

BACKUPS = "dynamodb.backups"
BACKUP_ITEMS = "dynamodb.backup_items"
_NAME = re.compile(r"[a-zA-Z0-9_.-]+")
_LIST_LIMIT = 100
_BACKUP_TYPES = ("USER", "SYSTEM", "AWS_BACKUP", "ALL")


def _when(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _seconds(value: Any) -> float:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return float(value)


def _backup_not_found(arn: str) -> ServiceError:
    return ServiceError(f"Backup not found: {arn}", code="BackupNotFoundException", status=400)


def _get(tx: Tx, ctx: RequestContext, arn: str) -> dict[str, Any]:
    record: dict[str, Any] | None = tx.get(BACKUPS, key(ctx.account_id, ctx.region, arn))
    if record is None:
        raise _backup_not_found(arn)
    return record


# -- shapes --------------------------------------------------------------------------------


def _details(record: dict[str, Any], status: str = "AVAILABLE") -> Output:
    return {
        "BackupArn": record["arn"],
        "BackupName": record["name"],
        "BackupSizeBytes": record["size"],
        "BackupStatus": status,
        "BackupType": "USER",
        "BackupCreationDateTime": _when(record["created"]),
    }


def _description(record: dict[str, Any], status: str = "AVAILABLE") -> Output:
    table = Table.from_record(record["table"])
    source = record["source"]
    source_details: Output = {
        "TableName": table.name,
        "TableId": source["TableId"],
        "TableArn": table.arn,
        "TableSizeBytes": record["size"],
        "KeySchema": table.key_schema(),
        "TableCreationDateTime": _when(table.created),
        "ProvisionedThroughput": {
            "ReadCapacityUnits": table.read_capacity,
            "WriteCapacityUnits": table.write_capacity,
        },
        "ItemCount": record["count"],
        "BillingMode": table.billing_mode,
    }
    features: Output = {}
    for name in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
        if name in source:
            features[name] = [_index_info(index) for index in source[name]]
    if table.stream is not None and table.stream.enabled:
        features["StreamDescription"] = {
            "StreamEnabled": True,
            "StreamViewType": table.stream.view_type,
        }
    features["TimeToLiveDescription"] = (
        {"TimeToLiveStatus": "ENABLED", "AttributeName": table.ttl_attribute}
        if table.ttl_enabled
        else {"TimeToLiveStatus": "DISABLED"}
    )
    if table.sse is not None:
        features["SSEDescription"] = dict(table.sse)
    return {
        "BackupDetails": _details(record, status),
        "SourceTableDetails": source_details,
        "SourceTableFeatureDetails": features,
    }


def _index_info(index: dict[str, Any]) -> Output:
    out: Output = {
        "IndexName": index["IndexName"],
        "KeySchema": index["KeySchema"],
        "Projection": index["Projection"],
    }
    throughput = index.get("ProvisionedThroughput")
    if throughput is not None:
        out["ProvisionedThroughput"] = {
            "ReadCapacityUnits": throughput.get("ReadCapacityUnits", 0),
            "WriteCapacityUnits": throughput.get("WriteCapacityUnits", 0),
        }
    return out


def _source(table: Table, stats: Stats) -> dict[str, Any]:
    """What a backup keeps of its table's description (JSON: no timestamps)."""
    desc = table.describe(stats)
    source: dict[str, Any] = {"TableId": desc["TableId"]}
    if table.local_indexes:
        source["LocalSecondaryIndexes"] = [
            {"IndexName": i.name, "KeySchema": i.key_schema(), "Projection": i.projection()}
            for i in table.local_indexes
        ]
    if table.global_indexes:
        source["GlobalSecondaryIndexes"] = [
            {
                "IndexName": i.name,
                "KeySchema": i.key_schema(),
                "Projection": i.projection(),
                "ProvisionedThroughput": {
                    "ReadCapacityUnits": i.read_capacity or 0,
                    "WriteCapacityUnits": i.write_capacity or 0,
                },
            }
            for i in table.global_indexes
        ]
    return source


def _summary(record: dict[str, Any]) -> Output:
    table = Table.from_record(record["table"])
    return {
        "TableName": table.name,
        "TableId": record["source"]["TableId"],
        "TableArn": table.arn,
        **_details(record),
    }


# -- operations ----------------------------------------------------------------------------


def create_backup(host: Host, ctx: RequestContext, table_name: str, backup_name: str) -> Output:
    if not _NAME.fullmatch(backup_name):
        raise validation(
            f"1 validation error detected: Value '{backup_name}' at 'backupName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "[a-zA-Z0-9_.-]+"
        )
    now = time.time()
    backup_id = secrets.token_hex(4)

    def create(tx: Tx) -> dict[str, Any]:
        table = named_table(tx, ctx.account_id, ctx.region, table_name)
        if table is None:
            raise ServiceError(
                f"Table not found: {table_name}", code="TableNotFoundException", status=400
            )
        stats = db.get_stats(tx, table)
        arn = f"{table.arn}/backup/{int(now * 1000):014d}-{backup_id}"
        for n, (_, data) in enumerate(tx.scan(db.ITEMS, prefix=key(table.id))):
            tx.put(BACKUP_ITEMS, key(arn, n), {"i": data["i"]})
        record = {
            "arn": arn,
            "name": backup_name,
            "created": now,
            "size": stats.size,
            "count": stats.count,
            "table": table.to_record(),
            "source": _source(table, stats),
        }
        tx.put(BACKUPS, key(ctx.account_id, ctx.region, arn), record)
        return record

    record = host.store.write(create)
    return {"BackupDetails": _details(record)}


def describe_backup(host: Host, ctx: RequestContext, backup_arn: str) -> Output:
    record = host.store.read(lambda tx: _get(tx, ctx, backup_arn))
    return {"BackupDescription": _description(record)}


def delete_backup(host: Host, ctx: RequestContext, backup_arn: str) -> Output:
    def delete(tx: Tx) -> dict[str, Any]:
        record = _get(tx, ctx, backup_arn)
        for k, _ in list(tx.scan(BACKUP_ITEMS, prefix=key(backup_arn))):
            tx.delete(BACKUP_ITEMS, k)
        tx.delete(BACKUPS, key(ctx.account_id, ctx.region, backup_arn))
        return record

    record = host.store.write(delete)
    return {"BackupDescription": _description(record, "DELETED")}


def list_backups(
    host: Host,
    ctx: RequestContext,
    table_name: str | None = None,
    limit: int | None = None,
    time_range_lower_bound: Any = None,
    time_range_upper_bound: Any = None,
    exclusive_start_backup_arn: str | None = None,
    backup_type: str | None = None,
) -> Output:
    if backup_type is not None and backup_type not in _BACKUP_TYPES:
        raise validation(
            f"1 validation error detected: Value '{backup_type}' at 'backupType' failed to "
            "satisfy constraint: Member must satisfy enum value set: "
            "[USER, SYSTEM, AWS_BACKUP, ALL]"
        )
    lower = _seconds(time_range_lower_bound) if time_range_lower_bound is not None else None
    upper = _seconds(time_range_upper_bound) if time_range_upper_bound is not None else None
    count = limit or _LIST_LIMIT

    def read(tx: Tx) -> list[dict[str, Any]]:
        return [data for _, data in tx.scan(BACKUPS, prefix=key(ctx.account_id, ctx.region))]

    # every backup kumo takes is a user's on-demand backup
    records = [] if backup_type in ("SYSTEM", "AWS_BACKUP") else host.store.read(read)
    records.sort(key=lambda r: (r["created"], r["arn"]))
    if table_name is not None:
        records = [r for r in records if r["table"]["name"] == table_name]
    if lower is not None:
        records = [r for r in records if r["created"] >= lower]
    if upper is not None:
        records = [r for r in records if r["created"] < upper]
    if exclusive_start_backup_arn is not None:
        arns = [r["arn"] for r in records]
        if exclusive_start_backup_arn in arns:
            records = records[arns.index(exclusive_start_backup_arn) + 1 :]
    page = records[:count]
    out: Output = {"BackupSummaries": [_summary(r) for r in page]}
    if len(records) > count:
        out["LastEvaluatedBackupArn"] = page[-1]["arn"]
    return out


def _restore_request(
    ctx: RequestContext,
    record: dict[str, Any],
    target: str,
    overrides: dict[str, Any],
) -> CreateRequest:
    """A CreateTable request for the backed-up table's definition with ``overrides``."""
    table = Table.from_record(record["table"])
    source = record["source"]
    billing = overrides.get("billing_mode") or table.billing_mode
    provisioned = overrides.get("provisioned")
    if provisioned is None and billing == "PROVISIONED":
        provisioned = {
            "ReadCapacityUnits": table.read_capacity,
            "WriteCapacityUnits": table.write_capacity,
        }
    gsis = overrides.get("gsis")
    if gsis is None:
        gsis = [_index_info(i) for i in source.get("GlobalSecondaryIndexes", [])]
        if billing != "PROVISIONED":
            for index in gsis:
                index.pop("ProvisionedThroughput", None)
    lsis = overrides.get("lsis")
    if lsis is None:
        lsis = [_index_info(i) for i in source.get("LocalSecondaryIndexes", [])]
    # the definitions the restored keys use, from everything the table had defined
    used = {k["AttributeName"] for k in table.key_schema()}
    for index in [*gsis, *lsis]:
        used.update(k["AttributeName"] for k in index.get("KeySchema", []))
    definitions = [
        {"AttributeName": name, "AttributeType": kind}
        for name, kind in table.attribute_types.items()
        if name in used
    ]
    sse = overrides.get("sse")
    if sse is None and table.sse is not None:
        sse = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": table.sse["KMSMasterKeyArn"]}
    return CreateRequest(
        account=ctx.account_id,
        region=ctx.region,
        name=target,
        attribute_definitions=definitions,
        key_schema=table.key_schema(),
        local_indexes=lsis or None,
        global_indexes=gsis or None,
        billing_mode=billing,
        provisioned=provisioned if billing == "PROVISIONED" else None,
        sse=sse,
        table_class=table.table_class,
    )


def restore_table_from_backup(
    host: Host,
    ctx: RequestContext,
    target_table_name: str,
    backup_arn: str,
    billing_mode_override: str | None = None,
    global_secondary_index_override: list[dict[str, Any]] | None = None,
    local_secondary_index_override: list[dict[str, Any]] | None = None,
    provisioned_throughput_override: dict[str, Any] | None = None,
    sse_specification_override: dict[str, Any] | None = None,
) -> Output:
    now = time.time()
    overrides = {
        "billing_mode": billing_mode_override,
        "gsis": global_secondary_index_override,
        "lsis": local_secondary_index_override,
        "provisioned": provisioned_throughput_override,
        "sse": sse_specification_override,
    }

    def restore(tx: Tx) -> Output:
        if db.get_table(tx, ctx.account_id, ctx.region, target_table_name) is not None:
            raise ServiceError(
                f"Table already exists: {target_table_name}",
                code="TableAlreadyExistsException",
                status=400,
            )
        record = _get(tx, ctx, backup_arn)
        table = build_table(_restore_request(ctx, record, target_table_name, overrides), now)
        table.restore = {
            "SourceBackupArn": backup_arn,
            "SourceTableArn": Table.from_record(record["table"]).arn,
            "RestoreDateTime": now,
        }
        db.put_table(tx, table)
        writer = db.ItemWriter(tx, table, now)
        for _, data in tx.scan(BACKUP_ITEMS, prefix=key(backup_arn)):
            writer.write(None, db.decode_item(data["i"]))
        writer.close()
        return table.describe(writer.stats)

    return {"TableDescription": show_creating(host.store.write(restore))}
