"""RedriveAllowPolicy (which source queues may use a queue as their dead-letter queue) and
the FIFO high-throughput attributes, checked as AWS checks them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.sqs.helpers import error_of


def arn_of(sqs: Any, url: str) -> str:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attrs["Attributes"]["QueueArn"])


def redrive(sqs: Any, dlq: str) -> str:
    return json.dumps({"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 2})


def test_deny_all_refuses_every_source(sqs: Any, new_queue: Callable[..., str]) -> None:
    dlq = new_queue("dlq", RedriveAllowPolicy=json.dumps({"redrivePermission": "denyAll"}))
    with pytest.raises(ClientError) as exc:
        new_queue("src", RedrivePolicy=redrive(sqs, dlq))
    code, message = error_of(exc)
    assert code == "InvalidParameterValue"
    assert "does not allow this queue to use it as its dead-letter queue" in message
    source = new_queue("src")
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": redrive(sqs, dlq)})
    assert error_of(exc)[0] == "InvalidParameterValue"


def test_by_queue_allows_only_the_named_sources(sqs: Any, new_queue: Callable[..., str]) -> None:
    allowed = new_queue("allowed")
    other = new_queue("other")
    policy = {"redrivePermission": "byQueue", "sourceQueueArns": [arn_of(sqs, allowed)]}
    dlq = new_queue("dlq", RedriveAllowPolicy=json.dumps(policy))
    sqs.set_queue_attributes(QueueUrl=allowed, Attributes={"RedrivePolicy": redrive(sqs, dlq)})
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=other, Attributes={"RedrivePolicy": redrive(sqs, dlq)})
    assert error_of(exc)[0] == "InvalidParameterValue"
    # the allowed source dead-letters as usual
    sqs.send_message(QueueUrl=allowed, MessageBody="poison")
    for _ in range(3):
        sqs.receive_message(QueueUrl=allowed, VisibilityTimeout=0)
    assert sqs.receive_message(QueueUrl=dlq)["Messages"][0]["Body"] == "poison"
    listed = sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]
    assert listed == [allowed]
    got = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["RedriveAllowPolicy"])
    assert json.loads(got["Attributes"]["RedriveAllowPolicy"]) == policy


def test_allow_all_is_the_default(sqs: Any, new_queue: Callable[..., str]) -> None:
    dlq = new_queue("dlq", RedriveAllowPolicy=json.dumps({"redrivePermission": "allowAll"}))
    new_queue("src", RedrivePolicy=redrive(sqs, dlq))


UNSUPPORTED = (
    "InvalidAttributeValue",
    "Invalid value for the parameter RedriveAllowPolicy. Reason: Amazon SQS can't create the "
    "redrive allow policy, as it\u2019s in an unsupported format.",
)
CANNOT = (
    "for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't create the "
    "redrive allow policy. "
)
ELEVEN = [f"arn:aws:sqs:us-east-1:000000000000:q{i}" for i in range(11)]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("badjson", UNSUPPORTED),
        ("[]", UNSUPPORTED),
        ("{}", UNSUPPORTED),
        ('{"redrivePermission": "sometimes"}', UNSUPPORTED),
        ('{"redrivePermission": "allowAll", "dummy": "value"}', UNSUPPORTED),
        ('{"redrivePermission": "byQueue", "sourceQueueArns": "arn:aws:sqs"}', UNSUPPORTED),
        ('{"redrivePermission": "byQueue", "sourceQueueArns": [{"a": 1}]}', UNSUPPORTED),
        (
            '{"redrivePermission": "byQueue"}',
            "When you specify the byQueue permission type, you must also specify one or more "
            "sourceQueueArns values.",
        ),
        (
            '{"redrivePermission": "byQueue", "sourceQueueArns": []}',
            "When you specify the byQueue permission type, you must also specify one or more "
            "sourceQueueArns values.",
        ),
        (
            json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": ELEVEN}),
            "The maximum number of source queue ARNs you can specify is 10.",
        ),
        (
            '{"redrivePermission": "denyAll", "sourceQueueArns": ["arn:aws:sqs:us-east-1:0:q"]}',
            "To specify one or more source queue ARNs, you must set redrivePermission to byQueue.",
        ),
    ],
)
def test_redrive_allow_policy_is_validated(
    sqs: Any, new_queue: Callable[..., str], policy: str, expected: tuple[str, str] | str
) -> None:
    url = new_queue()
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": policy})
    if isinstance(expected, tuple):
        assert error_of(exc) == expected
    else:
        assert error_of(exc) == ("InvalidParameterValue", f"Value {policy} {CANNOT}{expected}")
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(
            QueueName=f"a-{uuid.uuid4().hex[:12]}", Attributes={"RedriveAllowPolicy": policy}
        )
    assert error_of(exc)[0] == (
        "InvalidAttributeValue" if isinstance(expected, tuple) else "InvalidParameterValue"
    )


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        ("{}", "Redrive policy does not contain mandatory attribute: maxReceiveCount."),
        (
            '{"maxReceiveCount": 5}',
            "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.",
        ),
        (
            '{"deadLetterTargetArn": "arn:aws:sns:us-east-1:000000000000:t", "maxReceiveCount": 5}',
            "Only SQS queues are valid resources for deadLetterTargetArn.",
        ),
        (
            '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:q", '
            '"maxReceiveCount": 5, "dummy": 1}',
            "Only following attributes are supported: [maxReceiveCount, deadLetterTargetArn].",
        ),
        (
            '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:q", '
            '"maxReceiveCount": 1001}',
            "Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both "
            "inclusive.",
        ),
    ],
)
def test_redrive_policy_messages(
    sqs: Any, new_queue: Callable[..., str], policy: str, reason: str
) -> None:
    url = new_queue()
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": policy})
    assert error_of(exc) == (
        "InvalidParameterValue",
        f"Value {policy} for parameter RedrivePolicy is invalid. Reason: {reason}",
    )
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": "[]"})
    assert error_of(exc) == (
        "InvalidAttributeValue",
        "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid "
        "JSON map.",
    )


def fifo_name() -> str:
    return f"ht-{uuid.uuid4().hex[:12]}.fifo"


def test_high_throughput_attributes(sqs: Any) -> None:
    url = sqs.create_queue(
        QueueName=fifo_name(),
        Attributes={
            "FifoQueue": "true",
            "DeduplicationScope": "messageGroup",
            "FifoThroughputLimit": "perMessageGroupId",
        },
    )["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["DeduplicationScope"] == "messageGroup"
    assert attrs["FifoThroughputLimit"] == "perMessageGroupId"
    # deduplication per message group: the same id in two groups is two messages
    for group in ("a", "b", "a"):
        sqs.send_message(
            QueueUrl=url, MessageBody=group, MessageGroupId=group, MessageDeduplicationId="same"
        )
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in got) == ["a", "b"]
    # back to normal throughput: the limit must go before the scope
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "queue"})
    code, message = error_of(exc)
    assert code == "InvalidAttributeValue"
    assert "perMessageGroupId value is allowed only when the value for DeduplicationScope" in (
        message
    )
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoThroughputLimit": "perQueue"})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "queue"})


@pytest.mark.parametrize(
    ("attributes", "code"),
    [
        ({"FifoThroughputLimit": "perMessageGroupId"}, "InvalidAttributeValue"),
        ({"DeduplicationScope": "group"}, "InvalidAttributeValue"),
        ({"FifoThroughputLimit": "fast"}, "InvalidAttributeValue"),
    ],
)
def test_high_throughput_attributes_are_validated(
    sqs: Any, attributes: dict[str, str], code: str
) -> None:
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(QueueName=fifo_name(), Attributes={"FifoQueue": "true", **attributes})
    assert error_of(exc)[0] == code


def test_high_throughput_attributes_only_on_fifo_queues(sqs: Any) -> None:
    for name in ("DeduplicationScope", "FifoThroughputLimit"):
        with pytest.raises(ClientError) as exc:
            sqs.create_queue(QueueName=f"std-{uuid.uuid4().hex[:12]}", Attributes={name: "queue"})
        assert error_of(exc) == ("InvalidAttributeName", f"Unknown Attribute {name}.")
