"""Topics through boto3 (query protocol) and the AWS CLI: create, attributes, listing, tags."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.sns.helpers import error_of


def test_create_topic_is_idempotent_and_conflicts_on_attributes(sns: Any) -> None:
    name = f"idem-{uuid.uuid4().hex[:8]}"
    arn = sns.create_topic(Name=name, Attributes={"DisplayName": "one"})["TopicArn"]
    assert arn == f"arn:aws:sns:us-east-1:000000000000:{name}" or arn.endswith(f":{name}")
    assert sns.create_topic(Name=name, Attributes={"DisplayName": "one"})["TopicArn"] == arn
    assert sns.create_topic(Name=name)["TopicArn"] == arn
    with pytest.raises(ClientError) as excinfo:
        sns.create_topic(Name=name, Attributes={"DisplayName": "two"})
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Topic already exists with different attributes",
    )


def test_topic_names_are_checked(sns: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.create_topic(Name="bad name")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Topic Name")
    with pytest.raises(ClientError) as excinfo:
        sns.create_topic(Name="plain", Attributes={"FifoTopic": "true"})
    assert error_of(excinfo)[0] == "InvalidParameter"
    assert "Fifo Topic names must end with .fifo" in error_of(excinfo)[1]


def test_topic_attributes(sns: Any, new_topic: Callable[..., str]) -> None:
    arn = new_topic(KmsMasterKeyId="alias/aws/sns")
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["TopicArn"] == arn
    assert attributes["Owner"] == arn.split(":")[4]
    assert attributes["KmsMasterKeyId"] == "alias/aws/sns"
    assert attributes["SubscriptionsConfirmed"] == "0"
    assert attributes["SubscriptionsPending"] == "0"
    assert attributes["SubscriptionsDeleted"] == "0"
    policy = json.loads(attributes["Policy"])
    assert policy["Statement"][0]["Resource"] == arn
    assert "FifoTopic" not in attributes

    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Hi")
    delivery = json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 5}}})
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DeliveryPolicy", AttributeValue=delivery)
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DisplayName"] == "Hi"
    assert attributes["DeliveryPolicy"] == delivery

    with pytest.raises(ClientError) as excinfo:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="Nope", AttributeValue="x")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: AttributeName")


def test_fifo_topic_attributes(sns: Any, new_topic: Callable[..., str]) -> None:
    arn = new_topic(fifo=True, ContentBasedDeduplication="true")
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["FifoTopic"] == "true"
    assert attributes["ContentBasedDeduplication"] == "true"


def test_missing_topic(sns: Any) -> None:
    arn = "arn:aws:sns:us-east-1:000000000000:missing-topic"
    with pytest.raises(ClientError) as excinfo:
        sns.get_topic_attributes(TopicArn=arn)
    assert error_of(excinfo) == ("NotFound", "Topic does not exist")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    sns.delete_topic(TopicArn=arn)  # deleting what does not exist is no error


def test_delete_topic_removes_it_and_its_subscriptions(
    sns: Any, new_topic: Callable[..., str], new_queue: Callable[..., tuple[str, str]]
) -> None:
    arn = new_topic()
    _, queue_arn = new_queue()
    sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    sns.delete_topic(TopicArn=arn)
    with pytest.raises(ClientError):
        sns.get_topic_attributes(TopicArn=arn)
    with pytest.raises(ClientError) as excinfo:
        sns.get_subscription_attributes(SubscriptionArn=sub)
    assert error_of(excinfo) == ("NotFound", "Subscription does not exist")


def test_list_topics_pages_by_100(clean_state: None, sns: Any) -> None:
    created = {sns.create_topic(Name=f"page-{i:03d}")["TopicArn"] for i in range(130)}
    first = sns.list_topics()
    assert len(first["Topics"]) == 100
    second = sns.list_topics(NextToken=first["NextToken"])
    assert "NextToken" not in second
    listed = {t["TopicArn"] for t in first["Topics"] + second["Topics"]}
    assert listed == created
    paginated = [
        t["TopicArn"]
        for page in sns.get_paginator("list_topics").paginate()
        for t in page["Topics"]
    ]
    assert set(paginated) == created


def test_tags(sns: Any, new_topic: Callable[..., str]) -> None:
    arn = new_topic()
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    sns.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    missing = "arn:aws:sns:us-east-1:000000000000:nope"
    with pytest.raises(ClientError) as excinfo:
        sns.list_tags_for_resource(ResourceArn=missing)
    assert error_of(excinfo) == ("ResourceNotFound", "Resource does not exist")


def test_cli_topic_flow(aws_cli: Any, sqs: Any, new_queue: Callable[..., tuple[str, str]]) -> None:
    name = f"cli-{uuid.uuid4().hex[:8]}"
    created = json.loads(aws_cli("sns", "create-topic", "--name", name).stdout)
    arn = created["TopicArn"]
    url, queue_arn = new_queue()
    aws_cli(
        "sns", "subscribe", "--topic-arn", arn, "--protocol", "sqs",
        "--notification-endpoint", queue_arn,
        "--attributes", "RawMessageDelivery=true",
    )  # fmt: skip
    listed = json.loads(aws_cli("sns", "list-subscriptions-by-topic", "--topic-arn", arn).stdout)
    assert listed["Subscriptions"][0]["Endpoint"] == queue_arn
    aws_cli("sns", "publish", "--topic-arn", arn, "--message", "from the cli")
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    assert got[0]["Body"] == "from the cli"
    aws_cli("sns", "delete-topic", "--topic-arn", arn)
    topics = json.loads(aws_cli("sns", "list-topics").stdout)["Topics"]
    assert arn not in [t["TopicArn"] for t in topics]
