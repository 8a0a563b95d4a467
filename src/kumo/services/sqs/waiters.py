"""Long polling: receivers wait on a per-queue event that senders set.

A receiver takes the queue's current event *before* looking at the store, so a message sent
after its look sets the event it waits on and no wake-up is lost. Senders may run on worker
threads, so events are set through the loop that owns them.

Other services that put messages into queues (SNS fan-out) reach the same waiters and message
sequence through :meth:`QueueHub.for_store`: one hub per store, so every provider built on a
store shares it and no process-wide state leaks between platforms.
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from typing import ClassVar

__all__ = ["QueueHub", "Sequence", "Waiters"]


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


class Sequence:
    """Increasing integers (time-based, so they keep increasing across restarts)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def next(self) -> int:
        with self._lock:
            self._last = max(self._last + 1, time.time_ns())
            return self._last


class QueueHub:
    """What every writer of a store's queues shares: the long-poll waiters and the message
    sequence (message index keys include it, so it must be unique per store)."""

    _hubs: ClassVar[weakref.WeakKeyDictionary[object, QueueHub]] = weakref.WeakKeyDictionary()
    _hubs_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        self.waiters = Waiters()
        self.sequence = Sequence()

    @classmethod
    def for_store(cls, store: object) -> QueueHub:
        """The hub of ``store`` (created on first use)."""
        with cls._hubs_lock:
            hub = cls._hubs.get(store)
            if hub is None:
                hub = cls._hubs[store] = cls()
            return hub
