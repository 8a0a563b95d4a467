"""Bucket configuration documents and object attributes through ``aws s3api``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

Cli = Callable[..., Any]


def api(aws_cli: Cli, *args: str) -> Any:
    out = aws_cli("s3api", *args).stdout
    return json.loads(out) if out.strip() else {}


def test_cors_lifecycle_and_notifications(aws_cli: Cli, bucket: str, tmp_path: Path) -> None:
    cors = {"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]}
    api(aws_cli, "put-bucket-cors", "--bucket", bucket, "--cors-configuration", json.dumps(cors))
    assert api(aws_cli, "get-bucket-cors", "--bucket", bucket) == cors

    lifecycle = {
        "Rules": [
            {
                "ID": "tmp",
                "Filter": {"Prefix": "tmp/"},
                "Status": "Enabled",
                "Expiration": {"Days": 1},
            }
        ]
    }
    api(
        aws_cli,
        "put-bucket-lifecycle-configuration",
        "--bucket",
        bucket,
        "--lifecycle-configuration",
        json.dumps(lifecycle),
    )
    got = api(aws_cli, "get-bucket-lifecycle-configuration", "--bucket", bucket)
    assert got["Rules"] == lifecycle["Rules"]

    notification = {
        "QueueConfigurations": [
            {
                "Id": "q",
                "QueueArn": "arn:aws:sqs:us-east-1:000000000000:q",
                "Events": ["s3:ObjectCreated:*"],
            }
        ]
    }
    api(
        aws_cli,
        "put-bucket-notification-configuration",
        "--bucket",
        bucket,
        "--notification-configuration",
        json.dumps(notification),
    )
    assert api(aws_cli, "get-bucket-notification-configuration", "--bucket", bucket) == notification

    bad = aws_cli(
        "s3api",
        "put-bucket-policy",
        "--bucket",
        bucket,
        "--policy",
        "not json",
        check=False,
    )
    assert bad.returncode != 0
    assert "MalformedPolicy" in bad.stderr


def test_versioning_and_attributes(aws_cli: Cli, bucket: str, tmp_path: Path) -> None:
    api(
        aws_cli,
        "put-bucket-versioning",
        "--bucket",
        bucket,
        "--versioning-configuration",
        "Status=Enabled",
    )
    source = tmp_path / "f.txt"
    source.write_text("one")
    first = api(aws_cli, "put-object", "--bucket", bucket, "--key", "f.txt", "--body", str(source))
    aws_cli("s3", "rm", f"s3://{bucket}/f.txt")
    versions = api(aws_cli, "list-object-versions", "--bucket", bucket)
    assert versions["Versions"][0]["VersionId"] == first["VersionId"]
    assert versions["DeleteMarkers"][0]["IsLatest"] is True
    attrs = api(
        aws_cli,
        "get-object-attributes",
        "--bucket",
        bucket,
        "--key",
        "f.txt",
        "--version-id",
        first["VersionId"],
        "--object-attributes",
        "ETag",
        "ObjectSize",
    )
    assert attrs["ObjectSize"] == 3
