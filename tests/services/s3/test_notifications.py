"""Bucket notification configurations through boto3, and the outbox records object changes
write (topic ``s3.notification``) when a configuration matches."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

QUEUE = "arn:aws:sqs:us-east-1:000000000000:events"
TOPIC = "arn:aws:sns:us-east-1:000000000000:events"
FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:handler"


def notifications(kumo: Any, bucket: str) -> list[dict[str, Any]]:
    """The outbox payloads for ``bucket`` (acknowledged, so each is seen once)."""
    store = kumo.platform.store
    mine: list[dict[str, Any]] = []
    # a short lease leaves other buckets' events claimable by whoever else reads the topic
    for event in store.outbox_claim(["s3.notification"], limit=1000, lease_seconds=0.01):
        if event.payload["bucket"] == bucket:
            mine.append(event.payload)
            store.outbox_ack([event.seq])
    return mine


def configure(s3: Any, bucket: str, **config: Any) -> None:
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)


def test_configuration_round_trip(s3: Any, bucket: str) -> None:
    assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)
    configure(
        s3,
        bucket,
        QueueConfigurations=[
            {
                "Id": "images",
                "QueueArn": QUEUE,
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {
                    "Key": {
                        "FilterRules": [
                            {"Name": "prefix", "Value": "images/"},
                            {"Name": "suffix", "Value": ".jpg"},
                        ]
                    }
                },
            }
        ],
        TopicConfigurations=[{"TopicArn": TOPIC, "Events": ["s3:ObjectRemoved:*"]}],
        EventBridgeConfiguration={},
    )
    out = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert out["QueueConfigurations"][0]["Id"] == "images"
    assert out["QueueConfigurations"][0]["Filter"]["Key"]["FilterRules"] == [
        {"Name": "Prefix", "Value": "images/"},
        {"Name": "Suffix", "Value": ".jpg"},
    ]
    assert out["TopicConfigurations"][0]["Id"]  # generated
    assert out["EventBridgeConfiguration"] == {}
    configure(s3, bucket)
    assert "TopicConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {
                "QueueConfigurations": [
                    {"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"]},
                    {
                        "QueueArn": QUEUE,
                        "Events": ["s3:ObjectCreated:Put"],
                        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/"}]}},
                    },
                ]
            },
            "Configuration is ambiguously defined",
        ),
        (
            {"QueueConfigurations": [{"QueueArn": "not-an-arn", "Events": ["s3:ObjectCreated:*"]}]},
            "Unable to validate the following destination configurations",
        ),
        (
            {"QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:Bogus"]}]},
            "The event is not supported for notifications",
        ),
        (
            {"TopicConfigurations": [{"TopicArn": QUEUE, "Events": ["s3:ObjectCreated:*"]}]},
            "Unable to validate the following destination configurations",
        ),
        (
            {
                "LambdaFunctionConfigurations": [
                    {
                        "LambdaFunctionArn": FUNCTION,
                        "Events": ["s3:ObjectCreated:*"],
                        "Filter": {
                            "Key": {
                                "FilterRules": [
                                    {"Name": "prefix", "Value": "a"},
                                    {"Name": "prefix", "Value": "b"},
                                ]
                            }
                        },
                    }
                ]
            },
            "Cannot specify more than one prefix rule in a filter.",
        ),
    ],
)
def test_invalid_configurations(s3: Any, bucket: str, config: dict[str, Any], message: str) -> None:
    with pytest.raises(ClientError) as err:
        configure(s3, bucket, **config)
    assert err.value.response["Error"]["Code"] == "InvalidArgument"
    assert err.value.response["Error"]["Message"].startswith(message)


def test_non_overlapping_filters_are_accepted(s3: Any, bucket: str) -> None:
    def rule(prefix: str) -> dict[str, Any]:
        return {
            "QueueArn": QUEUE,
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}},
        }

    configure(s3, bucket, QueueConfigurations=[rule("a/"), rule("b/")])
    assert len(s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]) == 2


def test_no_configuration_no_records(kumo: Any, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert notifications(kumo, bucket) == []


def test_object_changes_write_records(kumo: Any, s3: Any, bucket: str) -> None:
    configure(
        s3,
        bucket,
        QueueConfigurations=[
            {
                "Id": "created",
                "QueueArn": QUEUE,
                "Events": ["s3:ObjectCreated:*", "s3:ObjectTagging:*"],
            }
        ],
        LambdaFunctionConfigurations=[
            {"Id": "removed", "LambdaFunctionArn": FUNCTION, "Events": ["s3:ObjectRemoved:*"]}
        ],
    )
    put = s3.put_object(Bucket=bucket, Key="dir/my file.txt", Body=b"hello")
    s3.copy_object(
        Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "dir/my file.txt"}
    )
    s3.put_object_tagging(
        Bucket=bucket, Key="copy", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]}
    )
    s3.delete_object(Bucket=bucket, Key="copy")
    events = notifications(kumo, bucket)
    assert [(e["record"]["eventName"], e["key"]) for e in events] == [
        ("ObjectCreated:Put", "dir/my file.txt"),
        ("ObjectCreated:Copy", "copy"),
        ("ObjectTagging:Put", "copy"),
        ("ObjectRemoved:Delete", "copy"),
    ]
    first = events[0]
    assert first["target"] == {"type": "sqs", "arn": QUEUE, "id": "created"}
    assert events[3]["target"] == {"type": "lambda", "arn": FUNCTION, "id": "removed"}
    record = first["record"]
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventTime"].endswith("Z")
    assert record["userIdentity"]["principalId"]
    assert record["requestParameters"]["sourceIPAddress"] == "127.0.0.1"
    assert set(record["responseElements"]) == {"x-amz-request-id", "x-amz-id-2"}
    assert record["s3"]["s3SchemaVersion"] == "1.0"
    assert record["s3"]["configurationId"] == "created"
    assert record["s3"]["bucket"]["name"] == bucket
    assert record["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    obj = record["s3"]["object"]
    assert obj["key"] == "dir/my+file.txt"
    assert obj["size"] == 5
    assert obj["eTag"] == put["ETag"].strip('"')
    assert "versionId" not in obj
    assert len(obj["sequencer"]) >= 16
    removed = events[3]["record"]["s3"]["object"]
    assert "size" not in removed
    assert int(removed["sequencer"], 16) > int(obj["sequencer"], 16)


def test_filters_choose_records(kumo: Any, s3: Any, bucket: str) -> None:
    configure(
        s3,
        bucket,
        TopicConfigurations=[
            {
                "Id": "jpgs",
                "TopicArn": TOPIC,
                "Events": ["s3:ObjectCreated:Put"],
                "Filter": {
                    "Key": {
                        "FilterRules": [
                            {"Name": "Prefix", "Value": "images/"},
                            {"Name": "Suffix", "Value": ".jpg"},
                        ]
                    }
                },
            }
        ],
    )
    s3.put_object(Bucket=bucket, Key="images/a.jpg", Body=b"x")
    s3.put_object(Bucket=bucket, Key="images/a.png", Body=b"x")
    s3.put_object(Bucket=bucket, Key="other/a.jpg", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="images/a.jpg")  # not a configured event
    events = notifications(kumo, bucket)
    assert [(e["key"], e["target"]["type"]) for e in events] == [("images/a.jpg", "sns")]


def test_versioned_records_and_multipart(kumo: Any, s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    configure(
        s3,
        bucket,
        QueueConfigurations=[
            {"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
        ],
        EventBridgeConfiguration={},
    )
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=1, Body=b"x")[
        "ETag"
    ]
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="big",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
    )
    marker = s3.delete_object(Bucket=bucket, Key="big")["VersionId"]
    events = notifications(kumo, bucket)
    names = [(e["record"]["eventName"], e["target"]["type"]) for e in events]
    assert names == [
        ("ObjectCreated:CompleteMultipartUpload", "sqs"),
        ("ObjectCreated:CompleteMultipartUpload", "eventbridge"),
        ("ObjectRemoved:DeleteMarkerCreated", "sqs"),
        ("ObjectRemoved:DeleteMarkerCreated", "eventbridge"),
    ]
    assert events[0]["record"]["s3"]["object"]["versionId"] == done["VersionId"]
    assert events[2]["record"]["s3"]["object"]["versionId"] == marker
