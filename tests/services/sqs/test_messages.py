"""Sending, receiving, deleting and visibility through boto3."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kumo.services.sqs.messages import attributes_md5
from tests.services.sqs.helpers import error_of

# Digests published for AWS's algorithm (aws-md5-of-message-attributes' examples).
STRING_ATTR = {"attribName1": {"DataType": "String", "StringValue": "attribValue 1"}}
NUMBER_ATTR = {
    "customNumberTypeAttrib": {
        "DataType": "Number.float",
        "StringValue": "4563442423554324324264524243.32543234",
    }
}
BINARY_ATTR = {"binaryAttribute": {"DataType": "Binary", "BinaryValue": b"Hello binary world!"}}
ALL_ATTRS = {**STRING_ATTR, **NUMBER_ATTR, **BINARY_ATTR}


@pytest.mark.parametrize(
    ("attributes", "digest"),
    [
        (STRING_ATTR, "19e27d4e946b072f3f58da80d94fd778"),
        (NUMBER_ATTR, "9fe1b90bbd9965bdf77bac517c7d2495"),
        (BINARY_ATTR, "31a92b15d92f8db860eda32aceb656c3"),
        (ALL_ATTRS, "c932db14a896c663f83c260297d594ff"),
    ],
)
def test_attribute_digest_matches_published_values(attributes: dict[str, Any], digest: str) -> None:
    assert attributes_md5(attributes) == digest


def test_send_receive_delete_with_digests(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    body = "héllo wörld"
    sent = sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=ALL_ATTRS)
    assert sent["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()
    assert sent["MD5OfMessageAttributes"] == "c932db14a896c663f83c260297d594ff"
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    assert len(got) == 1
    message = got[0]
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == body
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert message["MessageAttributes"] == ALL_ATTRS
    assert message["MD5OfMessageAttributes"] == "c932db14a896c663f83c260297d594ff"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0"
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_message_attribute_filtering(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    attrs = {
        "app.id": {"DataType": "String", "StringValue": "1"},
        "app.user": {"DataType": "String", "StringValue": "u"},
        "other": {"DataType": "Number", "StringValue": "7"},
    }
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attrs)
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["app.*"], VisibilityTimeout=0)[
        "Messages"
    ][0]
    assert set(got["MessageAttributes"]) == {"app.id", "app.user"}
    assert got["MD5OfMessageAttributes"] == attributes_md5(got["MessageAttributes"])
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["other"], VisibilityTimeout=0)[
        "Messages"
    ][0]
    assert set(got["MessageAttributes"]) == {"other"}
    got = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert "MessageAttributes" not in got
    assert "MD5OfMessageAttributes" not in got


def test_system_attributes_and_receipt_handles(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    before = int(time.time() * 1000)
    sqs.send_message(QueueUrl=url, MessageBody="x")
    first = sqs.receive_message(
        QueueUrl=url, MessageSystemAttributeNames=["All"], VisibilityTimeout=0
    )["Messages"][0]
    second = sqs.receive_message(
        QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"], VisibilityTimeout=0
    )["Messages"][0]
    assert first["ReceiptHandle"] != second["ReceiptHandle"]
    attrs = first["Attributes"]
    assert set(attrs) == {
        "SenderId",
        "SentTimestamp",
        "ApproximateReceiveCount",
        "ApproximateFirstReceiveTimestamp",
    }
    assert attrs["ApproximateReceiveCount"] == "1"
    assert before <= int(attrs["SentTimestamp"]) <= int(attrs["ApproximateFirstReceiveTimestamp"])
    assert second["Attributes"] == {"ApproximateReceiveCount": "2"}
    # the older receive's handle no longer deletes the message
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    assert "Messages" in sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)


def test_max_number_of_messages(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    for i in range(12):
        sqs.send_message(QueueUrl=url, MessageBody=str(i))
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(got) == 10
    assert len({m["MessageId"] for m in got}) == 10
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 2
    with pytest.raises(ClientError) as exc:
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    assert error_of(exc) == (
        "InvalidParameterValue",
        "Value 11 for parameter MaxNumberOfMessages is invalid. "
        "Reason: Must be between 1 and 10, if provided.",
    )


def test_visibility_timeout_expiry(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(VisibilityTimeout="1")
    sqs.send_message(QueueUrl=url, MessageBody="again")
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    time.sleep(1.2)
    again = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])
    message = again["Messages"][0]
    assert message["MessageId"] == first["MessageId"]
    assert message["Attributes"]["ApproximateReceiveCount"] == "2"


def test_change_message_visibility(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
    # a handle from an earlier receive can no longer change the message
    with pytest.raises(ClientError) as exc:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=10)
    code, message = error_of(exc)
    assert code == "InvalidParameterValue"
    assert message.endswith(
        "Reason: Message does not exist or is not available for visibility timeout change."
    )


def test_invalid_receipt_handle(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    with pytest.raises(ClientError) as exc:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage")
    assert error_of(exc) == (
        "ReceiptHandleIsInvalid",
        'The input receipt handle "garbage" is not a valid receipt handle.',
    )
    with pytest.raises(ClientError) as exc:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle="x", VisibilityTimeout=1)
    assert error_of(exc)[0] == "ReceiptHandleIsInvalid"


def test_delay_seconds(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(DelaySeconds="1")
    sqs.send_message(QueueUrl=url, MessageBody="queue delay")
    sqs.send_message(QueueUrl=url, MessageBody="no delay", DelaySeconds=0)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["no delay"]
    attrs = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    assert attrs == {"ApproximateNumberOfMessagesDelayed": "1"}
    time.sleep(1.1)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["queue delay"]
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=901)
    assert error_of(exc)[0] == "InvalidParameterValue"


def test_message_size_limit(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x" * 262144)
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 262145)
    assert error_of(exc) == (
        "InvalidParameterValue",
        "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.",
    )


def test_invalid_body_and_attributes(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="bad \x00 char")
    assert error_of(exc)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as exc:
        sqs.send_message(
            QueueUrl=url,
            MessageBody="x",
            MessageAttributes={"n": {"DataType": "Number", "StringValue": "abc"}},
        )
    assert error_of(exc)[0] == "InvalidParameterValue"
    too_many = {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)}
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=too_many)
    assert "exceeds the allowed maximum [10]" in error_of(exc)[1]
