"""HTTP/HTTPS subscriptions against a local server: the confirmation handshake, signed
notifications with the x-amz-sns-* headers, raw delivery, and retries with backoff."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from kumo.services.sns.http import RetryPolicy
from tests.services.sns.helpers import Endpoint
from tests.services.sns.test_publish import verify


def confirmed(sns: Any, topic: str, endpoint: Endpoint, **attributes: str) -> str:
    out = sns.subscribe(
        TopicArn=topic, Protocol="http", Endpoint=endpoint.url, Attributes=attributes
    )
    assert out["SubscriptionArn"] == "pending confirmation"
    request = endpoint.next()
    document = json.loads(request.body)
    sub = sns.confirm_subscription(TopicArn=topic, Token=document["Token"])["SubscriptionArn"]
    return str(sub)


def test_confirmation_handshake(
    sns: Any, new_topic: Callable[..., str], endpoint: Endpoint
) -> None:
    topic = new_topic()
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    request = endpoint.next()
    assert request.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert request.headers["x-amz-sns-topic-arn"] == topic
    assert "x-amz-sns-subscription-arn" not in request.headers
    document = json.loads(request.body)
    assert document["Type"] == "SubscriptionConfirmation"
    assert document["TopicArn"] == topic
    assert request.headers["x-amz-sns-message-id"] == document["MessageId"]
    assert document["SubscribeURL"].endswith(f"Token={document['Token']}")
    verify(document)
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed[0]["SubscriptionArn"] == "PendingConfirmation"
    sub = sns.confirm_subscription(TopicArn=topic, Token=document["Token"])["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attributes["PendingConfirmation"] == "false"


def test_signed_notifications(sns: Any, new_topic: Callable[..., str], endpoint: Endpoint) -> None:
    topic = new_topic()
    sub = confirmed(sns, topic, endpoint)
    out = sns.publish(
        TopicArn=topic,
        Message="over http",
        Subject="hi",
        MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
    )
    request = endpoint.next()
    assert request.headers["x-amz-sns-message-type"] == "Notification"
    assert request.headers["x-amz-sns-message-id"] == out["MessageId"]
    assert request.headers["x-amz-sns-subscription-arn"] == sub
    assert request.headers["content-type"] == "text/plain; charset=UTF-8"
    document = json.loads(request.body)
    assert document["Message"] == "over http"
    assert document["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    verify(document)
    cert = requests.get(document["SigningCertURL"], timeout=10)
    assert cert.text.startswith("-----BEGIN CERTIFICATE-----")


def test_raw_http_delivery(sns: Any, new_topic: Callable[..., str], endpoint: Endpoint) -> None:
    topic = new_topic()
    confirmed(sns, topic, endpoint, RawMessageDelivery="true")
    sns.publish(TopicArn=topic, Message="just the body")
    request = endpoint.next()
    assert request.body == "just the body"
    assert request.headers["x-amz-sns-rawdelivery"] == "true"


def test_retries_until_the_endpoint_answers(
    sns: Any, new_topic: Callable[..., str], endpoint: Endpoint
) -> None:
    policy = {"healthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 1, "numRetries": 3}}
    topic = new_topic()
    confirmed(sns, topic, endpoint, DeliveryPolicy=json.dumps(policy))
    endpoint.failures = 2
    sns.publish(TopicArn=topic, Message="eventually")
    request = endpoint.next(timeout=15)
    assert json.loads(request.body)["Message"] == "eventually"
    assert endpoint.failures == 0


def test_retry_policy_schedule() -> None:
    default = RetryPolicy.parse(None)
    assert [default.delay(n) for n in (1, 2, 3, 4)] == [20.0, 20.0, 20.0, None]
    policy = RetryPolicy.parse(
        json.dumps(
            {
                "http": {
                    "defaultHealthyRetryPolicy": {
                        "minDelayTarget": 1,
                        "maxDelayTarget": 9,
                        "numRetries": 6,
                        "numNoDelayRetries": 1,
                        "numMaxDelayRetries": 1,
                        "backoffFunction": "linear",
                    }
                }
            }
        )
    )
    # one immediate retry, a backoff phase of four from 1 s to 9 s, one more at 9 s
    delays = [policy.delay(n) for n in range(1, 8)]
    assert delays[:6] == pytest.approx([0.0, 1.0, 11 / 3, 19 / 3, 9.0, 9.0])
    assert delays[6] is None


def test_visiting_the_subscribe_url_confirms(
    sns: Any, new_topic: Callable[..., str], endpoint: Endpoint
) -> None:
    topic = new_topic()
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    document = json.loads(endpoint.next().body)
    answer = requests.get(document["SubscribeURL"], timeout=10)
    assert answer.status_code == 200, answer.text
    assert "<SubscriptionArn>" in answer.text
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed[0]["SubscriptionArn"].startswith(topic + ":")


def test_undeliverable_goes_to_the_dead_letter_queue(
    sns: Any,
    sqs: Any,
    new_topic: Callable[..., str],
    new_queue: Callable[..., tuple[str, str]],
    endpoint: Endpoint,
) -> None:
    dlq_url, dlq_arn = new_queue()
    policy = {"healthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 1, "numRetries": 1}}
    topic = new_topic()
    confirmed(
        sns,
        topic,
        endpoint,
        DeliveryPolicy=json.dumps(policy),
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn}),
    )
    endpoint.failures = 5
    sns.publish(TopicArn=topic, Message="nobody home")
    got = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=10).get("Messages", [])
    assert got and json.loads(got[0]["Body"])["Message"] == "nobody home"


def test_content_type_from_the_delivery_policy(
    sns: Any, new_topic: Callable[..., str], endpoint: Endpoint
) -> None:
    policy = {"requestPolicy": {"headerContentType": "application/json"}}
    topic = new_topic()
    confirmed(sns, topic, endpoint, DeliveryPolicy=json.dumps(policy))
    sns.publish(TopicArn=topic, Message="{}")
    assert endpoint.next().headers["content-type"] == "application/json"
