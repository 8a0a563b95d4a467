"""Message move tasks: redriving a dead-letter queue's messages back to their source queues
(or to one destination queue), at most MaxNumberOfMessagesPerSecond.

A task is a record in ``sqs.moves`` keyed by ``(source ARN, started, task id)``; the
provider's background loop calls :func:`step` about once a second for each running task, so
a task survives a restart and resumes where it was. A message moved back starts over: no
receives, visible at once, a new sequence number.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from kumo.aws.errors import ServiceError
from kumo.services.sqs import store as db
from kumo.services.sqs.errors import invalid_parameter, parameter_is_invalid
from kumo.services.sqs.models import Queue, parse_queue_arn
from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = ["MOVES", "MoveTask", "cancel", "list_tasks", "running", "start", "step"]

MOVES = "sqs.moves"
SYSTEM_RATE = 500  # "system optimized": AWS's top rate
RUNNING = "RUNNING"


@dataclass
class MoveTask:
    id: str
    source_arn: str
    destination_arn: str | None
    rate: int | None
    started: int  # epoch ms
    to_move: int
    moved: int = 0
    status: str = RUNNING
    failure: str | None = None

    @property
    def handle(self) -> str:
        raw = json.dumps({"taskId": self.id, "sourceArn": self.source_arn})
        return base64.b64encode(raw.encode()).decode("ascii")

    @property
    def key(self) -> bytes:
        return key(self.source_arn, self.started, self.id)

    def output(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Status": self.status,
            "SourceArn": self.source_arn,
            "ApproximateNumberOfMessagesMoved": self.moved,
            "ApproximateNumberOfMessagesToMove": self.to_move,
            "StartedTimestamp": self.started,
        }
        if self.status == RUNNING:
            out["TaskHandle"] = self.handle
        if self.destination_arn:
            out["DestinationArn"] = self.destination_arn
        if self.rate is not None:
            out["MaxNumberOfMessagesPerSecond"] = self.rate
        if self.failure:
            out["FailureReason"] = self.failure
        return out


def _not_found(message: str) -> ServiceError:
    return ServiceError(message, code="ResourceNotFoundException", status=400)


def _missing(parameter: str) -> ServiceError:
    return _not_found(
        f"The resource that you specified for the {parameter} parameter doesn't exist."
    )


def _queue_of(tx: Tx, arn: str) -> Queue | None:
    target = parse_queue_arn(arn)
    queue = db.get_queue(tx, *target) if target is not None else None
    return queue if queue is not None and queue.arn == arn else None


def _put(tx: Tx, task: MoveTask) -> None:
    tx.put(MOVES, task.key, asdict(task))


def start(
    tx: Tx, source_arn: str, destination_arn: str | None, rate: int | None, now: int
) -> MoveTask:
    """A new running task, checked as StartMessageMoveTask checks it."""
    if rate is not None and not 1 <= rate <= SYSTEM_RATE:
        raise parameter_is_invalid(
            rate, "MaxNumberOfMessagesPerSecond", "Must be an integer between 1 and 500."
        )
    source = _queue_of(tx, source_arn)
    if source is None:
        raise _missing("SourceArn")
    if not any(
        q.redrive is not None and q.redrive[0] == source_arn
        for q in db.list_queues(tx, source.account, "", None)
    ):
        raise invalid_parameter("Source queue must be configured as a Dead Letter Queue.")
    if destination_arn is not None:
        destination = _queue_of(tx, destination_arn)
        if destination is None:
            raise _missing("DestinationArn")
        if destination.fifo != source.fifo:
            raise invalid_parameter("The destination queue must be the same type as the source.")
    if any(t.status == RUNNING for t in _tasks(tx, source_arn)):
        raise invalid_parameter(
            "There is already a task running. Only one active task is allowed for a source "
            "queue arn at a given time."
        )
    visible, in_flight, delayed = db.counts(tx, source.id, now)
    task = MoveTask(
        id=uuid.uuid4().hex,
        source_arn=source_arn,
        destination_arn=destination_arn,
        rate=rate,
        started=now,
        to_move=visible + in_flight + delayed,
    )
    _put(tx, task)
    return task


def _tasks(tx: Tx, source_arn: str) -> list[MoveTask]:
    return [MoveTask(**data) for _, data in tx.scan(MOVES, prefix=key(source_arn))]


def list_tasks(tx: Tx, source_arn: str, limit: int) -> list[MoveTask]:
    """The source's most recent tasks, newest first."""
    if _queue_of(tx, source_arn) is None:
        raise _missing("SourceArn")
    return list(reversed(_tasks(tx, source_arn)))[:limit]


def cancel(tx: Tx, handle: str) -> MoveTask:
    try:
        named = json.loads(base64.b64decode(handle.encode("ascii"), validate=True))
        source_arn, task_id = str(named["sourceArn"]), str(named["taskId"])
    except (ValueError, KeyError, TypeError, UnicodeError):
        raise _not_found("Task does not exist.") from None
    for task in _tasks(tx, source_arn):
        if task.id == task_id and task.status == RUNNING:
            task.status = "CANCELLED"
            _put(tx, task)
            return task
    raise _not_found("Task does not exist.")


def running(tx: Tx) -> list[MoveTask]:
    return [MoveTask(**data) for _, data in tx.scan(MOVES) if data["status"] == RUNNING]


def step(
    tx: Tx, task_id: bytes, now: int, seconds: float, next_seq: Callable[[], int]
) -> list[str]:
    """Move the next messages of a running task (``seconds`` of its rate); returns the ids
    of the queues that got messages."""
    data = tx.get(MOVES, task_id)
    if data is None or data["status"] != RUNNING:
        return []
    task = MoveTask(**data)
    source = _queue_of(tx, task.source_arn)
    if source is None:
        task.status, task.failure = "FAILED", "The source queue was deleted."
        _put(tx, task)
        return []
    budget = max(1, int((task.rate or SYSTEM_RATE) * seconds))
    woken: list[str] = []
    targets: dict[str | None, Queue | None] = {}
    for message in db.due(tx, source.id, now, budget):
        arn = task.destination_arn or message.extra.get("dead_letter_source")
        if arn not in targets:
            targets[arn] = _queue_of(tx, arn) if arn else None
        target = targets[arn]
        if target is None:
            task.status = "FAILED"
            task.failure = "The destination queue of a message does not exist."
            break
        db.remove_message(tx, source.id, message)
        message.extra.pop("dead_letter_source", None)
        message.receive_count = 0
        message.first_receive = None
        message.token = None
        message.delayed = False
        message.visible_at = now
        message.seq = next_seq()
        db.add_message(tx, target.id, message)
        task.moved += 1
        if target.id not in woken:
            woken.append(target.id)
    if task.status == RUNNING and not db.due(tx, source.id, now, 1):
        task.status = "COMPLETED"
    _put(tx, task)
    return woken
