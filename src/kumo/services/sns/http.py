"""HTTP/HTTPS delivery: POSTs taken from the durable ``sns.http`` table until they succeed.

A publish (or a Subscribe that sends a confirmation request) writes the POST to make into
``sns.http`` in its own transaction. The loop here claims due records by moving them a lease
into the future before posting, so a crash mid-POST leads to a retry after the lease, never
to a loss; a 2xx answer removes the record, anything else reschedules it by the retry policy
(the subscription's DeliveryPolicy, else the topic's, else AWS's default of three retries 20
seconds apart) until its retries are spent — then it goes to the subscription's dead-letter queue
(RedrivePolicy), if it has one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from kumo.services.sns import store as db
from kumo.services.sqs import store as sqs_store
from kumo.services.sqs.models import now_ms
from kumo.services.sqs.waiters import QueueHub
from kumo.storage.base import Store, Tx

__all__ = ["HttpDelivery", "RetryPolicy"]

log = logging.getLogger("kumo.sns")

LEASE_MS = 20_000  # longer than a POST may take (TIMEOUT_SECONDS)
BATCH = 16
IDLE_SECONDS = 1.0
TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class RetryPolicy:
    """AWS's healthyRetryPolicy: immediate retries, retries at the minimum delay, a backoff
    phase from the minimum to the maximum delay, then retries at the maximum delay."""

    min_delay: int = 20
    max_delay: int = 20
    retries: int = 3
    no_delay: int = 0
    min_delay_retries: int = 0
    max_delay_retries: int = 0
    backoff: str = "linear"

    @classmethod
    def parse(cls, text: str | None) -> RetryPolicy:
        """The healthy retry policy of a subscription or topic DeliveryPolicy document."""
        if not text:
            return cls()
        try:
            document = json.loads(text)
        except ValueError:
            return cls()
        if not isinstance(document, dict):
            return cls()
        http = document.get("http")
        section = (
            http.get("defaultHealthyRetryPolicy")
            if isinstance(http, dict)
            else document.get("healthyRetryPolicy")
        )
        if not isinstance(section, dict):
            return cls()
        defaults = cls()

        def number(name: str, default: int) -> int:
            value = section.get(name, default)
            return int(value) if isinstance(value, int | float) else default

        return cls(
            min_delay=number("minDelayTarget", defaults.min_delay),
            max_delay=number("maxDelayTarget", defaults.max_delay),
            retries=number("numRetries", defaults.retries),
            no_delay=number("numNoDelayRetries", 0),
            min_delay_retries=number("numMinDelayRetries", 0),
            max_delay_retries=number("numMaxDelayRetries", 0),
            backoff=str(section.get("backoffFunction", "linear")),
        )

    def delay(self, retry: int) -> float | None:
        """Seconds before retry number ``retry`` (1-based); None when retries are spent."""
        if retry > self.retries:
            return None
        if retry <= self.no_delay:
            return 0.0
        if retry <= self.no_delay + self.min_delay_retries:
            return float(self.min_delay)
        backoff_count = max(
            0, self.retries - self.no_delay - self.min_delay_retries - self.max_delay_retries
        )
        step = retry - self.no_delay - self.min_delay_retries
        if step > backoff_count:
            return float(self.max_delay)
        if backoff_count <= 1:
            return float(self.min_delay)
        fraction = (step - 1) / (backoff_count - 1)
        span = self.max_delay - self.min_delay
        if self.backoff == "exponential":
            return float(self.min_delay * ((self.max_delay / max(self.min_delay, 1)) ** fraction))
        if self.backoff == "geometric":
            return self.min_delay + span * fraction**2
        if self.backoff == "arithmetic":
            return self.min_delay + span * fraction**0.5
        return self.min_delay + span * fraction


def _post(record: dict[str, Any]) -> bool:
    request = urllib.request.Request(
        record["url"], data=record["body"].encode("utf-8"), method="POST"
    )
    for name, value in record["headers"].items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


class HttpDelivery:
    """The delivery loop of one provider; :meth:`wake` makes it look at once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.hub = QueueHub.for_store(store)
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="sns-http-delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """Look for due deliveries now; callable from any thread."""
        loop, event = self._loop, self._wake
        if loop is not None and event is not None and not loop.is_closed():
            loop.call_soon_threadsafe(event.set)

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            claimed: list[dict[str, Any]] = []
            wait = IDLE_SECONDS
            try:
                # look first in a read: an idle loop costs no write transactions
                due = await self.store.aread(db.next_http_due)
                if due is not None and due <= now_ms():
                    claimed = await self.store.awrite(self._claim)
                elif due is not None:
                    wait = min(wait, (due - now_ms()) / 1000)
            except Exception:  # the store closing at shutdown, or a transient failure
                log.exception("sns: claiming HTTP deliveries failed")
            if claimed:
                await asyncio.gather(*(self._deliver(record) for record in claimed))
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.01, wait))

    @staticmethod
    def _claim(tx: Tx) -> list[dict[str, Any]]:
        now = now_ms()
        claimed = []
        for record in db.due_http(tx, now, BATCH):
            db.remove_http(tx, record)
            leased = {**record, "due": now + LEASE_MS}
            db.add_http(tx, leased)
            claimed.append(leased)
        return claimed

    async def _deliver(self, record: dict[str, Any]) -> None:
        ok = await asyncio.to_thread(_post, record)

        def settle(tx: Tx) -> None:
            if not db.remove_http(tx, record):
                return  # settled already (reset, or another node)
            if ok:
                return
            retry = int(record["attempt"]) + 1
            delay = RetryPolicy.parse(record.get("policy")).delay(retry)
            if delay is not None:
                db.add_http(tx, {**record, "attempt": retry, "due": now_ms() + int(delay * 1000)})
                return
            log.warning("sns: giving up on %s after %d retries", record["url"], retry - 1)
            if record.get("dead_letter"):
                # the subscription's dead-letter queue keeps what could not be delivered
                queue_id = sqs_store.deliver(
                    tx,
                    record["dead_letter"],
                    record["body"],
                    {},
                    group=record.get("group"),
                    dedup_id=record["id"],
                    sender=record["dead_letter"].split(":")[4],
                    seq=self.hub.sequence.next(),
                )
                if queue_id is not None:
                    woken.append(queue_id)

        woken: list[str] = []
        await self.store.awrite(settle)
        for queue_id in woken:
            self.hub.waiters.notify(queue_id)
