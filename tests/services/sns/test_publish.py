"""Publish and PublishBatch, and fan-out to SQS subscribers: the envelope AWS builds, raw
delivery, FIFO ordering and deduplication, MessageStructure=json."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kumo.aws.errors import ServiceError
from kumo.services.sns.publishing import Publisher
from tests.services.sns.helpers import envelope, error_of, receive_all

Topic = Callable[..., str]
Queue = Callable[..., tuple[str, str]]

SIGNED = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")


def verify(document: dict[str, Any]) -> None:
    """Check ``document``'s signature against the certificate at its SigningCertURL."""
    pem = requests.get(document["SigningCertURL"], timeout=10)
    assert pem.status_code == 200
    key = x509.load_pem_x509_certificate(pem.content).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    fields = SIGNED if document["Type"] == "Notification" else (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"
    )  # fmt: skip
    text = "".join(f"{k}\n{document[k]}\n" for k in fields if k in document)
    algorithm = hashes.SHA256() if document["SignatureVersion"] == "2" else hashes.SHA1()
    signature = base64.b64decode(document["Signature"])
    key.verify(signature, text.encode(), padding.PKCS1v15(), algorithm)


def subscribed(sns: Any, topic: str, queue_arn: str, **attributes: str) -> str:
    return str(
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes=attributes)[
            "SubscriptionArn"
        ]
    )


def test_envelope_as_aws_builds_it(sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue) -> None:
    topic = new_topic()
    url, queue_arn = new_queue()
    sub = subscribed(sns, topic, queue_arn)
    out = sns.publish(
        TopicArn=topic,
        Message="hello",
        Subject="greeting",
        MessageAttributes={
            "color": {"DataType": "String", "StringValue": "red"},
            "size": {"DataType": "Number", "StringValue": "3"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
            "list": {"DataType": "String.Array", "StringValue": '["a", 1]'},
        },
    )
    (message,) = receive_all(sqs, url, 1)
    assert message["Body"].startswith('{\n  "Type" : "Notification",\n  "MessageId" : ')
    body = envelope(message)
    assert list(body) == [
        "Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
        "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes",
    ]  # fmt: skip
    assert body["MessageId"] == out["MessageId"]
    assert body["TopicArn"] == topic
    assert body["Subject"] == "greeting"
    assert body["Message"] == "hello"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["Timestamp"])
    assert body["SignatureVersion"] == "1"
    assert body["UnsubscribeURL"].endswith(f"SubscriptionArn={sub}")
    assert body["MessageAttributes"] == {
        "color": {"Type": "String", "Value": "red"},
        "size": {"Type": "Number", "Value": "3"},
        "blob": {"Type": "Binary", "Value": "AAE="},
        "list": {"Type": "String.Array", "Value": '["a", 1]'},
    }
    assert "MessageAttributes" not in message  # carried in the envelope only
    verify(body)


def test_signature_version_2(sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue) -> None:
    topic = new_topic(SignatureVersion="2")
    url, queue_arn = new_queue()
    subscribed(sns, topic, queue_arn)
    sns.publish(TopicArn=topic, Message="signed")
    body = envelope(receive_all(sqs, url, 1)[0])
    assert body["SignatureVersion"] == "2"
    assert "Subject" not in body
    verify(body)


def test_raw_delivery_carries_attributes(
    sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue
) -> None:
    topic = new_topic()
    url, queue_arn = new_queue()
    subscribed(sns, topic, queue_arn, RawMessageDelivery="true")
    sns.publish(
        TopicArn=topic,
        Message="raw body",
        MessageAttributes={
            "color": {"DataType": "String", "StringValue": "red"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    (message,) = receive_all(sqs, url, 1)
    assert message["Body"] == "raw body"
    assert message["MessageAttributes"] == {
        "color": {"DataType": "String", "StringValue": "red"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
    }


def test_unsubscribe_url(sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue) -> None:
    topic = new_topic()
    url, queue_arn = new_queue()
    subscribed(sns, topic, queue_arn)
    sns.publish(TopicArn=topic, Message="bye")
    body = envelope(receive_all(sqs, url, 1)[0])
    assert requests.get(body["UnsubscribeURL"], timeout=10).status_code == 200
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def test_fan_out_to_many_queues_and_skips_missing_ones(
    sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue
) -> None:
    topic = new_topic()
    queues = [new_queue() for _ in range(3)]
    for _, arn in queues:
        subscribed(sns, topic, arn)
    subscribed(sns, topic, "arn:aws:sqs:us-east-1:000000000000:does-not-exist")
    subscribed(sns, topic, queues[0][1].replace("us-east-1", "eu-west-1"))
    sns.publish(TopicArn=topic, Message="to all")
    for url, _ in queues:
        assert envelope(receive_all(sqs, url, 1)[0])["Message"] == "to all"
        assert receive_all(sqs, url, 1, wait=0) == []


def test_publish_wakes_long_pollers(sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue) -> None:
    topic = new_topic()
    url, queue_arn = new_queue()
    subscribed(sns, topic, queue_arn)
    got: list[Any] = []

    def poll() -> None:
        got.extend(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10).get("Messages", []))

    poller = threading.Thread(target=poll)
    started = time.monotonic()
    poller.start()
    time.sleep(0.5)
    sns.publish(TopicArn=topic, Message="wake up")
    poller.join()
    assert got and time.monotonic() - started < 5


def test_message_structure_json(sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue) -> None:
    topic = new_topic()
    url, queue_arn = new_queue()
    raw_url, raw_arn = new_queue()
    subscribed(sns, topic, queue_arn)
    subscribed(sns, topic, raw_arn, RawMessageDelivery="true")
    message = json.dumps({"default": "plain", "sqs": "for queues"})
    sns.publish(TopicArn=topic, Message=message, MessageStructure="json")
    assert envelope(receive_all(sqs, url, 1)[0])["Message"] == "for queues"
    assert receive_all(sqs, raw_url, 1)[0]["Body"] == "for queues"

    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic, Message='{"sqs": "x"}', MessageStructure="json")
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Message Structure - No default entry in JSON message body",
    )
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic, Message="not json", MessageStructure="json")
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Message Structure - JSON message body failed to parse",
    )


def test_publish_errors(sns: Any, new_topic: Topic) -> None:
    topic = new_topic()
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn="arn:aws:sns:us-east-1:000000000000:gone", Message="x")
    assert error_of(excinfo) == ("NotFound", "Topic does not exist")
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic, Message="x" * (256 * 1024 + 1))
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Message too long")
    with pytest.raises(ClientError) as excinfo:
        sns.publish(
            TopicArn=topic,
            Message="x",
            MessageAttributes={"n": {"DataType": "Number", "StringValue": "abc"}},
        )
    code, message = error_of(excinfo)
    assert code == "ParameterValueInvalid"
    assert "Could not cast message attribute 'n' value to number." in message
    with pytest.raises(ClientError) as excinfo:
        sns.publish(
            TopicArn=topic,
            Message="x",
            MessageAttributes={"n": {"DataType": "Date", "StringValue": "abc"}},
        )
    assert error_of(excinfo)[0] == "ParameterValueInvalid"
    # the target ARN is the topic too
    assert sns.publish(TargetArn=topic, Message="via target")["MessageId"]


def test_fifo_topic_to_fifo_queue(sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue) -> None:
    topic = new_topic(fifo=True)
    url, queue_arn = new_queue(fifo=True)
    subscribed(sns, topic, queue_arn, RawMessageDelivery="true")
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic, Message="x", MessageDeduplicationId="d")
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
    )
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic, Message="x", MessageGroupId="g")
    assert "ContentBasedDeduplication" in error_of(excinfo)[1]

    def publish(message: str, dedup_id: str) -> dict[str, Any]:
        return dict(
            sns.publish(
                TopicArn=topic,
                Message=message,
                MessageGroupId="g",
                MessageDeduplicationId=dedup_id,
            )
        )

    first = publish("1", "a")
    again = publish("1", "a")
    second = publish("2", "b")
    assert again == {**again, "MessageId": first["MessageId"]}
    assert again["SequenceNumber"] == first["SequenceNumber"]
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    bodies = [m["Body"] for m in receive_all(sqs, url, 2)]
    assert bodies == ["1", "2"]
    attributes = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
    assert "Messages" not in attributes


def test_fifo_envelope_has_sequence_number(
    sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue
) -> None:
    topic = new_topic(fifo=True, ContentBasedDeduplication="true")
    url, queue_arn = new_queue(fifo=True)
    subscribed(sns, topic, queue_arn)
    out = sns.publish(TopicArn=topic, Message="in order", MessageGroupId="g")
    # the same content within five minutes is the same message
    again = sns.publish(TopicArn=topic, Message="in order", MessageGroupId="g")
    assert again["MessageId"] == out["MessageId"]
    (message,) = receive_all(sqs, url, 1)
    body = envelope(message)
    assert list(body)[:3] == ["Type", "MessageId", "SequenceNumber"]
    assert body["SequenceNumber"] == out["SequenceNumber"]
    assert message["Attributes"]["MessageGroupId"] == "g"


def test_publish_batch(sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue) -> None:
    topic = new_topic()
    url, queue_arn = new_queue()
    subscribed(sns, topic, queue_arn, RawMessageDelivery="true")
    out = sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[
            {"Id": "one", "Message": "first"},
            {"Id": "two", "Message": ""},
            {"Id": "three", "Message": "third"},
        ],
    )
    assert [s["Id"] for s in out["Successful"]] == ["one", "three"]
    assert out["Failed"] == [
        {
            "Id": "two",
            "Code": "InvalidParameter",
            "Message": "Invalid parameter: Empty message",
            "SenderFault": True,
        }
    ]
    assert sorted(m["Body"] for m in receive_all(sqs, url, 2)) == ["first", "third"]


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ([{"Id": "a", "Message": "x"}, {"Id": "a", "Message": "y"}], "BatchEntryIdsNotDistinct"),
        ([{"Id": f"i{n}", "Message": "x"} for n in range(11)], "TooManyEntriesInBatchRequest"),
        ([{"Id": "bad id!", "Message": "x"}], "InvalidBatchEntryId"),
    ],
)
def test_publish_batch_errors(
    sns: Any, new_topic: Topic, entries: list[dict[str, str]], code: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.publish_batch(TopicArn=new_topic(), PublishBatchRequestEntries=entries)
    assert error_of(excinfo)[0] == code


def test_sms_and_email_are_recorded(kumo: Any, sns: Any, new_topic: Topic) -> None:
    topic = new_topic()
    sms = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")
    email = sns.subscribe(
        TopicArn=topic, Protocol="email-json", Endpoint="me@example.com", ReturnSubscriptionArn=True
    )["SubscriptionArn"]

    def sent() -> list[dict[str, Any]]:
        found = requests.get(f"{kumo.url}/_kumo/sns/messages", timeout=10).json()["messages"]
        return [m for m in found if m["topic_arn"] in (topic, None)]

    (request,) = [m for m in sent() if m["subscription_arn"] == email]
    sns.confirm_subscription(TopicArn=topic, Token=request["token"])
    out = sns.publish(TopicArn=topic, Message="text me", Subject="s")
    direct = sns.publish(PhoneNumber="+15555550101", Message="direct")
    messages = sent()
    (to_phone,) = [m for m in messages if m["subscription_arn"] == sms["SubscriptionArn"]]
    assert to_phone["message"] == "text me" and to_phone["endpoint"] == "+15555550100"
    (to_email,) = [m for m in messages if m["subscription_arn"] == email and "type" not in m]
    document = json.loads(to_email["message"])
    assert document["MessageId"] == out["MessageId"] and document["Subject"] == "s"
    verify(document)
    (to_number,) = [m for m in messages if m["message_id"] == direct["MessageId"]]
    assert to_number["message"] == "direct" and to_number["endpoint"] == "+15555550101"


def test_missing_queue_sends_to_the_subscription_dead_letter_queue(
    sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue
) -> None:
    topic = new_topic()
    gone_url, gone_arn = new_queue()
    dlq_url, dlq_arn = new_queue()
    subscribed(
        sns,
        topic,
        gone_arn,
        RawMessageDelivery="true",
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn}),
    )
    sqs.delete_queue(QueueUrl=gone_url)
    sns.publish(TopicArn=topic, Message="undeliverable")
    assert [m["Body"] for m in receive_all(sqs, dlq_url, 1)] == ["undeliverable"]
    with pytest.raises(ClientError) as excinfo:
        subscribed(sns, topic, dlq_arn, RedrivePolicy=json.dumps({"deadLetterTargetArn": "x"}))
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: RedrivePolicy: deadLetterTargetArn is an "
        "invalid arn",
    )


def test_publish_in_another_services_transaction(
    kumo: Any, sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue
) -> None:
    topic = new_topic()
    url, queue_arn = new_queue()
    subscribed(sns, topic, queue_arn)
    store = kumo.platform.store
    publisher = Publisher(store, kumo.platform.settings)
    published = store.write(
        lambda tx: publisher.publish_in_tx(
            tx,
            topic,
            "from S3",
            subject="event",
            attributes={"k": {"DataType": "String", "StringValue": "v"}},
        )
    )
    publisher.after_commit(published)
    body = envelope(receive_all(sqs, url, 1)[0])
    assert body["MessageId"] == published.message_id
    assert body["Subject"] == "event" and body["Message"] == "from S3"
    verify(body)

    def missing(tx: Any) -> Any:
        return publisher.publish_in_tx(tx, topic + "-gone", "x")

    with pytest.raises(ServiceError) as excinfo:
        store.write(missing)
    assert excinfo.value.code == "NotFoundException"


@pytest.mark.parametrize(
    ("name", "attribute", "message"),
    [
        (
            "bad name",
            {"DataType": "String", "StringValue": "x"},
            "Invalid non-alphanumeric character '#x20' was found in the message attribute name. "
            "Can only include alphanumeric characters, hyphens, underscores, or dots.",
        ),
        (
            ".dot",
            {"DataType": "String", "StringValue": "x"},
            "Invalid message attribute name starting with character '.' was found.",
        ),
        (
            "a..b",
            {"DataType": "String", "StringValue": "x"},
            "Message attribute name can not have successive '.' character.",
        ),
        (
            "n",
            {"DataType": "Binary", "StringValue": "x"},
            "The message attribute 'n' with type 'Binary' must use field 'Binary'.",
        ),
        (
            "n",
            {"DataType": "String", "StringValue": ""},
            "The message attribute 'n' must contain non-empty message attribute value for "
            "message attribute type 'String'.",
        ),
    ],
)
def test_message_attribute_checks(
    sns: Any, new_topic: Topic, name: str, attribute: dict[str, Any], message: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=new_topic(), Message="x", MessageAttributes={name: attribute})
    assert error_of(excinfo) == ("ParameterValueInvalid", message)
