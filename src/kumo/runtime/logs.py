"""Function logs as Lambda writes them: stream names, START/END/REPORT lines, the log tail.

Also :class:`MemoryLogSink`, a :class:`~kumo.runtime.api.LogSink` that keeps events in
memory (tests, and a platform built without a log store).
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from kumo.runtime.api import LogEvent

TAIL_BYTES = 4096


def stream_name(version: str) -> str:
    """A log stream per instance, named as Lambda names them."""
    day = datetime.now(UTC).strftime("%Y/%m/%d")
    return f"{day}/[{version}]{uuid.uuid4().hex}"


def now_ms() -> int:
    return int(time.time() * 1000)


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}\n"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}\n"


def billed_ms(duration_ms: float) -> int:
    return max(1, math.ceil(duration_ms))


def report_line(
    request_id: str,
    duration_ms: float,
    memory_mb: int,
    max_memory_mb: int,
    init_ms: float | None,
    status: str | None = None,
    error_type: str | None = None,
) -> str:
    parts = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {billed_ms(duration_ms)} ms",
        f"Memory Size: {memory_mb} MB",
        f"Max Memory Used: {max_memory_mb} MB",
    ]
    if init_ms is not None:
        parts.append(f"Init Duration: {init_ms:.2f} ms")
    if status is not None:
        parts.append(f"Status: {status}")
    if error_type is not None:
        parts.append(f"Error Type: {error_type}")
    return "\t".join(parts) + "\t\n"


def timestamp(ms: int) -> str:
    """``2024-01-02T03:04:05.678Z``, as Lambda stamps the timeout line."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def tail(events: Sequence[LogEvent]) -> str:
    """The last 4 KB of an invocation's log."""
    data = "".join(e.message for e in events).encode("utf-8")
    return data[-TAIL_BYTES:].decode("utf-8", "ignore")


def split_lines(text: str) -> list[str]:
    """Output written to stdout/stderr becomes one event per line, newline kept."""
    return text.splitlines(keepends=True)


class MemoryLogSink:
    """Keeps every event in memory, keyed by (account, region, group, stream)."""

    def __init__(self) -> None:
        self.streams: dict[tuple[str, str, str, str], list[LogEvent]] = {}

    async def __call__(
        self, account_id: str, region: str, group: str, stream: str, events: Sequence[LogEvent]
    ) -> None:
        self.streams.setdefault((account_id, region, group, stream), []).extend(events)

    def messages(self, group: str | None = None) -> list[str]:
        return [
            event.message
            for (_a, _r, g, _s), events in self.streams.items()
            if group is None or g == group
            for event in events
        ]
