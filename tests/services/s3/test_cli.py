"""The AWS CLI's high-level ``aws s3`` commands and ``aws s3api`` against kumo."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

Cli = Callable[..., Any]


def test_cp_and_ls(aws_cli: Cli, bucket: str, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024)
    source = tmp_path / "report.bin"
    source.write_bytes(data)
    aws_cli("s3", "cp", str(source), f"s3://{bucket}/reports/2024/report.bin")
    aws_cli("s3", "cp", str(source), f"s3://{bucket}/top.txt")
    listing = aws_cli("s3", "ls", f"s3://{bucket}/").stdout
    assert "PRE reports/" in listing
    assert "top.txt" in listing
    recursive = aws_cli("s3", "ls", "--recursive", f"s3://{bucket}/").stdout
    assert "reports/2024/report.bin" in recursive
    assert str(len(data)) in recursive
    target = tmp_path / "back.bin"
    aws_cli("s3", "cp", f"s3://{bucket}/reports/2024/report.bin", str(target))
    assert target.read_bytes() == data
    assert bucket in aws_cli("s3", "ls").stdout


def test_rm_and_s3api(aws_cli: Cli, bucket: str, tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("hello")
    aws_cli("s3", "cp", str(source), f"s3://{bucket}/a.txt")
    head = json.loads(aws_cli("s3api", "head-object", "--bucket", bucket, "--key", "a.txt").stdout)
    assert head["ContentLength"] == 5
    aws_cli("s3", "rm", f"s3://{bucket}/a.txt")
    missing = aws_cli("s3api", "head-object", "--bucket", bucket, "--key", "a.txt", check=False)
    assert missing.returncode != 0
    assert "404" in missing.stderr


def _tree(root: Path, files: dict[str, bytes]) -> None:
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


def test_mb_and_rb(aws_cli: Cli, new_name: Callable[[], str], tmp_path: Path) -> None:
    name = new_name()
    assert f"make_bucket: {name}" in aws_cli("s3", "mb", f"s3://{name}").stdout
    assert name in aws_cli("s3", "ls").stdout
    # outside us-east-1, making your own bucket again is BucketAlreadyOwnedByYou
    again = aws_cli("s3", "mb", "--region", "eu-west-1", f"s3://{name}", check=False)
    assert again.returncode != 0
    assert "BucketAlreadyOwnedByYou" in again.stderr
    source = tmp_path / "f.txt"
    source.write_text("x")
    aws_cli("s3", "cp", str(source), f"s3://{name}/f.txt")
    full = aws_cli("s3", "rb", f"s3://{name}", check=False)
    assert full.returncode != 0
    assert "BucketNotEmpty" in full.stderr
    assert f"remove_bucket: {name}" in aws_cli("s3", "rb", "--force", f"s3://{name}").stdout
    assert name not in aws_cli("s3", "ls").stdout


def test_recursive_cp_ls_and_rm(aws_cli: Cli, bucket: str, tmp_path: Path) -> None:
    local = tmp_path / "site"
    files = {
        "index.html": b"<h1>hi</h1>",
        "css/a.css": b"body{}",
        "img/deep/b.png": os.urandom(9 * 1024 * 1024),  # above the CLI's 8 MiB threshold
    }
    _tree(local, files)
    aws_cli("s3", "cp", "--recursive", str(local), f"s3://{bucket}/site/")
    top = aws_cli("s3", "ls", f"s3://{bucket}/site/").stdout
    assert "PRE css/" in top and "PRE img/" in top and "index.html" in top
    everything = aws_cli("s3", "ls", "--recursive", f"s3://{bucket}").stdout
    for name in files:
        assert f"site/{name}" in everything
    back = tmp_path / "back"
    aws_cli("s3", "cp", "--recursive", f"s3://{bucket}/site/", str(back))
    for name, body in files.items():
        assert (back / name).read_bytes() == body
    removed = aws_cli("s3", "rm", "--recursive", f"s3://{bucket}/site/img/").stdout
    assert "delete: s3://" in removed
    left = aws_cli("s3", "ls", "--recursive", f"s3://{bucket}").stdout
    assert "img/" not in left and "site/index.html" in left
    aws_cli("s3", "rm", "--recursive", f"s3://{bucket}")
    assert aws_cli("s3", "ls", "--recursive", f"s3://{bucket}").stdout == ""


def test_sync_resync_and_delete(aws_cli: Cli, bucket: str, tmp_path: Path) -> None:
    local = tmp_path / "data"
    _tree(local, {"a.txt": b"a", "sub/b.txt": b"bb", "sub/c.txt": b"ccc"})
    first = aws_cli("s3", "sync", str(local), f"s3://{bucket}/data").stdout
    assert first.count("upload:") == 3
    # nothing changed: sizes and times match what ListObjectsV2 reports, nothing uploads
    assert aws_cli("s3", "sync", str(local), f"s3://{bucket}/data").stdout.strip() == ""
    (local / "sub" / "c.txt").unlink()
    (local / "new.txt").write_bytes(b"new!")
    kept = aws_cli("s3", "sync", str(local), f"s3://{bucket}/data").stdout
    assert "upload:" in kept and "new.txt" in kept and "delete:" not in kept
    deleted = aws_cli("s3", "sync", "--delete", str(local), f"s3://{bucket}/data").stdout
    assert f"delete: s3://{bucket}/data/sub/c.txt" in deleted
    listing = aws_cli("s3", "ls", "--recursive", f"s3://{bucket}/data/").stdout
    assert "sub/c.txt" not in listing and "data/new.txt" in listing
    down = tmp_path / "down"
    aws_cli("s3", "sync", f"s3://{bucket}/data", str(down))
    assert sorted(p.relative_to(down).as_posix() for p in down.rglob("*.txt")) == [
        "a.txt",
        "new.txt",
        "sub/b.txt",
    ]
    assert aws_cli("s3", "sync", f"s3://{bucket}/data", str(down)).stdout.strip() == ""


def test_presign_then_fetch(aws_cli: Cli, bucket: str, tmp_path: Path) -> None:
    source = tmp_path / "p.txt"
    source.write_text("presigned body")
    aws_cli("s3", "cp", str(source), f"s3://{bucket}/dir/p.txt")
    url = aws_cli("s3", "presign", f"s3://{bucket}/dir/p.txt", "--expires-in", "300")
    fetched = requests.get(url.stdout.strip(), timeout=10)
    assert fetched.status_code == 200
    assert fetched.text == "presigned body"
    # against a custom endpoint the CLI presigns in SigV2's query form
    assert "Signature=" in url.stdout and "Expires=" in url.stdout
    short = aws_cli("s3", "presign", f"s3://{bucket}/dir/p.txt", "--expires-in", "1")
    time.sleep(2.1)
    expired = requests.get(short.stdout.strip(), timeout=10)
    assert expired.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in expired.text


def test_s3api_objects_and_versions(aws_cli: Cli, bucket: str, tmp_path: Path) -> None:
    aws_cli("s3api", "put-bucket-versioning", "--bucket", bucket,
            "--versioning-configuration", "Status=Enabled")  # fmt: skip
    body = tmp_path / "body.txt"
    ids = []
    for text in ("one", "two"):
        body.write_text(text)
        put = json.loads(aws_cli("s3api", "put-object", "--bucket", bucket, "--key", "v.txt",
                                 "--body", str(body), "--metadata", "owner=me").stdout)  # fmt: skip
        ids.append(put["VersionId"])
        assert put["ETag"].startswith('"')
    out = tmp_path / "out.txt"
    got = json.loads(aws_cli("s3api", "get-object", "--bucket", bucket, "--key", "v.txt",
                             "--version-id", ids[0], str(out)).stdout)  # fmt: skip
    assert out.read_text() == "one"
    assert got["VersionId"] == ids[0]
    assert got["Metadata"] == {"owner": "me"}
    aws_cli("s3api", "delete-object", "--bucket", bucket, "--key", "v.txt")
    listed = json.loads(
        aws_cli("s3api", "list-object-versions", "--bucket", bucket, "--prefix", "v").stdout
    )
    assert [v["VersionId"] for v in listed["Versions"]] == [ids[1], ids[0]]
    assert len(listed["DeleteMarkers"]) == 1 and listed["DeleteMarkers"][0]["IsLatest"]
    missing = aws_cli("s3api", "get-object", "--bucket", bucket, "--key", "v.txt",
                      str(out), check=False)  # fmt: skip
    assert missing.returncode != 0 and "NoSuchKey" in missing.stderr


def test_cp_with_encryption_storage_class_and_metadata(
    aws_cli: Cli, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "s.txt"
    source.write_text("settings")
    aws_cli("s3", "cp", str(source), f"s3://{bucket}/s.txt", "--sse", "aws:kms",
            "--storage-class", "STANDARD_IA", "--metadata", "team=data",
            "--content-type", "text/plain")  # fmt: skip
    head = json.loads(aws_cli("s3api", "head-object", "--bucket", bucket, "--key", "s.txt").stdout)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].startswith("arn:aws:kms:")
    assert head["StorageClass"] == "STANDARD_IA"
    assert head["Metadata"] == {"team": "data"}
    assert head["ContentType"] == "text/plain"
    # an S3-to-S3 copy keeps the metadata and takes the storage class it is given
    aws_cli("s3", "cp", f"s3://{bucket}/s.txt", f"s3://{bucket}/t.txt")
    copied = json.loads(
        aws_cli("s3api", "head-object", "--bucket", bucket, "--key", "t.txt").stdout
    )
    assert copied["Metadata"] == {"team": "data"}
    assert copied["ServerSideEncryption"] == "AES256"
