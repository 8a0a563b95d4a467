"""DynamoDB's records: tables with their key schema, secondary indexes and stream settings.

A :class:`Table` is stored as one JSON record; its items live elsewhere (see
:mod:`kumo.services.dynamodb.store`) under the table's random ``id``, so a table created
again under a deleted one's name never sees the old items.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Index", "Stats", "StreamInfo", "Table"]


@dataclass
class Index:
    """A local or global secondary index."""

    name: str
    hash_key: str
    range_key: str | None
    projection_type: str  # ALL | KEYS_ONLY | INCLUDE
    non_key_attributes: list[str] = field(default_factory=list)
    is_global: bool = True
    read_capacity: int | None = None
    write_capacity: int | None = None
    status: str = "ACTIVE"

    def key_names(self) -> list[str]:
        return [self.hash_key] if self.range_key is None else [self.hash_key, self.range_key]

    def key_schema(self) -> list[dict[str, str]]:
        schema = [{"AttributeName": self.hash_key, "KeyType": "HASH"}]
        if self.range_key is not None:
            schema.append({"AttributeName": self.range_key, "KeyType": "RANGE"})
        return schema

    def projection(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ProjectionType": self.projection_type}
        if self.projection_type == "INCLUDE":
            out["NonKeyAttributes"] = list(self.non_key_attributes)
        return out


@dataclass
class StreamInfo:
    """The table's current (or last) stream."""

    id: str
    arn: str
    label: str
    view_type: str
    enabled: bool = True


@dataclass
class Stats:
    """Item count and size of a table and of each of its indexes, and the stream sequence."""

    count: int = 0
    size: int = 0
    indexes: dict[str, list[int]] = field(default_factory=dict)  # name -> [count, size]
    seq: int = 0

    def to_record(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any] | None) -> Stats:
        return cls(**data) if data else cls()


@dataclass
class Table:
    account: str
    region: str
    name: str
    id: str
    created: float
    hash_key: str
    range_key: str | None
    attribute_types: dict[str, str]  # attribute name -> S | N | B, in definition order
    billing_mode: str = "PROVISIONED"
    read_capacity: int = 0
    write_capacity: int = 0
    decreases_today: int = 0
    last_increase: float | None = None
    last_decrease: float | None = None
    local_indexes: list[Index] = field(default_factory=list)
    global_indexes: list[Index] = field(default_factory=list)
    stream: StreamInfo | None = None
    sse: dict[str, Any] | None = None
    deletion_protection: bool = False
    table_class: str = "STANDARD"
    tags: dict[str, str] = field(default_factory=dict)
    ttl_attribute: str | None = None
    ttl_enabled: bool = False
    status: str = "ACTIVE"
    # a table restored from a backup: SourceBackupArn, SourceTableArn, RestoreDateTime (epoch)
    restore: dict[str, Any] | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{self.name}"

    def key_names(self) -> list[str]:
        return [self.hash_key] if self.range_key is None else [self.hash_key, self.range_key]

    def key_schema(self) -> list[dict[str, str]]:
        schema = [{"AttributeName": self.hash_key, "KeyType": "HASH"}]
        if self.range_key is not None:
            schema.append({"AttributeName": self.range_key, "KeyType": "RANGE"})
        return schema

    def indexes(self) -> list[Index]:
        return [*self.local_indexes, *self.global_indexes]

    def index(self, name: str) -> Index | None:
        for index in self.indexes():
            if index.name == name:
                return index
        return None

    def stream_enabled(self) -> bool:
        return self.stream is not None and self.stream.enabled

    # -- records -------------------------------------------------------------------------

    def to_record(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Table:
        data = dict(data)
        data["local_indexes"] = [Index(**i) for i in data.get("local_indexes", [])]
        data["global_indexes"] = [Index(**i) for i in data.get("global_indexes", [])]
        stream = data.get("stream")
        data["stream"] = StreamInfo(**stream) if stream else None
        return cls(**data)

    # -- wire ----------------------------------------------------------------------------

    def _throughput(self, read: int | None, write: int | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "NumberOfDecreasesToday": self.decreases_today,
            "ReadCapacityUnits": read or 0,
            "WriteCapacityUnits": write or 0,
        }
        if self.last_increase is not None:
            out["LastIncreaseDateTime"] = _when(self.last_increase)
        if self.last_decrease is not None:
            out["LastDecreaseDateTime"] = _when(self.last_decrease)
        return out

    def describe(self, stats: Stats) -> dict[str, Any]:
        """The TableDescription shape."""
        used = set(self.key_names())
        for index in self.indexes():
            used.update(index.key_names())
        desc: dict[str, Any] = {
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": kind}
                for name, kind in self.attribute_types.items()
                if name in used
            ],
            "TableName": self.name,
            "KeySchema": self.key_schema(),
            "TableStatus": self.status,
            "CreationDateTime": _when(self.created),
            "ProvisionedThroughput": self._throughput(self.read_capacity, self.write_capacity),
            "TableSizeBytes": stats.size,
            "ItemCount": stats.count,
            "TableArn": self.arn,
            "TableId": _uuid(self.id),
            "DeletionProtectionEnabled": self.deletion_protection,
        }
        if self.billing_mode == "PAY_PER_REQUEST":
            desc["BillingModeSummary"] = {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": _when(self.created),
            }
        if self.table_class != "STANDARD":
            desc["TableClassSummary"] = {"TableClass": self.table_class}
        if self.local_indexes:
            desc["LocalSecondaryIndexes"] = [
                self._describe_index(index, stats) for index in self.local_indexes
            ]
        if self.global_indexes:
            desc["GlobalSecondaryIndexes"] = [
                self._describe_index(index, stats) for index in self.global_indexes
            ]
        if self.stream is not None:
            if self.stream.enabled:
                desc["StreamSpecification"] = {
                    "StreamEnabled": True,
                    "StreamViewType": self.stream.view_type,
                }
            desc["LatestStreamLabel"] = self.stream.label
            desc["LatestStreamArn"] = self.stream.arn
        if self.sse is not None:
            desc["SSEDescription"] = dict(self.sse)
        if self.restore is not None:
            desc["RestoreSummary"] = {
                **self.restore,
                "RestoreDateTime": _when(self.restore["RestoreDateTime"]),
                "RestoreInProgress": False,
            }
        return desc

    def _describe_index(self, index: Index, stats: Stats) -> dict[str, Any]:
        count, size = stats.indexes.get(index.name, [0, 0])
        out: dict[str, Any] = {
            "IndexName": index.name,
            "KeySchema": index.key_schema(),
            "Projection": index.projection(),
            "IndexSizeBytes": size,
            "ItemCount": count,
            "IndexArn": f"{self.arn}/index/{index.name}",
        }
        if index.is_global:
            out["IndexStatus"] = index.status
            out["ProvisionedThroughput"] = self._throughput(
                index.read_capacity, index.write_capacity
            )
            if index.status == "CREATING":
                out["Backfilling"] = True
        return out


def _when(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _uuid(hex_id: str) -> str:
    h = hex_id.ljust(32, "0")[:32]
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
