"""Lifecycle configurations through boto3, and the sweep applying them, called directly
with a fake "now" on the session's store."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kumo.services.base import ServiceDeps
from kumo.services.s3.lifecycle import sweep
from kumo.services.s3.provider import S3Provider

DAY = 86400


def put_rules(s3: Any, bucket: str, *rules: dict[str, Any]) -> None:
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": list(rules)}
    )


def keys(s3: Any, bucket: str) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_configuration_round_trip(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as err:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert err.value.response["Error"]["Code"] == "NoSuchLifecycleConfiguration"
    rules = [
        {
            "ID": "logs",
            "Filter": {"Prefix": "logs/"},
            "Status": "Enabled",
            "Expiration": {"Days": 30},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 7},
        },
        {
            "ID": "date",
            "Filter": {"And": {"Prefix": "tmp/", "Tags": [{"Key": "a", "Value": "b"}]}},
            "Status": "Disabled",
            "Expiration": {"Date": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)},
        },
        {
            "ID": "uploads",
            "Filter": {"Prefix": ""},
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2},
        },
    ]
    put_rules(s3, bucket, *rules)
    out = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert out["Rules"] == rules
    s3.delete_bucket_lifecycle(Bucket=bucket)
    with pytest.raises(ClientError):
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)


@pytest.mark.parametrize(
    ("rule", "error"),
    [
        (
            {"ID": "x", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 0}},
            "InvalidArgument",
        ),
        ({"ID": "x", "Filter": {}, "Status": "Enabled"}, "InvalidRequest"),
        (
            {
                "ID": "x",
                "Filter": {},
                "Status": "Enabled",
                "Expiration": {"Date": dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)},
            },
            "InvalidArgument",
        ),
        (
            {
                "ID": "x",
                "Filter": {"Tag": {"Key": "a", "Value": "b"}},
                "Status": "Enabled",
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
            },
            "InvalidRequest",
        ),
    ],
)
def test_invalid_rules(s3: Any, bucket: str, rule: dict[str, Any], error: str) -> None:
    with pytest.raises(ClientError) as err:
        put_rules(s3, bucket, rule)
    assert err.value.response["Error"]["Code"] == error


def test_duplicate_rule_ids(s3: Any, bucket: str) -> None:
    rule = {"ID": "same", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}}
    with pytest.raises(ClientError) as err:
        put_rules(s3, bucket, rule, rule)
    assert err.value.response["Error"]["Code"] == "InvalidArgument"


def test_sweep_expires_current_objects(kumo: Any, s3: Any, bucket: str) -> None:
    put_rules(
        s3,
        bucket,
        {
            "ID": "logs",
            "Filter": {"Prefix": "logs/"},
            "Status": "Enabled",
            "Expiration": {"Days": 1},
        },
        {
            "ID": "tagged",
            "Filter": {"Tag": {"Key": "temp", "Value": "yes"}},
            "Status": "Enabled",
            "Expiration": {"Days": 3},
        },
    )
    s3.put_object(Bucket=bucket, Key="logs/a", Body=b"x")
    s3.put_object(Bucket=bucket, Key="keep/b", Body=b"x")
    s3.put_object(Bucket=bucket, Key="temp/c", Body=b"x", Tagging="temp=yes")
    store = kumo.platform.store
    now = time.time()
    sweep(store, now)
    assert keys(s3, bucket) == ["keep/b", "logs/a", "temp/c"]
    # one day later, rounded up to midnight UTC: the log expires, the tagged object not yet
    result = sweep(store, now + 2 * DAY)
    assert (bucket, "logs/a") in result.expired
    assert keys(s3, bucket) == ["keep/b", "temp/c"]
    sweep(store, now + 4 * DAY)
    assert keys(s3, bucket) == ["keep/b"]


def test_sweep_on_versioned_bucket(kumo: Any, s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    put_rules(
        s3,
        bucket,
        {
            "ID": "all",
            "Filter": {"Prefix": ""},
            "Status": "Enabled",
            "Expiration": {"Days": 1},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 5},
        },
    )
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"1")["VersionId"]
    store = kumo.platform.store
    now = time.time()
    result = sweep(store, now + 2 * DAY)
    assert (bucket, "k") in result.markers_added
    listed = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in listed["Versions"]] == [v1]
    assert listed["DeleteMarkers"][0]["IsLatest"] is True
    # the old version became noncurrent when the marker was written (about "now")
    result = sweep(store, now + 7 * DAY)
    assert (bucket, "k", v1) in result.noncurrent_deleted
    assert "Versions" not in s3.list_object_versions(Bucket=bucket)


def test_expired_delete_marker_removed(kumo: Any, s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"1")
    s3.delete_object(Bucket=bucket, Key="k")
    put_rules(
        s3,
        bucket,
        {
            "ID": "markers",
            "Filter": {"Prefix": ""},
            "Status": "Enabled",
            "Expiration": {"ExpiredObjectDeleteMarker": True},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
        },
    )
    result = sweep(kumo.platform.store, time.time() + 3 * DAY)
    assert result.markers_removed == [(bucket, "k")]
    listed = s3.list_object_versions(Bucket=bucket)
    assert "Versions" not in listed and "DeleteMarkers" not in listed
    s3.delete_bucket(Bucket=bucket)


def test_sweep_aborts_old_uploads(kumo: Any, s3: Any, bucket: str) -> None:
    put_rules(
        s3,
        bucket,
        {
            "ID": "uploads",
            "Filter": {"Prefix": "big/"},
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        },
    )
    old = s3.create_multipart_upload(Bucket=bucket, Key="big/a")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="big/a", UploadId=old, PartNumber=1, Body=b"x")
    s3.create_multipart_upload(Bucket=bucket, Key="small/b")
    result = sweep(kumo.platform.store, time.time() + 2 * DAY)
    assert result.aborted == [(bucket, "big/a", old)]
    remaining = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [u["Key"] for u in remaining] == ["small/b"]


def test_lifecycle_expiration_notifies(kumo: Any, s3: Any, bucket: str) -> None:
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": "arn:aws:sqs:us-east-1:000000000000:q",
                    "Events": ["s3:LifecycleExpiration:*"],
                }
            ]
        },
    )
    put_rules(
        s3, bucket, {"ID": "all", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}}
    )
    s3.put_object(Bucket=bucket, Key="k", Body=b"1")
    sweep(kumo.platform.store, time.time() + 2 * DAY)
    store = kumo.platform.store
    mine = [
        e
        for e in store.outbox_claim(["s3.notification"], limit=1000, lease_seconds=0.01)
        if e.payload["bucket"] == bucket
    ]
    store.outbox_ack([e.seq for e in mine])
    assert [e.payload["record"]["eventName"] for e in mine] == ["LifecycleExpiration:Delete"]
    assert mine[0].payload["record"]["userIdentity"]["principalId"] == "s3.amazonaws.com"


def test_provider_runs_the_sweep(kumo: Any, s3: Any, bucket: str) -> None:
    """The sweeper started by the provider applies the rules every interval."""
    put_rules(
        s3, bucket, {"ID": "all", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}}
    )
    s3.put_object(Bucket=bucket, Key="k", Body=b"1")
    platform = kumo.platform
    provider = S3Provider(ServiceDeps(store=platform.store, settings=platform.settings))
    provider.lifecycle_interval = 0.05
    provider.clock = lambda: time.time() + 2 * DAY

    async def run() -> None:
        await provider.start()
        for _ in range(100):
            await asyncio.sleep(0.05)
            if "Contents" not in s3.list_objects_v2(Bucket=bucket):
                break
        await provider.stop()

    asyncio.run(run())
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
