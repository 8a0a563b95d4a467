"""Batch operations: per-entry failures, and the rules on the batch itself."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.sqs.helpers import error_of


def test_send_batch_partial_failure(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok1", "MessageBody": "one"},
            {"Id": "bad", "MessageBody": "two", "DelaySeconds": 901},
            {
                "Id": "ok2",
                "MessageBody": "three",
                "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}},
            },
        ],
    )
    assert [e["Id"] for e in result["Successful"]] == ["ok1", "ok2"]
    assert "MD5OfMessageAttributes" in result["Successful"][1]
    failed = result["Failed"]
    assert len(failed) == 1
    assert failed[0]["Id"] == "bad"
    assert failed[0]["SenderFault"] is True
    assert failed[0]["Code"] == "InvalidParameterValue"
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in got) == ["one", "three"]


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ([], "AWS.SimpleQueueService.EmptyBatchRequest"),
        (
            [{"Id": str(i), "MessageBody": "x"} for i in range(11)],
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        ),
        (
            [{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}],
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        ),
        ([{"Id": "no spaces", "MessageBody": "x"}], "AWS.SimpleQueueService.InvalidBatchEntryId"),
        (
            [{"Id": str(i), "MessageBody": "x" * 100_000} for i in range(3)],
            "AWS.SimpleQueueService.BatchRequestTooLong",
        ),
    ],
)
def test_send_batch_rules(
    sqs: Any, new_queue: Callable[..., str], entries: list[dict[str, Any]], code: str
) -> None:
    url = new_queue()
    with pytest.raises(ClientError) as exc:
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert error_of(exc)[0] == code


def test_delete_and_change_visibility_batches(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(3)]
    )
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(got) == 3
    changed = sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "a", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "b", "ReceiptHandle": "garbage", "VisibilityTimeout": 0},
        ],
    )
    assert [e["Id"] for e in changed["Successful"]] == ["a"]
    assert changed["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    deleted = sqs.delete_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "x", "ReceiptHandle": got[1]["ReceiptHandle"]},
            {"Id": "y", "ReceiptHandle": got[2]["ReceiptHandle"]},
            {"Id": "z", "ReceiptHandle": "garbage"},
        ],
    )
    assert [e["Id"] for e in deleted["Successful"]] == ["x", "y"]
    assert deleted["Failed"][0]["Id"] == "z"
    remaining = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["MessageId"] for m in remaining] == [got[0]["MessageId"]]


@pytest.mark.parametrize(
    ("operation", "entry_shape", "entry"),
    [
        ("send_message_batch", "SendMessageBatchRequestEntry", {"MessageBody": "x"}),
        ("delete_message_batch", "DeleteMessageBatchRequestEntry", {"ReceiptHandle": "h"}),
        (
            "change_message_visibility_batch",
            "ChangeMessageVisibilityBatchRequestEntry",
            {"ReceiptHandle": "h", "VisibilityTimeout": 1},
        ),
    ],
)
def test_every_batch_error_code_and_message(
    sqs: Any,
    new_queue: Callable[..., str],
    operation: str,
    entry_shape: str,
    entry: dict[str, Any],
) -> None:
    url = new_queue()
    call = getattr(sqs, operation)
    cases = [
        (
            [],
            "AWS.SimpleQueueService.EmptyBatchRequest",
            f"There should be at least one {entry_shape} in the request.",
        ),
        (
            [{"Id": str(i), **entry} for i in range(11)],
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            "Maximum number of entries per request are 10. You have sent 11.",
        ),
        (
            [{"Id": "a", **entry}, {"Id": "a", **entry}],
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            "Id a repeated.",
        ),
        (
            [{"Id": "x" * 81, **entry}],
            "AWS.SimpleQueueService.InvalidBatchEntryId",
            "A batch entry id can only contain alphanumeric characters, hyphens and "
            "underscores. It can be at most 80 letters long.",
        ),
    ]
    for entries, code, message in cases:
        with pytest.raises(ClientError) as exc:
            call(QueueUrl=url, Entries=entries)
        assert error_of(exc) == (code, message)
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_batch_request_too_long_counts_attributes(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    attribute = {"a": {"DataType": "String", "StringValue": "v" * 1000}}
    entries = [
        {"Id": str(i), "MessageBody": "x" * 26_000, "MessageAttributes": attribute}
        for i in range(10)
    ]
    with pytest.raises(ClientError) as exc:
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    code, message = error_of(exc)
    assert code == "AWS.SimpleQueueService.BatchRequestTooLong"
    assert message == (
        "Batch requests cannot be longer than 262144 bytes. You have sent 270070 bytes."
    )


def test_fifo_batch_entries_fail_alone(sqs: Any) -> None:
    url = sqs.create_queue(
        QueueName=f"b-{uuid.uuid4().hex[:12]}.fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
    )["QueueUrl"]
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok", "MessageBody": "1", "MessageGroupId": "g"},
            {"Id": "nogroup", "MessageBody": "2"},
            {"Id": "delayed", "MessageBody": "3", "MessageGroupId": "g", "DelaySeconds": 1},
            {"Id": "ok2", "MessageBody": "4", "MessageGroupId": "g"},
        ],
    )
    assert [e["Id"] for e in result["Successful"]] == ["ok", "ok2"]
    assert all(e["SequenceNumber"] for e in result["Successful"])
    failed = {e["Id"]: (e["Code"], e["SenderFault"]) for e in result["Failed"]}
    assert failed == {
        "nogroup": ("MissingParameter", True),
        "delayed": ("InvalidParameterValue", True),
    }
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["1", "4"]
