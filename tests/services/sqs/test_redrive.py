"""Dead-letter queues: a message received more than maxReceiveCount times moves there."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.sqs.helpers import error_of


def arn_of(sqs: Any, url: str) -> str:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attrs["Attributes"]["QueueArn"])


def test_redrive_to_dead_letter_queue(sqs: Any, new_queue: Callable[..., str]) -> None:
    dlq = new_queue("dlq")
    policy = json.dumps({"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 2})
    source = new_queue("src", RedrivePolicy=policy)
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison")
    for _ in range(2):
        got = sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
        assert got["Messages"][0]["MessageId"] == sent["MessageId"]
    # the third receive would exceed maxReceiveCount: the message moves instead
    assert "Messages" not in sqs.receive_message(QueueUrl=source)
    moved = sqs.receive_message(QueueUrl=dlq, MessageSystemAttributeNames=["All"])["Messages"]
    assert moved[0]["MessageId"] == sent["MessageId"]
    assert moved[0]["Body"] == "poison"
    attrs = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])
    assert json.loads(attrs["Attributes"]["RedrivePolicy"])["maxReceiveCount"] == 2


def test_redrive_policy_validation(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    missing = json.dumps(
        {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:nope", "maxReceiveCount": 1}
    )
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": missing})
    code, message = error_of(exc)
    assert code == "InvalidParameterValue"
    assert message.endswith("Reason: Dead letter target does not exist.")
    bad_count = json.dumps({"deadLetterTargetArn": arn_of(sqs, url), "maxReceiveCount": 0})
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": bad_count})
    assert error_of(exc)[0] == "InvalidParameterValue"


def test_list_dead_letter_source_queues(sqs: Any, new_queue: Callable[..., str]) -> None:
    dlq = new_queue("dlq")
    policy = json.dumps({"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 3})
    sources = sorted(new_queue("src", RedrivePolicy=policy) for _ in range(3))
    new_queue("unrelated")
    listed = sqs.list_dead_letter_source_queues(QueueUrl=dlq)
    assert sorted(listed["queueUrls"]) == sources
    paged: list[str] = []
    kwargs: dict[str, Any] = {"QueueUrl": dlq, "MaxResults": 2}
    while True:
        page = sqs.list_dead_letter_source_queues(**kwargs)
        paged += page["queueUrls"]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert sorted(paged) == sources
