"""The AWS CLI's high-level ``aws s3`` commands and ``aws s3api`` against kumo."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
