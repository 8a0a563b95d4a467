"""The log store: CloudWatch Logs groups, streams and their events.

Three tables hold the logs of every account and region:

* ``logs.groups`` — ``(account, region, group)`` → the group record (:class:`LogGroup`);
* ``logs.streams`` — ``(account, region, group, stream)`` → the stream record
  (:class:`LogStream`);
* ``logs.events`` — ``(account, region, group, stream, timestamp, seq)`` → the event, so that
  GetLogEvents is one range scan over one stream;
* ``logs.timeline`` — ``(account, region, group, timestamp, seq)`` → the event with its
  stream name: a per-group time index, so that FilterLogEvents across streams and the
  retention sweep are range scans too, whatever the number of streams.

``seq`` is a counter kept on the group: it orders events with the same timestamp by arrival
and, with the timestamp, names an event uniquely within its group (its ``eventId``).

:func:`put_log_events` is the single way events enter the store, used both by the Logs API
and by the runtime's log delivery (:class:`StoreLogSink`); it also hands the events to the
group's metric filters and reads Embedded Metric Format lines (:mod:`kumo.observe.derive`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from kumo.runtime.api import LogEvent
from kumo.storage.base import Store, Tx
from kumo.storage.keys import key, key_prefix

__all__ = [
    "EVENTS",
    "GROUPS",
    "STREAMS",
    "TIMELINE",
    "LogGroup",
    "LogStream",
    "StoreLogSink",
    "StoredEvent",
    "append_events",
    "delete_group",
    "delete_stream",
    "event_size",
    "get_group",
    "get_stream",
    "iter_groups",
    "iter_streams",
    "now_ms",
    "put_group",
    "put_log_events",
    "put_stream",
]

GROUPS = "logs.groups"
STREAMS = "logs.streams"
EVENTS = "logs.events"
TIMELINE = "logs.timeline"

# CloudWatch Logs counts each event as its UTF-8 message plus 26 bytes of overhead
EVENT_OVERHEAD = 26


def now_ms() -> int:
    return int(time.time() * 1000)


def event_size(message: str) -> int:
    """The bytes an event counts for in batch limits (message + fixed overhead)."""
    return len(message.encode("utf-8", "surrogatepass")) + EVENT_OVERHEAD


@dataclass
class LogGroup:
    account: str
    region: str
    name: str
    creation_time: int
    retention_days: int | None = None
    kms_key_id: str | None = None
    log_group_class: str = "STANDARD"
    tags: dict[str, str] = field(default_factory=dict)
    stored_bytes: int = 0
    # the next event sequence number in this group
    next_seq: int = 1

    @property
    def arn(self) -> str:
        """The ARN with the ``:*`` suffix, as DescribeLogGroups' ``arn`` reports it."""
        return f"{self.arn_without_star}:*"

    @property
    def arn_without_star(self) -> str:
        return f"arn:aws:logs:{self.region}:{self.account}:log-group:{self.name}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> LogGroup:
        return cls(**value)


@dataclass
class LogStream:
    group: str
    name: str
    creation_time: int
    first_event_timestamp: int | None = None
    last_event_timestamp: int | None = None
    last_ingestion_time: int | None = None
    stored_bytes: int = 0

    def arn(self, account: str, region: str) -> str:
        return f"arn:aws:logs:{region}:{account}:log-group:{self.group}:log-stream:{self.name}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> LogStream:
        return cls(**value)


@dataclass(frozen=True)
class StoredEvent:
    """One event as the store keeps it."""

    stream: str
    timestamp: int
    seq: int
    message: str
    ingestion_time: int

    @property
    def event_id(self) -> str:
        # a decimal string as AWS's eventIds are; unique within the group
        return f"{self.timestamp:020d}{self.seq:020d}"


# -- groups and streams -------------------------------------------------------------------


def get_group(tx: Tx, account: str, region: str, name: str) -> LogGroup | None:
    value = tx.get(GROUPS, key(account, region, name))
    return LogGroup.from_json(value) if value is not None else None


def put_group(tx: Tx, group: LogGroup) -> None:
    tx.put(GROUPS, key(group.account, group.region, group.name), group.to_json())


def iter_groups(
    tx: Tx, account: str, region: str, prefix: str = "", after: str | None = None
) -> Iterator[LogGroup]:
    """Groups in name order, those starting with ``prefix``, after the name ``after``."""
    start = key(account, region, after) + b"\xff" if after is not None else None
    for _, value in tx.scan(GROUPS, prefix=key_prefix(account, region, prefix), start=start):
        yield LogGroup.from_json(value)


def get_stream(tx: Tx, account: str, region: str, group: str, name: str) -> LogStream | None:
    value = tx.get(STREAMS, key(account, region, group, name))
    return LogStream.from_json(value) if value is not None else None


def put_stream(tx: Tx, account: str, region: str, stream: LogStream) -> None:
    tx.put(STREAMS, key(account, region, stream.group, stream.name), stream.to_json())


def iter_streams(
    tx: Tx,
    account: str,
    region: str,
    group: str,
    prefix: str = "",
    *,
    reverse: bool = False,
    after: str | None = None,
) -> Iterator[LogStream]:
    """Streams of ``group`` in name order (descending with ``reverse``), those starting with
    ``prefix``, past the name ``after`` in that order."""
    start = end = None
    if after is not None:
        if reverse:
            end = key(account, region, group, after)
        else:
            start = key(account, region, group, after) + b"\xff"
    for _, value in tx.scan(
        STREAMS,
        prefix=key_prefix(account, region, group, prefix),
        start=start,
        end=end,
        reverse=reverse,
    ):
        yield LogStream.from_json(value)


def _delete_range(tx: Tx, table: str, prefix: bytes) -> None:
    # the scan pages with fresh queries, so deleting while iterating is safe
    for k, _ in tx.scan(table, prefix=prefix):
        tx.delete(table, k)


def delete_stream(tx: Tx, account: str, region: str, group: LogGroup, stream: str) -> None:
    """Remove a stream and its events, adjusting the group's stored bytes."""
    removed = 0
    for k, value in tx.scan(EVENTS, prefix=key(account, region, group.name, stream)):
        tx.delete(EVENTS, k)
        tx.delete(TIMELINE, key(account, region, group.name, value[2], value[3]))
        removed += len(value[0].encode("utf-8", "surrogatepass"))
    tx.delete(STREAMS, key(account, region, group.name, stream))
    group.stored_bytes = max(0, group.stored_bytes - removed)
    put_group(tx, group)


def delete_group(tx: Tx, account: str, region: str, name: str) -> None:
    """Remove a group with its streams and events (its filters are the caller's)."""
    _delete_range(tx, EVENTS, key(account, region, name))
    _delete_range(tx, TIMELINE, key(account, region, name))
    _delete_range(tx, STREAMS, key(account, region, name))
    tx.delete(GROUPS, key(account, region, name))


# -- events -------------------------------------------------------------------------------


def append_events(
    tx: Tx,
    group: LogGroup,
    stream: LogStream,
    events: Sequence[LogEvent],
    *,
    ingestion_ms: int | None = None,
) -> list[StoredEvent]:
    """Store ``events`` in ``stream``; update and save the stream and group records."""
    account, region = group.account, group.region
    ingestion = ingestion_ms if ingestion_ms is not None else now_ms()
    stored: list[StoredEvent] = []
    added_bytes = 0
    # a key is the concatenation of its parts' encodings: encode the shared parts once
    stream_base = key(account, region, group.name, stream.name)
    group_base = key(account, region, group.name)
    for event in events:
        seq = group.next_seq
        group.next_seq += 1
        ts = int(event.timestamp_ms)
        position = key(ts, seq)
        # events: [message, ingestionTime, timestamp, seq]; timeline: [stream, message, ...]
        tx.put(EVENTS, stream_base + position, [event.message, ingestion, ts, seq])
        tx.put(TIMELINE, group_base + position, [stream.name, event.message, ingestion])
        added_bytes += len(event.message.encode("utf-8", "surrogatepass"))
        if stream.first_event_timestamp is None or ts < stream.first_event_timestamp:
            stream.first_event_timestamp = ts
        if stream.last_event_timestamp is None or ts > stream.last_event_timestamp:
            stream.last_event_timestamp = ts
        stored.append(StoredEvent(stream.name, ts, seq, event.message, ingestion))
    if stored:
        stream.last_ingestion_time = ingestion
    stream.stored_bytes += added_bytes
    group.stored_bytes += added_bytes
    put_stream(tx, account, region, stream)
    put_group(tx, group)
    if stored:
        # imported here: derive depends on the metric store, which must not import logs
        from kumo.observe.derive import derive_metrics

        derive_metrics(tx, group, stored)
    return stored


def put_log_events(
    tx: Tx,
    account_id: str,
    region: str,
    group: str,
    stream: str,
    events: Sequence[LogEvent],
) -> None:
    """Append ``events`` to ``group``/``stream``, creating both when missing.

    This is how Lambda's log delivery writes: the function's group and its instance's stream
    appear with the first line they receive.
    """
    now = now_ms()
    record = get_group(tx, account_id, region, group)
    if record is None:
        record = LogGroup(account=account_id, region=region, name=group, creation_time=now)
    stream_record = get_stream(tx, account_id, region, group, stream)
    if stream_record is None:
        stream_record = LogStream(group=group, name=stream, creation_time=now)
    ordered = sorted(events, key=lambda e: e.timestamp_ms)
    append_events(tx, record, stream_record, ordered, ingestion_ms=now)


class StoreLogSink:
    """The runtime's :class:`~kumo.runtime.api.LogSink`, writing into the log store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def __call__(
        self, account_id: str, region: str, group: str, stream: str, events: Sequence[LogEvent]
    ) -> None:
        if not events:
            return
        batch = list(events)
        await self.store.awrite(
            lambda tx: put_log_events(tx, account_id, region, group, stream, batch)
        )
