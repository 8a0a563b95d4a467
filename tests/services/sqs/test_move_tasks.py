"""Redrive out of a dead-letter queue: StartMessageMoveTask, ListMessageMoveTasks,
CancelMessageMoveTask, and the DeadLetterQueueSourceArn a dead-lettered message carries."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.sqs.helpers import error_of
from tests.services.sqs.test_redrive import arn_of


def dead_lettered(sqs: Any, new_queue: Callable[..., str], count: int) -> tuple[str, str]:
    """A source queue and its DLQ holding ``count`` dead-lettered messages."""
    dlq = new_queue("dlq")
    policy = json.dumps({"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 1})
    source = new_queue("src", RedrivePolicy=policy)
    for i in range(count):
        sqs.send_message(QueueUrl=source, MessageBody=f"m{i}")
    while True:  # receive every message once; the next receive dead-letters it
        got = sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0)
        if "Messages" not in got:
            break
    return source, dlq


def wait_for(sqs: Any, dlq_arn: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while True:
        (task,) = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
        if task["Status"] == status or time.monotonic() > deadline:
            return dict(task)
        time.sleep(0.2)


def test_dead_lettered_message_names_its_source(sqs: Any, new_queue: Callable[..., str]) -> None:
    source, dlq = dead_lettered(sqs, new_queue, 1)
    got = sqs.receive_message(QueueUrl=dlq, MessageSystemAttributeNames=["All"])["Messages"]
    assert got[0]["Attributes"]["DeadLetterQueueSourceArn"] == arn_of(sqs, source)


def test_move_back_to_source(sqs: Any, new_queue: Callable[..., str]) -> None:
    source, dlq = dead_lettered(sqs, new_queue, 3)
    dlq_arn = arn_of(sqs, dlq)
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    assert handle
    task = wait_for(sqs, dlq_arn, "COMPLETED")
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 3
    assert task["ApproximateNumberOfMessagesToMove"] == 3
    assert task["SourceArn"] == dlq_arn
    got = sqs.receive_message(
        QueueUrl=source, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    )["Messages"]
    assert sorted(m["Body"] for m in got) == ["m0", "m1", "m2"]
    assert all(m["Attributes"]["ApproximateReceiveCount"] == "1" for m in got)
    with pytest.raises(ClientError) as excinfo:
        sqs.cancel_message_move_task(TaskHandle=handle)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_move_to_destination_at_a_rate_and_cancel(sqs: Any, new_queue: Callable[..., str]) -> None:
    _, dlq = dead_lettered(sqs, new_queue, 5)
    dlq_arn = arn_of(sqs, dlq)
    destination = new_queue("dest")
    handle = sqs.start_message_move_task(
        SourceArn=dlq_arn, DestinationArn=arn_of(sqs, destination), MaxNumberOfMessagesPerSecond=1
    )["TaskHandle"]
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=dlq_arn)
    assert "Only one active task is allowed" in error_of(excinfo)[1]
    (running,) = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]
    assert running["Status"] == "RUNNING"
    assert running["TaskHandle"] == handle
    assert running["MaxNumberOfMessagesPerSecond"] == 1
    time.sleep(1.5)
    moved = sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
    assert 1 <= moved < 5
    assert wait_for(sqs, dlq_arn, "CANCELLED")["Status"] == "CANCELLED"
    attributes = sqs.get_queue_attributes(
        QueueUrl=destination, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert int(attributes["ApproximateNumberOfMessages"]) >= moved


def test_move_task_checks(sqs: Any, new_queue: Callable[..., str]) -> None:
    plain = new_queue("plain")
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=arn_of(sqs, plain))
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Source queue must be configured as a Dead Letter Queue.",
    )
    missing = "arn:aws:sqs:us-east-1:000000000000:nope"
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=missing)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        sqs.list_message_move_tasks(SourceArn=missing)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        sqs.cancel_message_move_task(TaskHandle="not a handle")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
