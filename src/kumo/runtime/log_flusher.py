"""Writing function logs to the log sink in batches, one write per stream per round.

:class:`LogFlusher` queues each invocation's events by (account, region, group, stream)
and writes them from one long-lived task, so under load a stream gets one write per round
rather than one per invocation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from kumo.runtime.api import LogEvent, LogSink

__all__ = ["LogFlusher"]

log = logging.getLogger("kumo.runtime")

# (account, region, log group, log stream)
StreamKey = tuple[str, str, str, str]


class LogFlusher:
    """Queues function log events and writes them to ``sink`` stream by stream."""

    def __init__(self, sink: LogSink) -> None:
        self.sink = sink
        self._buffer: dict[StreamKey, list[LogEvent]] = {}
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Future[None] | None = None
        # set once the runtime closes: events are only queued, close() writes them
        self._holding = False

    def write(self, key: StreamKey, events: Sequence[LogEvent]) -> None:
        """Queue ``events`` for the stream ``key``; the flusher writes them soon."""
        pending = self._buffer.get(key)
        if pending is None:
            self._buffer[key] = list(events)
        else:
            pending.extend(events)
        if self._holding:
            return
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._flush_forever())
        elif self._wake is not None and not self._wake.done():
            self._wake.set_result(None)

    def hold(self) -> None:
        """Stop writing in the background: from now on events wait for :meth:`close`."""
        self._holding = True

    async def close(self) -> None:
        """Stop the flusher and write what is still queued."""
        self._holding = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._write_pending()

    async def _flush_forever(self) -> None:
        # while a batch is written the next piles up
        loop = asyncio.get_running_loop()
        while True:
            if not self._buffer:
                self._wake = loop.create_future()
                await self._wake
            await self._write_pending()

    async def _write_pending(self) -> None:
        while self._buffer:
            batch, self._buffer = self._buffer, {}
            for (account, region, group, stream), events in batch.items():
                try:
                    await self.sink(account, region, group, stream, events)
                except Exception:
                    log.exception("could not write function logs to %s", group)
