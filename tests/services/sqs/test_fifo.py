"""FIFO queues: naming, ordering per message group, one batch in flight per group,
deduplication."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kumo.services.sqs import store as db
from kumo.storage.keys import key
from tests.services.sqs.helpers import error_of

FIFO_NAME_ERROR = (
    "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
    "underscores, must end with .fifo suffix and be 1 to 80 in length."
)


def fifo_queue(sqs: Any, **attributes: str) -> str:
    name = f"f-{uuid.uuid4().hex[:12]}.fifo"
    return str(
        sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true", **attributes})["QueueUrl"]
    )


def test_fifo_naming(sqs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(QueueName=f"f-{uuid.uuid4().hex[:8]}.fifo")
    assert error_of(exc) == ("InvalidParameterValue", FIFO_NAME_ERROR)
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(QueueName=f"f-{uuid.uuid4().hex[:8]}", Attributes={"FifoQueue": "true"})
    assert error_of(exc) == ("InvalidParameterValue", FIFO_NAME_ERROR)
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(
            QueueName=f"s-{uuid.uuid4().hex[:8]}", Attributes={"ContentBasedDeduplication": "true"}
        )
    assert error_of(exc) == ("InvalidAttributeName", "Unknown Attribute ContentBasedDeduplication.")
    url = fifo_queue(sqs)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["FifoQueue"] == "true"
    assert attrs["ContentBasedDeduplication"] == "false"
    assert attrs["DeduplicationScope"] == "queue"
    assert attrs["FifoThroughputLimit"] == "perQueue"


def test_send_rules(sqs: Any) -> None:
    url = fifo_queue(sqs)
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
    assert error_of(exc) == (
        "MissingParameter",
        "The request must contain the parameter MessageGroupId.",
    )
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    assert error_of(exc)[0] == "InvalidParameterValue"
    assert "ContentBasedDeduplication" in error_of(exc)[1]
    with pytest.raises(ClientError) as exc:
        sqs.send_message(
            QueueUrl=url,
            MessageBody="x",
            MessageGroupId="g",
            MessageDeduplicationId="d",
            DelaySeconds=5,
        )
    assert error_of(exc)[0] == "InvalidParameterValue"


def test_order_within_group_and_one_batch_in_flight(sqs: Any) -> None:
    url = fifo_queue(sqs, ContentBasedDeduplication="true")
    numbers: list[str] = []
    for i in range(4):
        sent = sqs.send_message(QueueUrl=url, MessageBody=f"a{i}", MessageGroupId="a")
        numbers.append(sent["SequenceNumber"])
    sqs.send_message(QueueUrl=url, MessageBody="b0", MessageGroupId="b")
    assert numbers == sorted(numbers)
    first = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=2, MessageSystemAttributeNames=["All"]
    )["Messages"]
    assert [m["Body"] for m in first] == ["a0", "a1"]
    assert first[0]["Attributes"]["MessageGroupId"] == "a"
    assert first[0]["Attributes"]["SequenceNumber"] == numbers[0]
    # group a has a batch in flight: only group b is available
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in second] == ["b0"]
    # returning a1 early still keeps the group blocked while a0 is in flight
    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=first[1]["ReceiptHandle"], VisibilityTimeout=0
    )
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    third = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in third] == ["a1", "a2", "a3"]


def test_deduplication(sqs: Any) -> None:
    url = fifo_queue(sqs)
    first = sqs.send_message(
        QueueUrl=url, MessageBody="once", MessageGroupId="g", MessageDeduplicationId="d1"
    )
    again = sqs.send_message(
        QueueUrl=url, MessageBody="twice", MessageGroupId="g", MessageDeduplicationId="d1"
    )
    assert again["MessageId"] == first["MessageId"]
    batch = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "1", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d1"},
            {"Id": "2", "MessageBody": "y", "MessageGroupId": "g", "MessageDeduplicationId": "d2"},
        ],
    )
    assert batch["Successful"][0]["MessageId"] == first["MessageId"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["once", "y"]


def test_content_based_deduplication(sqs: Any) -> None:
    url = fifo_queue(sqs, ContentBasedDeduplication="true")
    a = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    b = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    assert a["MessageId"] == b["MessageId"]
    got = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    )["Messages"]
    assert len(got) == 1
    assert len(got[0]["Attributes"]["MessageDeduplicationId"]) == 64


def test_fifo_dead_letter_queue_must_be_fifo(sqs: Any, new_queue: Any) -> None:
    import json

    standard = new_queue()
    arn = sqs.get_queue_attributes(QueueUrl=standard, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 1})
    with pytest.raises(ClientError) as exc:
        fifo_queue(sqs, RedrivePolicy=policy)
    assert error_of(exc)[1].endswith("Dead-letter queue must be same type of queue as the source.")


def test_fifo_redrive_keeps_group_order(sqs: Any) -> None:
    import json

    dlq = fifo_queue(sqs)
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 1})
    url = fifo_queue(sqs, ContentBasedDeduplication="true", RedrivePolicy=policy)
    for body in ("m0", "m1"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    assert [m["Body"] for m in got["Messages"]] == ["m0", "m1"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    moved = sqs.receive_message(
        QueueUrl=dlq, MaxNumberOfMessages=10, MessageSystemAttributeNames=["MessageGroupId"]
    )["Messages"]
    assert [m["Body"] for m in moved] == ["m0", "m1"]
    assert moved[0]["Attributes"]["MessageGroupId"] == "g"


def test_deduplication_lasts_five_minutes(sqs: Any, kumo: Any) -> None:
    url = fifo_queue(sqs)
    name = url.rsplit("/", 1)[1]
    first = sqs.send_message(
        QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="d"
    )
    # received and deleted, the id still deduplicates within the interval
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    again = sqs.send_message(
        QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="d"
    )
    assert again["MessageId"] == first["MessageId"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)

    def age(tx: Any) -> int:
        """Move the deduplication record's sent time back by five minutes."""
        queue = db.require_queue(tx, "000000000000", name)
        rows = list(tx.scan(db.DEDUP, prefix=key(queue.id)))
        for k, record in rows:
            record["expires"] -= db.DEDUP_INTERVAL_MS
            tx.put(db.DEDUP, k, record)
        return len(rows)

    assert kumo.platform.store.write(age) == 1
    later = sqs.send_message(
        QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="d"
    )
    assert later["MessageId"] != first["MessageId"]
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["MessageId"] == later["MessageId"]
