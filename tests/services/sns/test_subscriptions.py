"""Subscriptions: endpoints checked per protocol, confirmation, attributes, listings."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.services.sns.helpers import error_of

MISMATCH = "Endpoint must match the specified protocol"


@pytest.mark.parametrize(
    ("protocol", "endpoint", "reason"),
    [
        ("sqs", "not-an-arn", "SQS endpoint ARN"),
        ("lambda", "arn:aws:sqs:us-east-1:000000000000:q", "Lambda endpoint ARN"),
        ("http", "https://example.com", MISMATCH),
        ("https", "ftp://example.com", MISMATCH),
        ("email", "nobody", "Email address"),
        ("email-json", "a@b", "Email address"),
        ("firehose", "x", "Firehose endpoint ARN"),
        ("pigeon", "x", "Amazon SNS does not support this protocol string: pigeon"),
    ],
)
def test_endpoints_are_checked_per_protocol(
    sns: Any, new_topic: Callable[..., str], protocol: str, endpoint: str, reason: str
) -> None:
    arn = new_topic()
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=arn, Protocol=protocol, Endpoint=endpoint)
    assert error_of(excinfo) == ("InvalidParameter", f"Invalid parameter: {reason}")


def test_sms_endpoint_is_checked(sns: Any, new_topic: Callable[..., str]) -> None:
    arn = new_topic()
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=arn, Protocol="sms", Endpoint="call me")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid SMS endpoint: call me")


def test_fifo_queue_needs_fifo_topic(
    sns: Any, new_topic: Callable[..., str], new_queue: Callable[..., tuple[str, str]]
) -> None:
    _, queue_arn = new_queue(fifo=True)
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=new_topic(), Protocol="sqs", Endpoint=queue_arn)
    assert "FIFO SQS Queues can not be subscribed to standard SNS topics" in error_of(excinfo)[1]


def test_subscribe_to_missing_topic(sns: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(
            TopicArn="arn:aws:sns:us-east-1:000000000000:gone",
            Protocol="sqs",
            Endpoint="arn:aws:sqs:us-east-1:000000000000:q",
        )
    assert error_of(excinfo) == ("NotFound", "Topic does not exist")


def test_sqs_subscription_is_confirmed_and_idempotent(
    sns: Any, new_topic: Callable[..., str], new_queue: Callable[..., tuple[str, str]]
) -> None:
    arn = new_topic()
    _, queue_arn = new_queue()
    sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    assert sub.startswith(arn + ":")
    again = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    assert again == sub
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(
            TopicArn=arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"},
        )
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Subscription already exists with different "
        "attributes",
    )
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["ConfirmationWasAuthenticated"] == "true"
    assert attributes["Protocol"] == "sqs"
    assert attributes["Endpoint"] == queue_arn
    assert attributes["TopicArn"] == arn
    assert attributes["RawMessageDelivery"] == "false"
    topic = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert topic["SubscriptionsConfirmed"] == "1"


def test_subscription_attributes(
    sns: Any, new_topic: Callable[..., str], new_queue: Callable[..., tuple[str, str]]
) -> None:
    arn = new_topic()
    _, queue_arn = new_queue()
    sub = sns.subscribe(
        TopicArn=arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"FilterPolicy": json.dumps({"color": ["red"]})},
    )["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"color": ["red"]}
    assert attributes["FilterPolicyScope"] == "MessageAttributes"
    sns.set_subscription_attributes(
        SubscriptionArn=sub, AttributeName="RawMessageDelivery", AttributeValue="true"
    )
    redrive = json.dumps({"deadLetterTargetArn": queue_arn})
    sns.set_subscription_attributes(
        SubscriptionArn=sub, AttributeName="RedrivePolicy", AttributeValue=redrive
    )
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attributes["RawMessageDelivery"] == "true"
    assert attributes["RedrivePolicy"] == redrive
    with pytest.raises(ClientError) as excinfo:
        sns.set_subscription_attributes(
            SubscriptionArn=sub, AttributeName="Color", AttributeValue="x"
        )
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: AttributeName")
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(
            TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"Color": "blue"}
        )
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: AttributeName",
    )


def test_raw_delivery_only_for_some_protocols(sns: Any, new_topic: Callable[..., str]) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(
            TopicArn=new_topic(),
            Protocol="email",
            Endpoint="someone@example.com",
            Attributes={"RawMessageDelivery": "true"},
        )
    assert "does not support raw message delivery" in error_of(excinfo)[1]


def test_email_subscription_is_confirmed_with_its_token(
    kumo: Any, sns: Any, new_topic: Callable[..., str]
) -> None:
    arn = new_topic()
    out = sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="me@example.com")
    assert out["SubscriptionArn"] == "pending confirmation"
    listed = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    assert listed[0]["SubscriptionArn"] == "PendingConfirmation"
    topic = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert topic["SubscriptionsPending"] == "1"

    sent = requests.get(f"{kumo.url}/_kumo/sns/messages", timeout=10).json()["messages"]
    request = next(m for m in sent if m["topic_arn"] == arn)
    assert request["type"] == "SubscriptionConfirmation"
    assert json.loads(request["message"])["SubscribeURL"].endswith(request["token"])

    with pytest.raises(ClientError) as excinfo:
        sns.confirm_subscription(TopicArn=arn, Token="wrong")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Token")
    confirmed = sns.confirm_subscription(TopicArn=arn, Token=request["token"])
    assert confirmed["SubscriptionArn"].startswith(arn + ":")
    listed = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    assert listed[0]["SubscriptionArn"] == confirmed["SubscriptionArn"]

    with_arn = sns.subscribe(
        TopicArn=arn, Protocol="email", Endpoint="you@example.com", ReturnSubscriptionArn=True
    )
    assert with_arn["SubscriptionArn"].startswith(arn + ":")


def test_unsubscribe(
    sns: Any, new_topic: Callable[..., str], new_queue: Callable[..., tuple[str, str]]
) -> None:
    arn = new_topic()
    _, queue_arn = new_queue()
    sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    sns.unsubscribe(SubscriptionArn=sub)
    assert sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"] == []
    sns.unsubscribe(SubscriptionArn=sub)  # already gone: no error


def test_list_subscriptions_pages(
    clean_state: None, sns: Any, new_topic: Callable[..., str]
) -> None:
    arn = new_topic()
    for i in range(105):
        sns.subscribe(
            TopicArn=arn,
            Protocol="sqs",
            Endpoint=f"arn:aws:sqs:us-east-1:000000000000:q{i}",
        )
    first = sns.list_subscriptions_by_topic(TopicArn=arn)
    assert len(first["Subscriptions"]) == 100
    rest = sns.list_subscriptions_by_topic(TopicArn=arn, NextToken=first["NextToken"])
    assert len(rest["Subscriptions"]) == 5 and "NextToken" not in rest
    everything = [
        s
        for page in sns.get_paginator("list_subscriptions").paginate()
        for s in page["Subscriptions"]
    ]
    assert len(everything) == 105


def test_cli_email_subscription_flow(
    kumo: Any, aws_cli: Any, new_topic: Callable[..., str]
) -> None:
    topic = new_topic()
    out = aws_cli(
        "sns", "subscribe", "--topic-arn", topic, "--protocol", "email",
        "--notification-endpoint", "cli@example.com",
    )  # fmt: skip
    assert json.loads(out.stdout)["SubscriptionArn"] == "pending confirmation"
    sent = requests.get(f"{kumo.url}/_kumo/sns/messages", timeout=10).json()["messages"]
    (request,) = [m for m in sent if m["topic_arn"] == topic]
    confirmed = aws_cli(
        "sns", "confirm-subscription", "--topic-arn", topic, "--token", request["token"]
    )  # fmt: skip
    arn = json.loads(confirmed.stdout)["SubscriptionArn"]
    listed = json.loads(aws_cli("sns", "list-subscriptions").stdout)["Subscriptions"]
    assert any(s["SubscriptionArn"] == arn and s["Protocol"] == "email" for s in listed)
    attributes = json.loads(
        aws_cli("sns", "get-subscription-attributes", "--subscription-arn", arn).stdout
    )["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    aws_cli("sns", "unsubscribe", "--subscription-arn", arn)


def test_lambda_subscriptions_are_stored(sns: Any, new_topic: Callable[..., str]) -> None:
    topic = new_topic()
    function = "arn:aws:lambda:us-east-1:000000000000:function:worker"
    sub = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function)["SubscriptionArn"]
    assert sub.startswith(f"{topic}:")
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in listed] == [("lambda", function)]
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attrs["Protocol"] == "lambda" and attrs["PendingConfirmation"] == "false"
    sns.publish(TopicArn=topic, Message="stored for the triggers issue")
