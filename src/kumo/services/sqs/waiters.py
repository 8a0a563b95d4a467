"""Long polling: receivers wait on a per-queue event that senders set.

A receiver takes the queue's current event *before* looking at the store, so a message sent
after its look sets the event it waits on and no wake-up is lost. Senders may run on worker
threads, so events are set through the loop that owns them.
"""

from __future__ import annotations

import asyncio
import threading

__all__ = ["Waiters"]


class Waiters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Event]] = {}

    def event(self, queue_id: str) -> asyncio.Event:
        """The event the next arrival on ``queue_id`` sets; call on the event loop."""
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._events.get(queue_id)
            if entry is None or entry[0] is not loop:
                entry = (loop, asyncio.Event())
                self._events[queue_id] = entry
            return entry[1]

    def notify(self, queue_id: str) -> None:
        """Wake every receiver waiting on ``queue_id``; callable from any thread."""
        with self._lock:
            entry = self._events.pop(queue_id, None)
        if entry is not None:
            loop, event = entry
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)
