"""Reading the log store: one stream's events in time order, a group's events across
streams, and the retention sweep that removes expired events.

Every read is a bounded range scan: a page stops at its event limit or at
:data:`PAGE_BYTES` of messages, and a cross-stream search stops after :data:`SCAN_BUDGET`
events scanned, handing back a position to continue from, so no request holds more than one
page of events in memory whatever the size of the group.

Positions are ``(timestamp, seq)`` pairs (see :mod:`kumo.observe.logs`); the Logs API turns
them into its tokens.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from kumo.observe.logs import (
    EVENTS,
    TIMELINE,
    StoredEvent,
    get_group,
    get_stream,
    iter_streams,
    put_group,
    put_stream,
)
from kumo.storage.base import Store, Tx
from kumo.storage.keys import key

__all__ = [
    "PAGE_BYTES",
    "SCAN_BUDGET",
    "FilterPage",
    "StreamPage",
    "filter_events",
    "iter_group_events",
    "read_stream",
    "sweep_expired",
]

# a response carries at most 1 MB of log events, as CloudWatch Logs' do
PAGE_BYTES = 1_048_576
# events a cross-stream search examines per call before it returns a continuation
SCAN_BUDGET = 200_000

# how many streams a search merges stream by stream rather than scanning the group's timeline
_MERGE_MAX = 100

_MIN_TS = -(1 << 62)
_MAX_TS = (1 << 62) - 1

Position = tuple[int, int]


def _clamp(ms: int | None) -> int | None:
    """A client's time bound within the range keys hold (any long is a valid request)."""
    return None if ms is None else max(_MIN_TS, min(_MAX_TS - 1, ms))


@dataclass
class StreamPage:
    events: list[StoredEvent]
    # the position after the last event returned, and before the first one
    forward: Position | None
    backward: Position | None


def _stream_event(stream: str, value: list[object]) -> StoredEvent:
    message, ingestion, ts, seq = value
    return StoredEvent(stream, int(ts), int(seq), str(message), int(ingestion))  # type: ignore[call-overload]


def _page_size(message: str) -> int:
    return len(message.encode("utf-8", "surrogatepass")) + 26


def read_stream(
    tx: Tx,
    account: str,
    region: str,
    group: str,
    stream: str,
    *,
    start_time: int | None,
    end_time: int | None,
    limit: int,
    after: Position | None = None,
    before: Position | None = None,
    from_head: bool = False,
) -> StreamPage:
    """One page of a stream's events, ascending, with ``start_time <= ts < end_time``.

    ``after`` pages forward (events after that position), ``before`` pages backward (the
    last ``limit`` events before it); with neither, ``from_head`` picks the oldest events,
    otherwise the newest.
    """
    start_time, end_time = _clamp(start_time), _clamp(end_time)
    base = (account, region, group, stream)
    low = key(*base, start_time if start_time is not None else _MIN_TS)
    high = key(*base, end_time if end_time is not None else _MAX_TS)
    if after is not None:
        low = max(low, key(*base, after[0], after[1] + 1))
    if before is not None:
        high = min(high, key(*base, before[0], before[1]))
    forward = after is not None or (before is None and from_head)
    events: list[StoredEvent] = []
    size = 0
    if low < high:
        for _, value in tx.scan(EVENTS, start=low, end=high, reverse=not forward, limit=limit):
            event = _stream_event(stream, value)
            size += _page_size(event.message)
            if size > PAGE_BYTES and events:
                break
            events.append(event)
    if not forward:
        events.reverse()
    if events:
        return StreamPage(
            events,
            (events[-1].timestamp, events[-1].seq),
            (events[0].timestamp, events[0].seq),
        )
    return StreamPage(events, None, None)


@dataclass
class FilterPage:
    events: list[StoredEvent]
    # where to continue, or None when the search is complete
    resume: Position | None


def filter_events(
    tx: Tx,
    account: str,
    region: str,
    group: str,
    *,
    start_time: int | None,
    end_time: int | None,
    streams: list[str] | None,
    stream_prefix: str | None,
    matches: Callable[[str], bool],
    limit: int,
    resume: Position | None = None,
    budget: int = SCAN_BUDGET,
) -> FilterPage:
    """Matching events of a group in time order, ``start_time <= ts <= end_time``."""
    start_time, end_time = _clamp(start_time), _clamp(end_time)
    first: Position = (start_time if start_time is not None else _MIN_TS, 0)
    if resume is not None:
        first = max(first, resume)
    last_ts = end_time if end_time is not None else _MAX_TS - 1
    if not streams and stream_prefix:
        # a few streams under the prefix: merging their own ranges skips the other streams'
        # events; many: one pass over the group's timeline is cheaper
        names = [s.name for s in islice(iter_streams(tx, account, region, group, stream_prefix),
                                        _MERGE_MAX + 1)]  # fmt: skip
        if len(names) <= _MERGE_MAX:
            streams = names
            if not streams:
                return FilterPage([], None)
    source: Iterable[tuple[Position, str, str, int]]
    if streams:
        source = _merge_streams(tx, account, region, group, sorted(set(streams)), first, last_ts)
    else:
        source = _scan_timeline(tx, account, region, group, first, last_ts)
    events: list[StoredEvent] = []
    size = 0
    for scanned, (position, stream, message, ingestion) in enumerate(source, start=1):
        if stream_prefix and not stream.startswith(stream_prefix):
            pass
        elif matches(message):
            size += _page_size(message)
            if len(events) >= limit or (size > PAGE_BYTES and events):
                return FilterPage(events, position)
            events.append(StoredEvent(stream, position[0], position[1], message, ingestion))
        if scanned >= budget:
            return FilterPage(events, (position[0], position[1] + 1))
    return FilterPage(events, None)


def _scan_timeline(
    tx: Tx, account: str, region: str, group: str, first: Position, last_ts: int
) -> Iterator[tuple[Position, str, str, int]]:
    base = (account, region, group)
    low = key(*base, first[0], first[1])
    high = key(*base, last_ts + 1)
    for k, value in tx.scan(TIMELINE, start=low, end=high):
        stream, message, ingestion = value
        # the key ends with two 9-byte integer parts: timestamp, seq
        ts = int.from_bytes(k[-17:-9], "big") - (1 << 63)
        seq = int.from_bytes(k[-8:], "big") - (1 << 63)
        yield (ts, seq), str(stream), str(message), int(ingestion)


def _merge_streams(
    tx: Tx,
    account: str,
    region: str,
    group: str,
    streams: list[str],
    first: Position,
    last_ts: int,
) -> Iterator[tuple[Position, str, str, int]]:
    def one(stream: str) -> Iterator[tuple[Position, str, str, int]]:
        base = (account, region, group, stream)
        low = key(*base, first[0], first[1])
        high = key(*base, last_ts + 1)
        for _, value in tx.scan(EVENTS, start=low, end=high):
            message, ingestion, ts, seq = value
            yield (int(ts), int(seq)), stream, str(message), int(ingestion)

    return heapq.merge(*(one(s) for s in streams), key=lambda item: item[0])


# -- retention ----------------------------------------------------------------------------

_SWEEP_BATCH = 5_000


def sweep_expired(store: Store, now_ms: int) -> int:
    """Delete events older than their group's retention; returns how many were removed."""

    def groups_with_retention(tx: Tx) -> list[tuple[str, str, str, int]]:
        out: list[tuple[str, str, str, int]] = []
        for _, value in tx.scan("logs.groups"):
            if value.get("retention_days"):
                out.append(
                    (value["account"], value["region"], value["name"], value["retention_days"])
                )
        return out

    removed = 0
    for account, region, name, days in store.read(groups_with_retention):
        cutoff = now_ms - days * 86_400_000
        while True:
            count = store.write(
                lambda tx, a=account, r=region, n=name, c=cutoff: _sweep_group(tx, a, r, n, c)  # type: ignore[misc]
            )
            removed += count
            if count < _SWEEP_BATCH:
                break
    return removed


def _sweep_group(tx: Tx, account: str, region: str, name: str, cutoff: int) -> int:
    group = get_group(tx, account, region, name)
    if group is None:
        return 0
    base = (account, region, name)
    freed: dict[str, int] = {}
    count = 0
    for k, value in tx.scan(
        TIMELINE, start=key(*base, _MIN_TS), end=key(*base, cutoff), limit=_SWEEP_BATCH
    ):
        stream, message, _ = value
        ts = int.from_bytes(k[-17:-9], "big") - (1 << 63)
        seq = int.from_bytes(k[-8:], "big") - (1 << 63)
        tx.delete(TIMELINE, k)
        tx.delete(EVENTS, key(*base, stream, ts, seq))
        freed[stream] = freed.get(stream, 0) + len(str(message).encode("utf-8", "surrogatepass"))
        count += 1
    for stream_name, size in freed.items():
        stream = get_stream(tx, account, region, name, stream_name)
        if stream is not None:
            stream.stored_bytes = max(0, stream.stored_bytes - size)
            put_stream(tx, account, region, stream)
    group.stored_bytes = max(0, group.stored_bytes - sum(freed.values()))
    put_group(tx, group)
    return count


def iter_group_events(
    tx: Tx, account: str, region: str, group: str, start_time: int, end_time: int
) -> Iterator[StoredEvent]:
    """Every event of a group with ``start_time <= ts <= end_time``, in time order."""
    low, high = _clamp(start_time) or 0, _clamp(end_time) or 0
    for position, stream, message, ingestion in _scan_timeline(
        tx, account, region, group, (low, 0), high
    ):
        yield StoredEvent(stream, position[0], position[1], message, ingestion)
