"""Asynchronous invocation: a durable queue, retries, destinations and dead-letter queues.

An ``Event`` invocation is a record in ``lambda.async`` keyed by (due time, id), written
before Invoke answers 202, so an accepted event survives a crash. The worker takes due
records, first pushing each one's due time past the function's timeout (a lease: if kumo
dies mid-invoke the event runs again after restart — at least once, as on Lambda), then
invokes. A failure is retried after a backoff (``retry_base`` seconds, doubled each
attempt; Lambda waits about one then two minutes) up to MaximumRetryAttempts, while the
event is younger than MaximumEventAgeInSeconds. The outcome goes to the OnSuccess/OnFailure
destination (SQS, SNS, another function) or, on failure without one, to the version's
DeadLetterConfig — in the same transaction that removes the record.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from kumo.aws.errors import ServiceError
from kumo.runtime.api import ConcurrencyLimitExceeded, Invocation, InvokeResult
from kumo.services.lambda_ import store as db
from kumo.services.lambda_.aliases import pick
from kumo.services.lambda_.models import LATEST, FunctionRef, FunctionVersion
from kumo.storage.base import Store, Tx
from kumo.storage.keys import key

__all__ = ["AsyncEvent", "AsyncQueue", "enqueue"]

log = logging.getLogger("kumo.lambda")

DEFAULT_RETRIES = 2
DEFAULT_MAX_AGE = 6 * 3600
# how long an event being invoked stays claimed beyond the function's timeout
LEASE_MARGIN_SECONDS = 60
# while the function has no concurrency left, an event waits this long and tries again
THROTTLE_WAIT_SECONDS = 0.5
_BATCH = 32


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class AsyncEvent:
    """One accepted asynchronous invocation."""

    id: str
    account_id: str
    region: str
    function_name: str
    # the qualifier the caller named (None: unqualified)
    qualifier: str | None
    invoked_arn: str
    payload: str  # base64 of the event bytes
    enqueued_ms: int
    due_ms: int
    attempts: int = 0
    trace_id: str | None = None
    # claimed by a worker that is invoking it now (its due time is the lease's end)
    leased: bool = False

    @property
    def ref(self) -> FunctionRef:
        return FunctionRef(self.account_id, self.region, self.function_name, self.qualifier)

    @property
    def body(self) -> bytes:
        return base64.b64decode(self.payload)

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> AsyncEvent:
        return cls(**data)


def enqueue(tx: Tx, event: AsyncEvent) -> None:
    tx.put(db.ASYNC, key(event.due_ms, event.id), event.to_record())


def _remove(tx: Tx, event: AsyncEvent) -> None:
    tx.delete(db.ASYNC, key(event.due_ms, event.id))


def _release_leases(tx: Tx) -> None:
    now = now_ms()
    for k, data in list(tx.scan(db.ASYNC, start=key(now))):
        if data.get("leased"):
            event = AsyncEvent.from_record(data)
            tx.delete(db.ASYNC, k)
            event.due_ms, event.leased = now, False
            enqueue(tx, event)


def event_config(tx: Tx, ref: FunctionRef) -> dict[str, Any]:
    return db.get_item(tx, db.EVENT_CONFIGS, ref, ref.qualifier or LATEST) or {}


# (tx, destination arn, record, event) -> what to run once the transaction committed
AfterCommit = Callable[[], None]
Deliverer = Callable[[Tx, str, dict[str, Any], AsyncEvent], AfterCommit | None]
# (version, reserved, invocation) -> result
InvokeFn = Callable[[FunctionVersion, int | None, Invocation], Awaitable[InvokeResult]]


class AsyncQueue:
    """The worker that runs queued events; one per provider, started with it."""

    def __init__(self, store: Store, invoke: InvokeFn, deliver: Deliverer) -> None:
        self.store = store
        self._invoke = invoke
        self._deliver = deliver
        # first retry delay in seconds (Lambda: about a minute); doubled per attempt
        self.retry_base = float(os.environ.get("KUMO_LAMBDA_RETRY_BASE_SECONDS", "60"))
        self.max_parallel = 16
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        # events this node was invoking when it stopped (or died) run again right away
        # instead of waiting out their lease; one node owns the queue
        self.store.write(_release_leases)
        self._task = asyncio.create_task(self._run(), name="lambda-async")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for running in list(self._running):
            running.cancel()
        for running in list(self._running):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await running

    def wake(self) -> None:
        """Look for due events now (callable from any thread)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        while True:
            try:
                delay = await self._dispatch()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("lambda async queue: dispatch failed")
                delay = 1.0
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def _dispatch(self) -> float:
        """Start the due events there is room for; seconds until the next one is due."""
        room = self.max_parallel - len(self._running)
        if room > 0:
            for event, version, reserved in await self.store.awrite(
                lambda tx: self._claim(tx, room)
            ):
                task = asyncio.create_task(self._handle(event, version, reserved))
                self._running.add(task)
                task.add_done_callback(self._done)
        nxt = await self.store.aread(self._next_due)
        if nxt is None:
            return 5.0
        return max(0.01, min(5.0, (nxt - now_ms()) / 1000))

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self.wake()

    def _next_due(self, tx: Tx) -> int | None:
        for _, data in tx.scan(db.ASYNC, limit=1):
            return int(data["due_ms"])
        return None

    def _claim(self, tx: Tx, room: int) -> list[tuple[AsyncEvent, FunctionVersion, int | None]]:
        now = now_ms()
        claimed = []
        rows = list(tx.scan(db.ASYNC, end=key(now + 1), limit=min(room, _BATCH)))
        for _, data in rows:
            event = AsyncEvent.from_record(data)
            _remove(tx, event)
            try:
                fn, version, alias = db.resolve(tx, event.ref)
            except ServiceError:
                # the function (or version) was deleted: the event has nowhere to run
                continue
            if alias is not None and alias.weights:
                version = db.get_version(tx, event.ref, pick(alias)) or version
            lease = (version.timeout + LEASE_MARGIN_SECONDS) * 1000
            event.due_ms = now + lease
            event.leased = True
            enqueue(tx, event)
            claimed.append((event, version, fn.reserved_concurrency))
        return claimed

    async def _handle(
        self, event: AsyncEvent, version: FunctionVersion, reserved: int | None
    ) -> None:
        event.attempts += 1
        request_id = event.id
        invocation = Invocation(
            request_id=request_id,
            payload=event.body,
            invoked_function_arn=event.invoked_arn,
            trace_id=event.trace_id,
        )
        result: InvokeResult | None = None
        throttled = False
        try:
            result = await self._invoke(version, reserved, invocation)
        except ConcurrencyLimitExceeded:
            throttled = True
        except Exception as exc:
            if getattr(exc, "code", None) == "TooManyRequestsException":
                throttled = True
            else:
                log.warning("lambda async invoke of %s failed: %s", event.invoked_arn, exc)
        if throttled:
            # over concurrency an async event waits, without spending a retry
            event.attempts -= 1
        hooks = await self.store.awrite(
            lambda tx: self._finish(tx, event, version, result, throttled=throttled)
        )
        for hook in hooks:
            hook()
        self.wake()

    def _reschedule(self, tx: Tx, event: AsyncEvent, seconds: float) -> None:
        lease_key = key(event.due_ms, event.id)
        if tx.get(db.ASYNC, lease_key) is None:
            return
        tx.delete(db.ASYNC, lease_key)
        event.due_ms = now_ms() + int(seconds * 1000)
        event.leased = False
        enqueue(tx, event)

    def _finish(
        self,
        tx: Tx,
        event: AsyncEvent,
        version: FunctionVersion,
        result: InvokeResult | None,
        *,
        throttled: bool = False,
    ) -> list[AfterCommit]:
        """Retry, or remove the event and deliver its outcome; hooks to run after commit."""
        if tx.get(db.ASYNC, key(event.due_ms, event.id)) is None:
            return []  # finished elsewhere (a reset, or a duplicate after a lease expired)
        config = event_config(tx, event.ref)
        retries = config.get("MaximumRetryAttempts", DEFAULT_RETRIES)
        max_age = config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE)
        failed = result is None or result.function_error is not None
        age_ms = now_ms() - event.enqueued_ms
        if throttled and age_ms + THROTTLE_WAIT_SECONDS * 1000 <= max_age * 1000:
            self._reschedule(tx, event, THROTTLE_WAIT_SECONDS)
            return []
        if failed and not throttled and event.attempts <= retries:
            delay = self.retry_base * (2 ** (event.attempts - 1))
            if age_ms + delay * 1000 <= max_age * 1000:
                self._reschedule(tx, event, delay)
                return []
        _remove(tx, event)
        destinations = config.get("DestinationConfig") or {}
        hook: AfterCommit | None = None
        if not failed:
            target = (destinations.get("OnSuccess") or {}).get("Destination")
            if target:
                hook = self._deliver(tx, target, record(event, version, result, "Success"), event)
            return [hook] if hook is not None else []
        exhausted = event.attempts > retries and not throttled
        condition = "RetriesExhausted" if exhausted else "EventAgeExceeded"
        target = (destinations.get("OnFailure") or {}).get("Destination")
        if target:
            hook = self._deliver(tx, target, record(event, version, result, condition), event)
        elif version.dead_letter_target:
            hook = self._deliver(tx, version.dead_letter_target, dead_letter(result), event)
        return [hook] if hook is not None else []


def dead_letter(result: InvokeResult | None) -> dict[str, Any]:
    """What a dead-letter queue is told besides the event: the error (as attributes)."""
    return {"deadLetter": True, **_error_of(result)}


def _error_of(result: InvokeResult | None) -> dict[str, str]:
    if result is None:
        return {"errorType": "ServiceException", "errorMessage": "invocation failed"}
    try:
        doc = json.loads(result.payload)
    except ValueError:
        doc = {}
    if not isinstance(doc, dict):
        doc = {}
    return {
        "errorType": str(doc.get("errorType", "Unhandled")),
        "errorMessage": str(doc.get("errorMessage", "")),
    }


def _json_or_text(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")


def record(
    event: AsyncEvent, version: FunctionVersion, result: InvokeResult | None, condition: str
) -> dict[str, Any]:
    """The invocation record Lambda sends to a destination."""
    from kumo.services.lambda_.models import lambda_time

    stamp = lambda_time().replace("+0000", "Z")
    out: dict[str, Any] = {
        "version": "1.0",
        "timestamp": stamp,
        "requestContext": {
            "requestId": event.id,
            "functionArn": version.qualified_arn if event.qualifier is None else event.invoked_arn,
            "condition": condition,
            "approximateInvokeCount": event.attempts,
        },
        "requestPayload": _json_or_text(event.body),
    }
    if result is not None:
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": version.version}
        if result.function_error is not None:
            response["functionError"] = result.function_error
        out["responseContext"] = response
        out["responsePayload"] = _json_or_text(result.payload)
    return out


def new_event(
    ref: FunctionRef, invoked_arn: str, payload: bytes, trace_id: str | None
) -> AsyncEvent:
    now = now_ms()
    return AsyncEvent(
        id=str(uuid.uuid4()),
        account_id=ref.account_id,
        region=ref.region,
        function_name=ref.name,
        qualifier=ref.qualifier,
        invoked_arn=invoked_arn,
        payload=base64.b64encode(payload).decode(),
        enqueued_ms=now,
        due_ms=now,
        trace_id=trace_id,
    )
