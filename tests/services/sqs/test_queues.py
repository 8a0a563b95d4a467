"""Queue operations through boto3: create, look up, list, attributes, purge, tags, delete."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.sqs.helpers import error_of

NON_EXISTENT = "AWS.SimpleQueueService.NonExistentQueue"


def unique(prefix: str = "q") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def test_create_returns_url_on_the_host_the_client_used(sqs: Any, kumo: Any) -> None:
    name = unique()
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert url == f"{kumo.url}/000000000000/{name}"
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url


def test_create_is_idempotent_with_equal_attributes(sqs: Any) -> None:
    name = unique()
    first = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "10"})
    again = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "10"})
    assert first["QueueUrl"] == again["QueueUrl"]
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "11"})
    code, message = error_of(exc)
    assert code == "QueueAlreadyExists"
    assert "VisibilityTimeout" in message


@pytest.mark.parametrize(
    ("attributes", "code", "message"),
    [
        (
            {"DelaySeconds": "901"},
            "InvalidAttributeValue",
            "Invalid value for the parameter DelaySeconds.",
        ),
        (
            {"VisibilityTimeout": "abc"},
            "InvalidAttributeValue",
            "Invalid value for the parameter VisibilityTimeout.",
        ),
        (
            {"MessageRetentionPeriod": "59"},
            "InvalidAttributeValue",
            "Invalid value for the parameter MessageRetentionPeriod.",
        ),
        (
            {"ReceiveMessageWaitTimeSeconds": "21"},
            "InvalidAttributeValue",
            "Invalid value for the parameter ReceiveMessageWaitTimeSeconds.",
        ),
        (
            {"MaximumMessageSize": "1023"},
            "InvalidAttributeValue",
            "Invalid value for the parameter MaximumMessageSize.",
        ),
        ({"QueueArn": "x"}, "InvalidAttributeName", "Unknown Attribute QueueArn."),
    ],
)
def test_create_validates_attributes(
    sqs: Any, attributes: dict[str, str], code: str, message: str
) -> None:
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(QueueName=unique(), Attributes=attributes)
    assert error_of(exc) == (code, message)


def test_create_refuses_bad_names(sqs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(QueueName="bad name!")
    assert error_of(exc)[0] == "InvalidParameterValue"


def test_unknown_queue(sqs: Any, kumo: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sqs.get_queue_url(QueueName=unique("missing"))
    assert error_of(exc) == (NON_EXISTENT, "The specified queue does not exist.")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=f"{kumo.url}/000000000000/{unique()}", MessageBody="x")
    assert error_of(exc)[0] == NON_EXISTENT


def test_list_queues_prefix_and_pages(sqs: Any) -> None:
    prefix = unique("list")
    urls = sorted(sqs.create_queue(QueueName=f"{prefix}-{i}")["QueueUrl"] for i in range(5))
    listed = sqs.list_queues(QueueNamePrefix=prefix)
    assert sorted(listed["QueueUrls"]) == urls
    assert "NextToken" not in listed
    seen: list[str] = []
    kwargs: dict[str, Any] = {"QueueNamePrefix": prefix, "MaxResults": 2}
    pages = 0
    while True:
        page = sqs.list_queues(**kwargs)
        pages += 1
        seen += page["QueueUrls"]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert seen == urls
    assert pages == 3
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix=unique("none"))


def test_list_queues_max_results_range(sqs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        sqs.list_queues(MaxResults=1001)
    assert error_of(exc)[0] == "InvalidParameterValue"


def test_delete_queue(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="gone with the queue")
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(ClientError) as exc:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    assert error_of(exc)[0] == NON_EXISTENT
    # a queue created again under the name starts empty
    name = url.rsplit("/", 1)[1]
    again = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert "Messages" not in sqs.receive_message(QueueUrl=again)


def test_queue_attributes(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(DelaySeconds="0", VisibilityTimeout="45")
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    name = url.rsplit("/", 1)[1]
    assert attrs["QueueArn"] == f"arn:aws:sqs:us-east-1:000000000000:{name}"
    assert attrs["VisibilityTimeout"] == "45"
    assert attrs["MaximumMessageSize"] == "262144"
    assert attrs["MessageRetentionPeriod"] == "345600"
    assert attrs["ApproximateNumberOfMessages"] == "0"
    assert int(attrs["CreatedTimestamp"]) == int(attrs["LastModifiedTimestamp"])
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "5"})
    named = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["VisibilityTimeout", "DelaySeconds"]
    )["Attributes"]
    assert named == {"VisibilityTimeout": "5", "DelaySeconds": "0"}
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "43201"})
    assert error_of(exc)[0] == "InvalidAttributeValue"


def test_message_counts(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "2"
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "1"
    assert attrs["ApproximateNumberOfMessagesDelayed"] == "1"


def test_purge_queue(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="a")
    sqs.purge_queue(QueueUrl=url)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    with pytest.raises(ClientError) as exc:
        sqs.purge_queue(QueueUrl=url)
    assert error_of(exc)[0] == "AWS.SimpleQueueService.PurgeQueueInProgress"


def test_tags(sqs: Any) -> None:
    url = sqs.create_queue(QueueName=unique(), tags={"team": "a"})["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={"env": "dev", "team": "b"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "b", "env": "dev"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team", "env"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)


def test_host_form_queue_url(sqs: Any, new_queue: Callable[..., str], kumo: Any) -> None:
    url = new_queue()
    port = kumo.url.rsplit(":", 1)[1]
    name = url.rsplit("/", 1)[1]
    host_form = f"http://sqs.us-east-1.localhost:{port}/000000000000/{name}"
    sqs.send_message(QueueUrl=host_form, MessageBody="via host form")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "via host form"


def test_unknown_attribute_name_is_named(sqs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=unique(), Attributes={"Bogus": "1"})

    assert excinfo.value.response["Error"]["Code"] == "InvalidAttributeName"
    assert "Bogus" in excinfo.value.response["Error"]["Message"]


def test_receive_accepts_system_attribute_names_in_attribute_names(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="hello")

    got = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])

    assert got["Messages"][0]["Attributes"]["ApproximateReceiveCount"] == "1"


def test_server_side_encryption_attributes(sqs: Any) -> None:
    plain = sqs.create_queue(QueueName=unique())["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=plain, AttributeNames=["All"])["Attributes"]
    assert attrs["SqsManagedSseEnabled"] == "true"
    assert "KmsMasterKeyId" not in attrs and "KmsDataKeyReusePeriodSeconds" not in attrs
    kms = sqs.create_queue(QueueName=unique(), Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    attrs = sqs.get_queue_attributes(QueueUrl=kms["QueueUrl"], AttributeNames=["All"])
    assert {
        k: attrs["Attributes"][k]
        for k in ("SqsManagedSseEnabled", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds")
    } == {
        "SqsManagedSseEnabled": "false",
        "KmsMasterKeyId": "alias/aws/sqs",
        "KmsDataKeyReusePeriodSeconds": "300",
    }
    both = {"SqsManagedSseEnabled": "true", "KmsMasterKeyId": "alias/aws/sqs"}
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(QueueName=unique(), Attributes=both)
    assert error_of(exc) == (
        "InvalidAttributeName",
        "You can use one type of server-side encryption (SSE) at one time. You can either "
        "enable KMS SSE or SQS SSE.",
    )
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=plain, Attributes=both)
    assert error_of(exc)[0] == "InvalidAttributeName"
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=plain, Attributes={"KmsDataKeyReusePeriodSeconds": "59"})
    assert error_of(exc) == (
        "InvalidAttributeValue",
        "Invalid value for the parameter KmsDataKeyReusePeriodSeconds.",
    )
