"""Batch operations: per-entry failures, and the rules on the batch itself."""

from __future__ import annotations

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
