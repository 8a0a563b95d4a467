"""ReceiveRequestAttemptId on FIFO queues, message system attributes sent with a message,
and messages removed once past their queue's retention period."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kumo.services.sqs import store as db
from kumo.services.sqs.models import now_ms
from tests.services.sqs.test_fifo import fifo_queue


def test_repeated_receive_attempt_gets_the_same_messages(sqs: Any) -> None:
    url = fifo_queue(sqs, ContentBasedDeduplication="true")
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    first = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, ReceiveRequestAttemptId="attempt-1"
    )["Messages"]
    again = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, ReceiveRequestAttemptId="attempt-1"
    )["Messages"]
    assert [m["Body"] for m in first] == ["a", "b"]
    assert [(m["MessageId"], m["ReceiptHandle"]) for m in again] == [
        (m["MessageId"], m["ReceiptHandle"]) for m in first
    ]
    other = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="attempt-2")
    assert "Messages" not in other  # the group is in flight
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    # a deleted message ends the attempt: a retry is a new receive
    retry = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="attempt-1")
    assert "Messages" not in retry


def test_trace_header_system_attribute(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody="traced",
        MessageSystemAttributes={
            "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-abc-def"}
        },
    )
    assert sent["MD5OfMessageSystemAttributes"]
    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["AWSTraceHeader"])
    assert got["Messages"][0]["Attributes"] == {"AWSTraceHeader": "Root=1-abc-def"}


def test_expired_messages_are_swept(kumo: Any, sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(MessageRetentionPeriod="60")
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"old {i}")
    account, name = url.split("/")[-2:]
    store = kumo.platform.store

    def expire(tx: Any) -> int:
        queue = db.require_queue(tx, account, name)
        return db.expire(tx, queue, now_ms() + 61_000, 1000)

    def expiring(tx: Any, later: int) -> bool:
        return db.needs_expiry(tx, db.require_queue(tx, account, name), now_ms() + later)

    assert not store.read(lambda tx: expiring(tx, 0))
    assert store.read(lambda tx: expiring(tx, 61_000))
    assert store.write(expire) == 3
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
