"""Point-in-time recovery settings of a table: UpdateContinuousBackups and
DescribeContinuousBackups.

Continuous backups are always on for a DynamoDB table; point-in-time recovery is the part a
caller turns on or off. Its setting lives in ``dynamodb.pitr`` by table id, so a table
created again under the same name starts with recovery off, and the purge of a deleted
table (:func:`kumo.services.dynamodb.store.purge_some`) removes it.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.dynamodb import store as db
from kumo.services.dynamodb.errors import validation
from kumo.services.dynamodb.host import Host, Output
from kumo.services.dynamodb.models import Table
from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = [
    "PITR",
    "describe_continuous_backups",
    "named_table",
    "update_continuous_backups",
]

PITR = "dynamodb.pitr"
DEFAULT_PERIOD_DAYS = 35
# DynamoDB's latest restorable time trails the present by about five minutes
_LATEST_LAG = 300.0
_DAY = 86400.0


def named_table(tx: Tx, account: str, region: str, name_or_arn: str) -> Table | None:
    """The table a ``TableName`` parameter names (these operations also take the table ARN)."""
    name = name_or_arn
    if name_or_arn.startswith("arn:"):
        prefix = f"arn:aws:dynamodb:{region}:{account}:table/"
        name = name_or_arn[len(prefix) :] if name_or_arn.startswith(prefix) else ""
        if not name or "/" in name:
            return None
    return db.get_table(tx, account, region, name)


def _table_not_found(name: str) -> ServiceError:
    return ServiceError(f"Table not found: {name}", code="TableNotFoundException", status=400)


def _when(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _description(setting: dict[str, Any] | None, now: float) -> Output:
    if setting is None or not setting["enabled"]:
        recovery: dict[str, Any] = {"PointInTimeRecoveryStatus": "DISABLED"}
    else:
        period = int(setting["period"])
        earliest = max(float(setting["since"]), now - period * _DAY)
        latest = max(earliest, now - _LATEST_LAG)
        recovery = {
            "PointInTimeRecoveryStatus": "ENABLED",
            "RecoveryPeriodInDays": period,
            "EarliestRestorableDateTime": _when(earliest),
            "LatestRestorableDateTime": _when(latest),
        }
    return {
        "ContinuousBackupsDescription": {
            "ContinuousBackupsStatus": "ENABLED",
            "PointInTimeRecoveryDescription": recovery,
        }
    }


def update_continuous_backups(
    host: Host,
    ctx: RequestContext,
    table_name: str,
    point_in_time_recovery_specification: dict[str, Any],
) -> Output:
    enabled = bool(point_in_time_recovery_specification["PointInTimeRecoveryEnabled"])
    period = point_in_time_recovery_specification.get("RecoveryPeriodInDays")
    if period is not None and not 1 <= int(period) <= DEFAULT_PERIOD_DAYS:
        bound = (
            "less than or equal to 35"
            if int(period) > DEFAULT_PERIOD_DAYS
            else "greater than or equal to 1"
        )
        raise validation(
            f"1 validation error detected: Value '{period}' at "
            "'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy "
            f"constraint: Member must have value {bound}"
        )
    now = time.time()

    def change(tx: Tx) -> dict[str, Any]:
        table = named_table(tx, ctx.account_id, ctx.region, table_name)
        if table is None:
            raise _table_not_found(table_name)
        old: dict[str, Any] | None = tx.get(PITR, key(table.id))
        setting: dict[str, Any]
        if not enabled:
            setting = {"enabled": False, "period": None, "since": None}
        else:
            was_on = old is not None and bool(old["enabled"])
            setting = {
                "enabled": True,
                "period": int(period) if period is not None else DEFAULT_PERIOD_DAYS,
                # changing only the period keeps the history already recoverable
                "since": old["since"] if old is not None and was_on else now,
            }
        tx.put(PITR, key(table.id), setting)
        return setting

    setting = host.store.write(change)
    return _description(setting, now)


def describe_continuous_backups(host: Host, ctx: RequestContext, table_name: str) -> Output:
    def read(tx: Tx) -> dict[str, Any] | None:
        table = named_table(tx, ctx.account_id, ctx.region, table_name)
        if table is None:
            raise _table_not_found(table_name)
        setting: dict[str, Any] | None = tx.get(PITR, key(table.id))
        return setting

    return _description(host.store.read(read), time.time())
