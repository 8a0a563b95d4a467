"""MessageStructure=json: each protocol's subscribers get their own message (or the
default), over SQS, HTTP, email, email-json and SMS, through boto3 and the AWS CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import requests

from tests.services.sns.conftest import Endpoint
from tests.services.sns.helpers import envelope, receive_all
from tests.services.sns.test_http import confirmed

Topic = Callable[..., str]
Queue = Callable[..., tuple[str, str]]


def outbox(kumo: Any, topic: str) -> list[dict[str, Any]]:
    found = requests.get(f"{kumo.url}/_kumo/sns/messages", timeout=10).json()["messages"]
    return [m for m in found if m["topic_arn"] == topic and "type" not in m]


def test_each_protocol_gets_its_message(
    kumo: Any, sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue, endpoint: Endpoint
) -> None:
    topic = new_topic()
    url, arn = new_queue()
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    http = confirmed(sns, topic, endpoint)
    sms = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550123")
    emails = {}
    for protocol in ("email", "email-json"):
        sub = sns.subscribe(
            TopicArn=topic,
            Protocol=protocol,
            Endpoint=f"{protocol}@example.com",
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        (request,) = [
            m
            for m in requests.get(f"{kumo.url}/_kumo/sns/messages", timeout=10).json()["messages"]
            if m["subscription_arn"] == sub
        ]
        sns.confirm_subscription(TopicArn=topic, Token=request["token"])
        emails[protocol] = sub
    message = {
        "default": "the default",
        "sqs": "for queues",
        "http": "for http",
        "email": "for email",
        "sms": "for phones",
    }
    out = sns.publish(TopicArn=topic, Message=json.dumps(message), MessageStructure="json")
    assert envelope(receive_all(sqs, url, 1)[0])["Message"] == "for queues"
    notification = json.loads(endpoint.next().body)
    assert notification["MessageId"] == out["MessageId"]
    assert notification["Message"] == "for http"
    assert http
    sent = {m["subscription_arn"]: m for m in outbox(kumo, topic)}
    assert sent[sms["SubscriptionArn"]]["message"] == "for phones"
    assert sent[emails["email"]]["message"] == "for email"
    # email-json has no entry of its own: the default, in the JSON document
    assert json.loads(sent[emails["email-json"]]["message"])["Message"] == "the default"


def test_message_structure_through_the_cli(
    aws_cli: Any, sqs: Any, sns: Any, new_topic: Topic, new_queue: Queue
) -> None:
    topic = new_topic()
    url, arn = new_queue()
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    aws_cli(
        "sns",
        "publish",
        "--topic-arn",
        topic,
        "--message-structure",
        "json",
        "--message",
        json.dumps({"default": "d", "sqs": "raw for queues"}),
        "--message-attributes",
        json.dumps({"k": {"DataType": "String", "StringValue": "v"}}),
    )
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], WaitTimeSeconds=5)
    message = got["Messages"][0]
    assert message["Body"] == "raw for queues"
    assert message["MessageAttributes"] == {"k": {"DataType": "String", "StringValue": "v"}}
