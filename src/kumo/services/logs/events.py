"""Log events over the wire: PutLogEvents' checks, and the tokens of GetLogEvents and
FilterLogEvents.

GetLogEvents tokens have AWS's form, ``f/<56 digits>`` forward and ``b/<56 digits>``
backward: the digits are an event position (timestamp and sequence, 28 digits each). A
forward token is the position after the last event returned; when a page comes back empty
the token handed in is handed back, which is how clients know they reached the end.
FilterLogEvents' ``nextToken`` is an opaque position to continue the search from.
"""

from __future__ import annotations

import base64
import binascii
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kumo.observe.log_reads import StreamPage
from kumo.observe.logs import StoredEvent, event_size
from kumo.runtime.api import LogEvent
from kumo.services.logs.errors import invalid_parameter

__all__ = [
    "MAX_BATCH_BYTES",
    "Accepted",
    "backward_token",
    "classify",
    "decode_filter_token",
    "decode_stream_token",
    "encode_filter_token",
    "filtered_event",
    "forward_token",
    "output_event",
]

MAX_BATCH_BYTES = 1_048_576
MAX_SPAN_MS = 24 * 3600 * 1000
TOO_NEW_MS = 2 * 3600 * 1000
TOO_OLD_MS = 14 * 86_400_000

Position = tuple[int, int]

# positions are 64-bit key parts; a token naming anything wider is not one kumo made
_POSITION_LIMIT = 1 << 62


@dataclass
class Accepted:
    events: list[LogEvent]
    rejected: dict[str, int]


def classify(
    raw_events: Sequence[dict[str, Any]], now_ms: int, retention_days: int | None
) -> Accepted:
    """Check a PutLogEvents batch and split off the events AWS would reject."""
    events = [LogEvent(int(e["timestamp"]), str(e["message"])) for e in raw_events]
    for before, after in itertools.pairwise(events):
        if after.timestamp_ms < before.timestamp_ms:
            raise invalid_parameter(
                "Log events in a single PutLogEvents request must be in chronological order."
            )
    size = sum(event_size(e.message) for e in events)
    if size > MAX_BATCH_BYTES:
        raise invalid_parameter(f"Upload too large: {size} bytes exceeds limit of 1048576")
    if events and events[-1].timestamp_ms - events[0].timestamp_ms > MAX_SPAN_MS:
        raise invalid_parameter(
            "The batch of log events in a single PutLogEvents request cannot span more than "
            "24 hours."
        )
    too_old = now_ms - TOO_OLD_MS
    expired = now_ms - retention_days * 86_400_000 if retention_days else None
    too_new = now_ms + TOO_NEW_MS
    rejected: dict[str, int] = {}
    # the batch is in time order: old and expired events lead, too new ones trail
    old_end = sum(1 for e in events if e.timestamp_ms < too_old)
    expired_end = sum(1 for e in events if expired is not None and e.timestamp_ms < expired)
    new_start = next((i for i, e in enumerate(events) if e.timestamp_ms > too_new), None)
    if old_end:
        rejected["tooOldLogEventEndIndex"] = old_end
    if expired_end > old_end:
        rejected["expiredLogEventEndIndex"] = expired_end
    if new_start is not None:
        rejected["tooNewLogEventStartIndex"] = new_start
    first = max(old_end, expired_end)
    last = new_start if new_start is not None else len(events)
    return Accepted(events[first:last], rejected)


# -- GetLogEvents tokens ------------------------------------------------------------------


def _digits(position: Position) -> str:
    return f"{position[0]:028d}{position[1]:028d}"


def forward_token(position: Position) -> str:
    return "f/" + _digits(position)


def backward_token(position: Position) -> str:
    return "b/" + _digits(position)


def decode_stream_token(token: str) -> tuple[str, Position]:
    """``("f"|"b", position)``; InvalidParameterException for anything else."""
    direction, _, digits = token.partition("/")
    if direction not in ("f", "b") or len(digits) != 56:
        raise invalid_parameter("The specified nextToken is invalid.")
    try:
        position = (int(digits[:28]), int(digits[28:]))
    except ValueError as exc:
        raise invalid_parameter("The specified nextToken is invalid.") from exc
    if not all(-_POSITION_LIMIT <= part <= _POSITION_LIMIT for part in position):
        raise invalid_parameter("The specified nextToken is invalid.")
    return direction, position


def stream_tokens(
    page: StreamPage,
    token: tuple[str, Position] | None,
    start_time: int | None,
    end_time: int | None,
) -> tuple[str, str]:
    """The nextForwardToken and nextBackwardToken for ``page``."""
    if page.forward is not None and page.backward is not None:
        return forward_token(page.forward), backward_token(page.backward)
    if token is not None:
        direction, position = token
        if direction == "f":
            return forward_token(position), backward_token((position[0], position[1] + 1))
        return forward_token((position[0], position[1] - 1)), backward_token(position)
    low = start_time if start_time is not None else 0
    high = end_time if end_time is not None else (1 << 62)
    return forward_token((low, 0)), backward_token((high, 0))


# -- FilterLogEvents tokens ---------------------------------------------------------------


def encode_filter_token(position: Position) -> str:
    raw = f"kumo:{position[0]}:{position[1]}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_filter_token(token: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        tag, ts, seq = raw.split(":")
        position = (int(ts), int(seq))
        if tag != "kumo" or not all(abs(part) <= _POSITION_LIMIT for part in position):
            raise ValueError(tag)
        return position
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise invalid_parameter("The specified nextToken is invalid.") from exc


def output_event(event: StoredEvent) -> dict[str, Any]:
    return {
        "timestamp": event.timestamp,
        "message": event.message,
        "ingestionTime": event.ingestion_time,
    }


def filtered_event(event: StoredEvent) -> dict[str, Any]:
    return {
        "logStreamName": event.stream,
        "timestamp": event.timestamp,
        "message": event.message,
        "ingestionTime": event.ingestion_time,
        "eventId": event.event_id,
    }
