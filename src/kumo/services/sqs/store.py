"""SQS's tables, and the transactions on them.

``sqs.queues`` holds queues by ``(account, name)``. ``sqs.messages`` holds messages by
``(queue id, message id)``. ``sqs.visible`` indexes every message by ``(queue id,
visible_at, seq)``, so receiving is a range scan up to "now" and the next moment a message
becomes visible is the first key after it. Queues have a random id, so a queue created again
under a deleted one's name never sees its messages.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kumo.aws.errors import ServiceError
from kumo.services.sqs.errors import no_such_queue
from kumo.services.sqs.models import Message, Queue, ReceiptHandle, now_ms, parse_queue_arn
from kumo.services.sqs.sending import new_message
from kumo.storage.base import Store, Tx
from kumo.storage.keys import decode_key, key, key_prefix, prefix_end

__all__ = [
    "MESSAGES",
    "QUEUES",
    "VISIBLE",
    "Received",
    "add_message",
    "all_queues",
    "cached_queue",
    "counts",
    "deduplicated",
    "delete_queue",
    "deliver",
    "due",
    "expire",
    "get_queue",
    "list_queues",
    "move",
    "needs_expiry",
    "put_queue",
    "receive",
    "remove_message",
    "require_queue",
]

QUEUES = "sqs.queues"
MESSAGES = "sqs.messages"
VISIBLE = "sqs.visible"
GROUPS = "sqs.groups"
DEDUP = "sqs.dedup"
ATTEMPTS = "sqs.attempts"
DEDUP_INTERVAL_MS = 5 * 60 * 1000
ATTEMPT_INTERVAL_MS = 5 * 60 * 1000


# -- queues --------------------------------------------------------------------------------


def get_queue(tx: Tx, account: str, name: str) -> Queue | None:
    data = tx.get(QUEUES, key(account, name))
    return Queue.from_record(data) if data is not None else None


def require_queue(tx: Tx, account: str, name: str) -> Queue:
    queue = get_queue(tx, account, name)
    if queue is None:
        raise no_such_queue()
    return queue


def cached_queue(store: Store, account: str, name: str) -> Queue:
    """:func:`require_queue` outside a transaction, kept in memory while no queue changes."""
    data = store.get_cached(QUEUES, key(account, name))
    if data is None:
        raise no_such_queue()
    return Queue.from_record(data)


def put_queue(tx: Tx, queue: Queue) -> None:
    tx.put(QUEUES, key(queue.account, queue.name), queue.to_record())


def list_queues(tx: Tx, account: str, prefix: str, after: str | None) -> Iterator[Queue]:
    start = key(account, after) + b"\x00" if after is not None else None
    for _, data in tx.scan(QUEUES, prefix=key_prefix(account, prefix), start=start):
        yield Queue.from_record(data)


def delete_queue(tx: Tx, queue: Queue) -> None:
    tx.delete(QUEUES, key(queue.account, queue.name))
    purge(tx, queue)
    for table in (DEDUP, ATTEMPTS):
        for k, _ in list(tx.scan(table, prefix=key(queue.id))):
            tx.delete(table, k)


def purge(tx: Tx, queue: Queue) -> None:
    for table in (MESSAGES, VISIBLE, GROUPS):
        for k, _ in list(tx.scan(table, prefix=key(queue.id))):
            tx.delete(table, k)


# -- messages ------------------------------------------------------------------------------


def get_message(tx: Tx, queue_id: str, message_id: str) -> Message | None:
    data = tx.get(MESSAGES, key(queue_id, message_id))
    return Message.from_record(data) if data is not None else None


def add_message(tx: Tx, queue_id: str, message: Message) -> None:
    tx.put(MESSAGES, key(queue_id, message.id), message.to_record())
    tx.put(VISIBLE, key(queue_id, message.visible_at, message.seq), message.id)
    if message.fifo and message.group is not None:
        tx.put(GROUPS, key(queue_id, message.group, message.seq), message.id)


def move(tx: Tx, queue_id: str, message: Message, visible_at: int) -> None:
    """Make ``message`` next visible at ``visible_at`` (and store its other changes)."""
    tx.delete(VISIBLE, key(queue_id, message.visible_at, message.seq))
    message.visible_at = visible_at
    add_message(tx, queue_id, message)


def remove_message(tx: Tx, queue_id: str, message: Message) -> None:
    tx.delete(MESSAGES, key(queue_id, message.id))
    tx.delete(VISIBLE, key(queue_id, message.visible_at, message.seq))
    if message.fifo and message.group is not None:
        tx.delete(GROUPS, key(queue_id, message.group, message.seq))


def deliver(
    tx: Tx,
    queue_arn: str,
    body: str,
    attributes: dict[str, dict[str, Any]],
    *,
    group: str | None,
    dedup_id: str | None,
    sender: str,
    seq: int,
) -> str | None:
    """Enqueue a message another service sends (SNS fan-out) inside the caller's transaction.

    Returns the id of the queue that took the message (to wake its receivers once the
    transaction committed), or None when the queue does not exist in the ARN's account and
    region or refuses the message (too large, bad attributes), as AWS drops such deliveries.
    The group and deduplication ids apply to FIFO queues only; a FIFO queue without them
    refuses the message.
    """
    target = parse_queue_arn(queue_arn)
    queue = get_queue(tx, *target) if target is not None else None
    if queue is None or queue.arn != queue_arn:
        return None
    try:
        message = new_message(
            queue,
            body,
            None,
            attributes,
            group if queue.fifo else None,
            dedup_id if queue.fifo else None,
            sender=sender,
            seq=seq,
        )
    except ServiceError:
        return None
    if queue.fifo and deduplicated(tx, queue, message, now_ms()) is not None:
        return queue.id
    add_message(tx, queue.id, message)
    return queue.id


def expire(tx: Tx, queue: Queue, now: int, limit: int) -> int:
    """Remove up to ``limit`` messages past the queue's retention period; returns how many.

    A message is never visible before it was sent, so every message whose visibility time
    is past the retention window is expired: a range of the visibility index. Expired
    messages that became visible later (received, or delayed) are dropped when a receive
    reaches them.
    """
    cutoff = now - queue.int_setting("MessageRetentionPeriod") * 1000
    removed = 0
    rows = list(tx.scan(VISIBLE, start=key(queue.id), end=key(queue.id, cutoff + 1), limit=limit))
    for _, message_id in rows:
        message = get_message(tx, queue.id, message_id)
        if message is not None and message.sent <= cutoff:
            remove_message(tx, queue.id, message)
            removed += 1
    for table in (DEDUP, ATTEMPTS):
        for k, seen in list(tx.scan(table, prefix=key(queue.id), limit=limit)):
            if seen["expires"] <= now:
                tx.delete(table, k)
    return removed


def needs_expiry(tx: Tx, queue: Queue, now: int) -> bool:
    """Whether :func:`expire` would remove anything (checked in a read, so idle queues cost
    no write)."""
    cutoff = now - queue.int_setting("MessageRetentionPeriod") * 1000
    if any(
        True for _ in tx.scan(VISIBLE, start=key(queue.id), end=key(queue.id, cutoff + 1), limit=1)
    ):
        return True
    return any(
        seen["expires"] <= now
        for table in (DEDUP, ATTEMPTS)
        for _, seen in tx.scan(table, prefix=key(queue.id), limit=100)
    )


def all_queues(tx: Tx) -> list[Queue]:
    return [Queue.from_record(data) for _, data in tx.scan(QUEUES)]


def deduplicated(tx: Tx, queue: Queue, message: Message, now: int) -> Message | None:
    """The message sent earlier with ``message``'s deduplication id, if within 5 minutes;
    otherwise remember ``message`` under its id and return None."""
    assert message.dedup_id is not None
    scope = message.group if queue.setting("DeduplicationScope") == "messageGroup" else ""
    k = key(queue.id, scope or "", message.dedup_id)
    seen = tx.get(DEDUP, k)
    if seen is not None and seen["expires"] > now:
        earlier = Message.from_record(seen["message"])
        return earlier
    tx.put(DEDUP, k, {"expires": now + DEDUP_INTERVAL_MS, "message": message.to_record()})
    return None


def due(tx: Tx, queue_id: str, now: int, limit: int) -> list[Message]:
    """Up to ``limit`` messages visible at ``now``, oldest visibility first."""
    found: list[Message] = []
    for _, message_id in tx.scan(VISIBLE, start=key(queue_id), end=key(queue_id, now + 1)):
        message = get_message(tx, queue_id, message_id)
        if message is not None:
            found.append(message)
        if len(found) >= limit:
            break
    return found


def next_visible(tx: Tx, queue_id: str) -> int | None:
    """When the queue's next message becomes visible (None: the queue is empty)."""
    for k, _ in tx.scan(VISIBLE, prefix=key(queue_id), limit=1):
        when = decode_key(k)[1]
        assert isinstance(when, int)
        return when
    return None


def counts(tx: Tx, queue_id: str, now: int) -> tuple[int, int, int]:
    """Approximate numbers of visible, in-flight and delayed messages."""
    visible = sum(1 for _ in tx.scan(VISIBLE, start=key(queue_id), end=key(queue_id, now + 1)))
    in_flight = delayed = 0
    for _, message_id in tx.scan(
        VISIBLE, start=key(queue_id, now + 1), end=prefix_end(key(queue_id))
    ):
        message = get_message(tx, queue_id, message_id)
        if message is None:
            continue
        if message.delayed:
            delayed += 1
        else:
            in_flight += 1
    return visible, in_flight, delayed


# -- receiving -----------------------------------------------------------------------------


@dataclass
class Received:
    """What one receive transaction did."""

    messages: list[tuple[Message, str]] = field(default_factory=list)  # with receipt handle
    # queues that got messages (dead-letter queues), to wake their waiters
    woken: list[str] = field(default_factory=list)
    next_visible: int | None = None


def receive(
    tx: Tx,
    queue: Queue,
    now: int,
    limit: int,
    visibility_seconds: int,
    attempt_id: str | None = None,
) -> Received:
    """Take up to ``limit`` visible messages in flight for ``visibility_seconds``.

    Messages past the retention period are dropped; a message that would exceed the
    RedrivePolicy's maxReceiveCount goes to the dead-letter queue instead. On a FIFO queue,
    a receive repeating ``attempt_id`` (ReceiveRequestAttemptId) within five minutes gets the
    messages and receipt handles of the first, as long as they are still in flight from it.
    """
    if queue.fifo and attempt_id:
        repeated = _repeated_attempt(tx, queue, attempt_id, now)
        if repeated is not None:
            return repeated
    result = _receive(tx, queue, now, limit, visibility_seconds)
    if queue.fifo and attempt_id:
        taken = [[m.id, m.token] for m, _ in result.messages]
        record = {"expires": now + ATTEMPT_INTERVAL_MS, "messages": taken}
        tx.put(ATTEMPTS, key(queue.id, attempt_id), record)
    return result


def _repeated_attempt(tx: Tx, queue: Queue, attempt_id: str, now: int) -> Received | None:
    seen = tx.get(ATTEMPTS, key(queue.id, attempt_id))
    if seen is None or seen["expires"] <= now or not seen["messages"]:
        return None
    result = Received()
    for message_id, token in seen["messages"]:
        message = get_message(tx, queue.id, message_id)
        # deleted, or received again since: the attempt can no longer be repeated
        if message is None or message.token != token or message.visible_at <= now:
            return None
        handle = ReceiptHandle(queue.id, message.id, token).encode()
        result.messages.append((message, handle))
    result.next_visible = next_visible(tx, queue.id)
    return result


def _receive(tx: Tx, queue: Queue, now: int, limit: int, visibility_seconds: int) -> Received:
    result = Received()
    retention_ms = queue.int_setting("MessageRetentionPeriod") * 1000
    redrive = queue.redrive
    dead_letter: Queue | None = None
    if redrive is not None:
        target = parse_queue_arn(redrive[0])
        dead_letter = get_queue(tx, *target) if target else None

    def take(message: Message) -> None:
        """Deliver ``message`` (or drop it when expired, or move it to the DLQ)."""
        if message.sent + retention_ms <= now:
            remove_message(tx, queue.id, message)
            return
        if redrive is not None and dead_letter is not None and message.receive_count >= redrive[1]:
            remove_message(tx, queue.id, message)
            message.visible_at = now
            message.token = None
            message.delayed = False
            message.extra["dead_letter_source"] = queue.arn
            add_message(tx, dead_letter.id, message)
            if dead_letter.id not in result.woken:
                result.woken.append(dead_letter.id)
            return
        message.receive_count += 1
        message.first_receive = message.first_receive or now
        message.token = secrets.token_hex(8)
        message.delayed = False
        move(tx, queue.id, message, now + visibility_seconds * 1000)
        handle = ReceiptHandle(queue.id, message.id, message.token).encode()
        result.messages.append((message, handle))

    if queue.fifo:
        _receive_groups(tx, queue.id, now, limit, take, result)
    else:
        seen: set[str] = set()
        while len(result.messages) < limit:
            batch = [
                m
                for m in due(tx, queue.id, now, limit - len(result.messages) + len(seen))
                if m.id not in seen
            ]
            if not batch:
                break
            for message in batch:
                seen.add(message.id)
                take(message)
    result.next_visible = next_visible(tx, queue.id)
    return result


def _receive_groups(
    tx: Tx,
    queue_id: str,
    now: int,
    limit: int,
    take: Callable[[Message], None],
    result: Received,
) -> None:
    """FIFO delivery: visit groups in the order their messages became visible; from a group
    whose oldest message is not in flight, take its messages in order."""
    visited: set[str] = set()
    for message_id in _due_ids(tx, queue_id, now):
        message = get_message(tx, queue_id, message_id)
        if message is None or message.group is None or message.group in visited:
            continue
        visited.add(message.group)
        # collect first: taking a message rewrites the group index being read
        in_order: list[Message] = []
        for _, member_id in tx.scan(GROUPS, prefix=key(queue_id, message.group)):
            member = get_message(tx, queue_id, member_id)
            if member is None:
                continue
            if member.visible_at > now:
                break  # in flight: the rest of the group waits for it
            in_order.append(member)
            if len(result.messages) + len(in_order) >= limit:
                break
        for member in in_order:
            take(member)
        if len(result.messages) >= limit:
            return


def _due_ids(tx: Tx, queue_id: str, now: int, chunk: int = 100) -> Iterator[str]:
    """Ids of messages visible at ``now``, read in chunks so the caller may write between."""
    start = key(queue_id)
    end = key(queue_id, now + 1)
    while True:
        rows = list(tx.scan(VISIBLE, start=start, end=end, limit=chunk))
        for _, message_id in rows:
            yield message_id
        if len(rows) < chunk:
            return
        start = rows[-1][0] + b"\x00"
