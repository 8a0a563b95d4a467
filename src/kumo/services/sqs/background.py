"""SQS's background work, started by the provider: message move tasks stepped about once a
second, and messages past their queue's retention period swept out.

Both read their work from the store on every round, so they resume after a restart and
several kumo nodes sharing a store do the same work harmlessly (each step is a transaction).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from kumo.services.sqs import moves
from kumo.services.sqs import store as db
from kumo.services.sqs.models import Queue, now_ms
from kumo.services.sqs.waiters import QueueHub
from kumo.storage.base import Store, Tx

__all__ = ["Background"]

log = logging.getLogger("kumo.sqs")

TICK_SECONDS = 1.0
SWEEP_EVERY_TICKS = 30
SWEEP_BATCH = 1000


class Background:
    def __init__(self, store: Store, hub: QueueHub) -> None:
        self.store = store
        self.hub = hub
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sqs-background")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        tick = 0
        while True:
            try:
                await self.step_moves(TICK_SECONDS)
                if tick % SWEEP_EVERY_TICKS == 0:
                    await self.sweep()
            except Exception:  # a transient store failure: try again next round
                log.exception("sqs: background work failed")
            tick += 1
            await asyncio.sleep(TICK_SECONDS)

    async def step_moves(self, seconds: float) -> None:
        """Move the next messages of every running move task."""
        tasks = await self.store.aread(moves.running)
        for task in tasks:

            def step(tx: Tx, task_key: bytes = task.key) -> list[str]:
                return moves.step(tx, task_key, now_ms(), seconds, self.hub.sequence.next)

            for queue_id in await self.store.awrite(step):
                self.hub.waiters.notify(queue_id)

    async def sweep(self) -> int:
        """Remove expired messages from every queue; returns how many."""
        removed = 0

        def expiring(tx: Tx) -> list[Queue]:
            now = now_ms()
            return [q for q in db.all_queues(tx) if db.needs_expiry(tx, q, now)]

        for queue in await self.store.aread(expiring):
            while True:

                def expire(tx: Tx, queue: Queue = queue) -> int:
                    current = db.get_queue(tx, queue.account, queue.name)
                    if current is None or current.id != queue.id:
                        return 0
                    return db.expire(tx, current, now_ms(), SWEEP_BATCH)

                count = await self.store.awrite(expire)
                removed += count
                if count < SWEEP_BATCH:
                    break
        return removed
