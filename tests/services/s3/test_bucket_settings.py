"""Acceleration, request payment and logging settings through boto3; replication and
Object Lock answer as for a bucket without them."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def test_accelerate_and_request_payment(s3: Any, bucket: str) -> None:
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket)
    s3.put_bucket_accelerate_configuration(
        Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"}
    )
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"


def test_logging(s3: Any, bucket: str, new_name: Any) -> None:
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    with pytest.raises(ClientError) as err:
        s3.put_bucket_logging(
            Bucket=bucket,
            BucketLoggingStatus={
                "LoggingEnabled": {"TargetBucket": "kumo-no-such-logs", "TargetPrefix": "x/"}
            },
        )
    assert err.value.response["Error"]["Code"] == "InvalidTargetBucketForLogging"
    logs = new_name()
    s3.create_bucket(Bucket=logs)
    s3.put_bucket_logging(
        Bucket=bucket,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": logs, "TargetPrefix": "x/"}},
    )
    got = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
    assert got == {"TargetBucket": logs, "TargetPrefix": "x/"}
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)


def test_replication_and_object_lock_not_configured(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as err:
        s3.get_bucket_replication(Bucket=bucket)
    assert err.value.response["Error"]["Code"] == "ReplicationConfigurationNotFoundError"
    with pytest.raises(ClientError) as err:
        s3.get_object_lock_configuration(Bucket=bucket)
    assert err.value.response["Error"]["Code"] == "ObjectLockConfigurationNotFoundError"
    with pytest.raises(ClientError) as err:
        s3.get_bucket_replication(Bucket="kumo-no-such-bucket-repl")
    assert err.value.response["Error"]["Code"] == "NoSuchBucket"
