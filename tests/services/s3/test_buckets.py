"""Bucket lifecycle, location, tagging and versioning status through boto3."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def code_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response: Any = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_bucket_lifecycle(s3: Any, new_name: Callable[[], str]) -> None:
    name = new_name()
    created = s3.create_bucket(Bucket=name)
    assert created["Location"] == f"/{name}"
    assert s3.head_bucket(Bucket=name)["BucketRegion"] == "us-east-1"
    listed = s3.list_buckets()
    assert name in [b["Name"] for b in listed["Buckets"]]
    assert len(listed["Owner"]["ID"]) == 64
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=name)
    assert code_of(exc) == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket=name, Key="k")
    assert s3.delete_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket=name)
    assert code_of(exc) == ("404", 404)
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=name)
    assert code_of(exc) == ("NoSuchBucket", 404)
    assert exc.value.response["Error"]["BucketName"] == name


def test_recreating_your_bucket_in_us_east_1_succeeds(s3: Any, bucket: str) -> None:
    # S3 keeps answering 200 there, for legacy clients
    assert s3.create_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_location_constraint(aws_client: Any, new_name: Callable[[], str]) -> None:
    s3 = aws_client("s3", region_name="eu-west-1")
    name = new_name()
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert code_of(exc) == ("BucketAlreadyOwnedByYou", 409)
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=new_name())
    assert code_of(exc) == ("IllegalLocationConstraintException", 400)


def test_us_east_1_has_an_empty_location(s3: Any, bucket: str) -> None:
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] is None


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "a" * 64,
        "UpperCase",
        "under_score",
        "-leading-dash",
        "trailing-dash-",
        "two..dots",
        "192.168.5.4",
        "xn--punycode",
        "sthree-reserved",
        "ends-s3alias",
    ],
)
def test_invalid_bucket_names(s3: Any, name: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=name)
    assert code_of(exc) == ("InvalidBucketName", 400)


def test_bucket_tagging(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert code_of(exc) == ("NoSuchTagSet", 404)
    tags = [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "data"}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags
    deleted = s3.delete_bucket_tagging(Bucket=bucket)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert code_of(exc) == ("NoSuchTagSet", 404)


def test_duplicate_tag_keys_are_refused(s3: Any, bucket: str) -> None:
    tags = [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert code_of(exc) == ("InvalidTag", 400)


def test_versioning_status(s3: Any, bucket: str) -> None:
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_object_tagging(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="t", Body=b"x")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []
    tags = [{"Key": "state", "Value": "done"}]
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": tags})
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == tags
    s3.delete_object_tagging(Bucket=bucket, Key="t")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(11)]
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": too_many})
    assert code_of(exc) == ("InvalidTag", 400)
    with pytest.raises(ClientError) as exc:
        s3.get_object_tagging(Bucket=bucket, Key="missing")
    assert code_of(exc) == ("NoSuchKey", 404)
