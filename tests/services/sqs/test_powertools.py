"""aws-lambda-powertools' batch utilities over messages received from kumo: the handler of
a Lambda function consuming SQS, fed the Lambda SQS event built from ReceiveMessage, reports
batchItemFailures; the successes are deleted, the failures come back after their visibility
timeout and end in the dead-letter queue. FIFO: SqsFifoPartialProcessor stops at the first
failure and the group's order holds on the next receive."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.parser.models import SqsModel

SYSTEM = ["All"]


def arn_of(sqs: Any, url: str) -> str:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attrs["Attributes"]["QueueArn"])


def lambda_event(sqs: Any, url: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The event Lambda's SQS poller builds from received ``messages``."""
    arn = arn_of(sqs, url)
    records = []
    for message in messages:
        attributes = {}
        for name, value in message.get("MessageAttributes", {}).items():
            attributes[name] = {
                "dataType": value["DataType"],
                "stringListValues": [],
                "binaryListValues": [],
            }
            if "BinaryValue" in value:
                attributes[name]["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
            else:
                attributes[name]["stringValue"] = value["StringValue"]
        records.append(
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message["Attributes"],
                "messageAttributes": attributes,
                "md5OfBody": message["MD5OfBody"],
                **(
                    {"md5OfMessageAttributes": message["MD5OfMessageAttributes"]}
                    if "MD5OfMessageAttributes" in message
                    else {}
                ),
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": "us-east-1",
            }
        )
    return {"Records": records}


def poll(sqs: Any, url: str, handler: Callable[[dict[str, Any]], dict[str, Any]]) -> list[str]:
    """One round of Lambda's poller: receive, invoke, delete what succeeded (nothing when the
    function failed); returns the bodies the handler saw."""
    got = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        MessageSystemAttributeNames=SYSTEM,
        MessageAttributeNames=["All"],
        WaitTimeSeconds=2,
    ).get("Messages", [])
    if not got:
        return []
    event = lambda_event(sqs, url, got)
    SqsModel.model_validate(event)  # the event is what powertools' parser expects
    try:
        response = handler(event)
    except BatchProcessingError:  # every record failed: Lambda returns the whole batch
        return [m["Body"] for m in got]
    failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
    done = [m for m in got if m["MessageId"] not in failed]
    if done:
        result = sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
            ],
        )
        assert result.get("Failed", []) == []
    return [m["Body"] for m in got]


def test_batch_processor_reports_failures(sqs: Any, new_queue: Callable[..., str]) -> None:
    dlq = new_queue("dlq")
    policy = json.dumps({"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 2})
    url = new_queue("work", VisibilityTimeout="1", RedrivePolicy=policy)
    bodies = [json.dumps({"n": n}) for n in range(6)]
    sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {
                "Id": str(i),
                "MessageBody": body,
                "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "job"}},
            }
            for i, body in enumerate(bodies)
        ],
    )
    processed: list[int] = []

    def record_handler(record: SQSRecord) -> None:
        kind = record.message_attributes["kind"]
        assert kind is not None and kind.string_value == "job"
        assert int(record.attributes.approximate_receive_count) >= 1
        n = json.loads(record.body)["n"]
        if n % 3 == 0:
            raise ValueError(f"cannot process {n}")
        processed.append(n)

    processor = BatchProcessor(event_type=EventType.SQS)

    def handler(event: dict[str, Any]) -> dict[str, Any]:
        return dict(
            process_partial_response(
                event=event, record_handler=record_handler, processor=processor, context=None
            )
        )

    seen: list[str] = []
    while len(seen) < 6:
        seen += poll(sqs, url, handler)
    assert sorted(processed) == [1, 2, 4, 5]
    # the failures (0 and 3) come back once their visibility timeout ends ...
    time.sleep(1.1)
    again: list[str] = []
    deadline = time.monotonic() + 10
    while len(again) < 2 and time.monotonic() < deadline:
        again += poll(sqs, url, handler)
    assert sorted(json.loads(b)["n"] for b in again) == [0, 3]
    # ... and after maxReceiveCount receives they are in the dead-letter queue
    time.sleep(1.1)
    assert poll(sqs, url, handler) == []
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert sorted(json.loads(m["Body"])["n"] for m in dead) == [0, 3]
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == "0"
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_fifo_partial_processor_keeps_group_order(sqs: Any) -> None:
    name = f"pt-{uuid.uuid4().hex[:12]}.fifo"
    url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "FifoQueue": "true",
            "ContentBasedDeduplication": "true",
            "VisibilityTimeout": "1",
        },
    )["QueueUrl"]
    for n in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=str(n), MessageGroupId="orders")
    processed: list[int] = []
    fail_once = {2}

    def record_handler(record: SQSRecord) -> None:
        assert record.attributes.message_group_id == "orders"
        assert record.attributes.sequence_number
        n = int(record.body)
        if n in fail_once:
            fail_once.discard(n)
            raise ValueError(f"not yet: {n}")
        processed.append(n)

    processor = SqsFifoPartialProcessor()

    def handler(event: dict[str, Any]) -> dict[str, Any]:
        return dict(
            process_partial_response(
                event=event, record_handler=record_handler, processor=processor, context=None
            )
        )

    first = poll(sqs, url, handler)
    assert first == ["0", "1", "2", "3", "4"]
    # 2 failed, so 2, 3 and 4 were all reported failed and not deleted
    assert processed == [0, 1]
    # the group is blocked until they become visible again, then resumes in order
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    time.sleep(1.1)
    rest: list[str] = []
    deadline = time.monotonic() + 10
    while len(rest) < 3 and time.monotonic() < deadline:
        rest += poll(sqs, url, handler)
    assert rest == ["2", "3", "4"]
    assert processed == [0, 1, 2, 3, 4]
