"""SQS through the AWS CLI: queues, messages with attributes, batches, FIFO, dead letters."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def sqs_cli(aws_cli: Any, kumo: Any) -> Callable[..., Any]:
    """``aws sqs <args>`` against kumo. The CLI's own SQS endpoint override in us-east-1
    (``queue.amazonaws.com``) wins over AWS_ENDPOINT_URL, so --endpoint-url is passed, as a
    user of the CLI must."""

    def cli(*args: str, check: bool = True) -> Any:
        return aws_cli("sqs", *args, "--endpoint-url", kumo.url, check=check)

    return cli


def run(sqs_cli: Callable[..., Any], *args: str) -> Any:
    out = sqs_cli(*args).stdout
    return json.loads(out) if out.strip() else {}


def test_cli_queue_and_message_flow(sqs_cli: Callable[..., Any], kumo: Any) -> None:
    name = f"cli-{uuid.uuid4().hex[:12]}"
    url = run(sqs_cli, "create-queue", "--queue-name", name, "--attributes", "VisibilityTimeout=5")[
        "QueueUrl"
    ]
    assert url == f"{kumo.url}/000000000000/{name}"
    assert run(sqs_cli, "get-queue-url", "--queue-name", name)["QueueUrl"] == url
    assert url in run(sqs_cli, "list-queues", "--queue-name-prefix", name)["QueueUrls"]
    sent = run(
        sqs_cli,
        "send-message",
        "--queue-url",
        url,
        "--message-body",
        "hello from the cli",
        "--message-attributes",
        json.dumps({"color": {"DataType": "String", "StringValue": "blue"}}),
    )
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"hello from the cli").hexdigest()
    batch = run(
        sqs_cli,
        "send-message-batch",
        "--queue-url",
        url,
        "--entries",
        json.dumps([{"Id": "a", "MessageBody": "one"}, {"Id": "b", "MessageBody": "two"}]),
    )
    assert sorted(e["Id"] for e in batch["Successful"]) == ["a", "b"]
    attrs = run(
        sqs_cli,
        "get-queue-attributes",
        "--queue-url",
        url,
        "--attribute-names",
        "ApproximateNumberOfMessages",
        "VisibilityTimeout",
    )["Attributes"]
    assert attrs == {"ApproximateNumberOfMessages": "3", "VisibilityTimeout": "5"}
    got = run(
        sqs_cli,
        "receive-message",
        "--queue-url",
        url,
        "--max-number-of-messages",
        "10",
        "--message-attribute-names",
        "All",
        "--message-system-attribute-names",
        "ApproximateReceiveCount",
    )["Messages"]
    assert sorted(m["Body"] for m in got) == ["hello from the cli", "one", "two"]
    first = next(m for m in got if m["Body"] == "hello from the cli")
    assert first["MessageAttributes"]["color"]["StringValue"] == "blue"
    assert first["Attributes"] == {"ApproximateReceiveCount": "1"}
    run(sqs_cli, "delete-message", "--queue-url", url, "--receipt-handle", first["ReceiptHandle"])
    rest = [m for m in got if m is not first]
    deleted = run(
        sqs_cli,
        "delete-message-batch",
        "--queue-url",
        url,
        "--entries",
        json.dumps(
            [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(rest)]
        ),
    )
    assert len(deleted["Successful"]) == 2
    run(sqs_cli, "set-queue-attributes", "--queue-url", url, "--attributes", "DelaySeconds=2")
    run(sqs_cli, "tag-queue", "--queue-url", url, "--tags", "team=a")
    assert run(sqs_cli, "list-queue-tags", "--queue-url", url)["Tags"] == {"team": "a"}
    run(sqs_cli, "purge-queue", "--queue-url", url)
    run(sqs_cli, "delete-queue", "--queue-url", url)
    missing = sqs_cli("get-queue-url", "--queue-name", name, check=False)
    assert missing.returncode != 0
    assert "QueueDoesNotExist" in missing.stderr or "NonExistentQueue" in missing.stderr


def test_cli_fifo_and_dead_letter_queue(sqs_cli: Callable[..., Any]) -> None:
    dlq_name = f"cli-dlq-{uuid.uuid4().hex[:8]}.fifo"
    dlq = run(sqs_cli, "create-queue", "--queue-name", dlq_name, "--attributes", "FifoQueue=true")[
        "QueueUrl"
    ]
    dlq_arn = run(
        sqs_cli, "get-queue-attributes", "--queue-url", dlq, "--attribute-names", "QueueArn"
    )["Attributes"]["QueueArn"]
    attributes = {
        "FifoQueue": "true",
        "ContentBasedDeduplication": "true",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}),
    }
    url = run(
        sqs_cli,
        "create-queue",
        "--queue-name",
        f"cli-src-{uuid.uuid4().hex[:8]}.fifo",
        "--attributes",
        json.dumps(attributes),
    )["QueueUrl"]
    for body in ("first", "second", "first"):  # the repeated body is a duplicate
        run(sqs_cli, "send-message", "--queue-url", url, "--message-body", body,
            "--message-group-id", "g")  # fmt: skip
    got = run(
        sqs_cli,
        "receive-message",
        "--queue-url",
        url,
        "--max-number-of-messages",
        "10",
        "--visibility-timeout",
        "0",
    )["Messages"]
    assert [m["Body"] for m in got] == ["first", "second"]
    # received once already: the next receive moves them to the dead-letter queue, in order
    again = run(sqs_cli, "receive-message", "--queue-url", url, "--max-number-of-messages", "10")
    assert "Messages" not in again
    moved = run(sqs_cli, "receive-message", "--queue-url", dlq, "--max-number-of-messages", "10")[
        "Messages"
    ]
    assert [m["Body"] for m in moved] == ["first", "second"]
    sources = run(sqs_cli, "list-dead-letter-source-queues", "--queue-url", dlq)["queueUrls"]
    assert sources == [url]
