"""Details clients check on the wire, through both protocols: the MD5 digests (computed here
independently, as the AWS SDKs that verify them do), the size limit counting attributes,
receipt handles of older receives, queue URLs in both forms, and counts through a
message's life."""

from __future__ import annotations

import hashlib
import struct
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.services.sqs.helpers import error_of


def md5_of_attributes(attributes: dict[str, dict[str, Any]]) -> str:
    """The digest the AWS SDKs compute over message (or message system) attributes."""
    digest = hashlib.md5(usedforsecurity=False)
    for name in sorted(attributes):
        value = attributes[name]
        for part in (name.encode(), value["DataType"].encode()):
            digest.update(len(part).to_bytes(4, "big") + part)
        if "BinaryValue" in value:
            data = bytes(value["BinaryValue"])
            digest.update(b"\x02" + struct.pack(">I", len(data)) + data)
        else:
            data = value["StringValue"].encode()
            digest.update(b"\x01" + struct.pack(">I", len(data)) + data)
    return digest.hexdigest()


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


ATTRIBUTES: dict[str, dict[str, Any]] = {
    "str": {"DataType": "String", "StringValue": "héllo wörld"},
    "num": {"DataType": "Number", "StringValue": "-12.5e3"},
    "bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"},
    "custom": {"DataType": "String.json", "StringValue": '{"a": 1}'},
}
TRACE = {
    "AWSTraceHeader": {
        "DataType": "String",
        "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
    }
}


def test_digests_on_send_batch_and_receive(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    body = "ünïcode body 🎉"
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody=body,
        MessageAttributes=ATTRIBUTES,
        MessageSystemAttributes=TRACE,
    )
    assert sent["MD5OfMessageBody"] == md5(body)
    assert sent["MD5OfMessageAttributes"] == md5_of_attributes(ATTRIBUTES)
    assert sent["MD5OfMessageSystemAttributes"] == md5_of_attributes(TRACE)
    batch = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "plain", "MessageBody": "b1"},
            {
                "Id": "full",
                "MessageBody": "b2",
                "MessageAttributes": ATTRIBUTES,
                "MessageSystemAttributes": TRACE,
            },
        ],
    )
    by_id = {e["Id"]: e for e in batch["Successful"]}
    assert by_id["plain"]["MD5OfMessageBody"] == md5("b1")
    assert "MD5OfMessageAttributes" not in by_id["plain"]
    assert by_id["full"]["MD5OfMessageAttributes"] == md5_of_attributes(ATTRIBUTES)
    assert by_id["full"]["MD5OfMessageSystemAttributes"] == md5_of_attributes(TRACE)
    got = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        MessageAttributeNames=["All"],
        MessageSystemAttributeNames=["AWSTraceHeader"],
    )["Messages"]
    assert len(got) == 3
    for message in got:
        assert message["MD5OfBody"] == md5(message["Body"])
        if message["Body"] == "b1":
            assert "MessageAttributes" not in message
            continue
        assert message["MessageAttributes"] == ATTRIBUTES
        assert message["MD5OfMessageAttributes"] == md5_of_attributes(ATTRIBUTES)
        assert message["Attributes"] == {"AWSTraceHeader": TRACE["AWSTraceHeader"]["StringValue"]}


def test_digest_of_selected_attributes(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ATTRIBUTES)
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["str", "bin"])["Messages"][0]
    chosen = {k: ATTRIBUTES[k] for k in ("str", "bin")}
    assert got["MessageAttributes"] == chosen
    assert got["MD5OfMessageAttributes"] == md5_of_attributes(chosen)


def test_size_limit_counts_attributes(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    attribute = {"a": {"DataType": "String", "StringValue": "v"}}  # 1 + 6 + 1 bytes
    sqs.send_message(QueueUrl=url, MessageBody="x" * (262144 - 8), MessageAttributes=attribute)
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="x" * (262144 - 7), MessageAttributes=attribute)
    assert error_of(exc) == (
        "InvalidParameterValue",
        "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.",
    )
    small = new_queue(MaximumMessageSize="1024")
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=small, MessageBody="x" * 1025)
    assert error_of(exc)[1].endswith("Message must be shorter than 1024 bytes.")


def test_old_receipt_handle_after_a_new_receive(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    old = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]["ReceiptHandle"]
    new = sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"][0]["ReceiptHandle"]
    # deleting with the older handle is accepted but leaves the message in flight
    sqs.delete_message(QueueUrl=url, ReceiptHandle=old)
    counts = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    assert counts == {"ApproximateNumberOfMessagesNotVisible": "1"}
    result = sqs.delete_message_batch(
        QueueUrl=url,
        Entries=[{"Id": "old", "ReceiptHandle": old}, {"Id": "bad", "ReceiptHandle": "x"}],
    )
    assert [e["Id"] for e in result["Successful"]] == ["old"]
    assert [(e["Id"], e["Code"], e["SenderFault"]) for e in result["Failed"]] == [
        ("bad", "ReceiptHandleIsInvalid", True)
    ]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=new)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"
    assert counts["ApproximateNumberOfMessages"] == "0"
    # a handle of another queue is not a handle of this one
    other = new_queue()
    sqs.send_message(QueueUrl=other, MessageBody="y")
    foreign = sqs.receive_message(QueueUrl=other)["Messages"][0]["ReceiptHandle"]
    with pytest.raises(ClientError) as exc:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=foreign)
    assert error_of(exc)[0] == "ReceiptHandleIsInvalid"


def counts(sqs: Any, url: str) -> tuple[int, int, int]:
    attrs = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return (
        int(attrs["ApproximateNumberOfMessages"]),
        int(attrs["ApproximateNumberOfMessagesNotVisible"]),
        int(attrs["ApproximateNumberOfMessagesDelayed"]),
    )


def test_counts_through_a_messages_life(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    assert counts(sqs, url) == (0, 0, 0)
    sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "a", "MessageBody": "a"},
            {"Id": "b", "MessageBody": "b"},
            {"Id": "late", "MessageBody": "late", "DelaySeconds": 1},
        ],
    )
    assert counts(sqs, url) == (2, 0, 1)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=1)
    assert len(got["Messages"]) == 2
    assert counts(sqs, url) == (0, 2, 1)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["Messages"][0]["ReceiptHandle"])
    assert counts(sqs, url) == (0, 1, 1)
    time.sleep(1.2)  # the delay and the visibility timeout both end
    assert counts(sqs, url) == (2, 0, 0)
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    assert counts(sqs, url) == (2, 0, 0)
    sqs.purge_queue(QueueUrl=url)
    assert counts(sqs, url) == (0, 0, 0)


def test_fifo_refuses_per_message_delay_but_takes_queue_delay(sqs: Any) -> None:
    name = f"d-{uuid.uuid4().hex[:12]}.fifo"
    url = sqs.create_queue(
        QueueName=name,
        Attributes={"FifoQueue": "true", "DelaySeconds": "1", "ContentBasedDeduplication": "true"},
    )["QueueUrl"]
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", DelaySeconds=0)
    assert error_of(exc) == (
        "InvalidParameterValue",
        "Value 0 for parameter DelaySeconds is invalid. Reason: The request include parameter "
        "that is not valid for this queue type.",
    )
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    assert counts(sqs, url) == (0, 0, 1)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=3)["Messages"]
    assert got[0]["Body"] == "x"


def test_queue_url_forms(kumo: Any, sqs_client: Callable[..., Any]) -> None:
    port = kumo.url.rsplit(":", 1)[1]
    client = sqs_client(endpoint_url=f"http://localhost:{port}")
    name = f"u-{uuid.uuid4().hex[:12]}"
    url = client.create_queue(QueueName=name)["QueueUrl"]
    assert url == f"http://localhost:{port}/000000000000/{name}"
    assert client.get_queue_url(QueueName=name)["QueueUrl"] == url
    assert client.list_queues(QueueNamePrefix=name)["QueueUrls"] == [url]
    # a client that reached kumo as sqs.<region>.localhost gets URLs on that host
    host = f"sqs.us-east-1.localhost:{port}"
    answer = requests.post(
        f"{kumo.url}/",
        data={"Action": "GetQueueUrl", "QueueName": name, "Version": "2012-11-05"},
        headers={"Host": host},
        timeout=10,
    )
    assert f"<QueueUrl>http://{host}/000000000000/{name}</QueueUrl>" in answer.text
    # every form of the URL names the same queue
    for form in (
        url,
        f"http://{host}/000000000000/{name}",
        f"https://sqs.us-east-1.amazonaws.com/000000000000/{name}",
    ):
        client.send_message(QueueUrl=form, MessageBody=form)
    got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(got) == 3
