"""The AWS CLI (the awscli package) works against kumo unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable
from subprocess import CompletedProcess

AwsCli = Callable[..., CompletedProcess[str]]


def test_sts_get_caller_identity(aws_cli: AwsCli) -> None:
    out = json.loads(aws_cli("sts", "get-caller-identity", "--output", "json").stdout)

    assert out["Account"] == "000000000000"
    assert out["Arn"] == "arn:aws:iam::000000000000:root"


def test_iam_create_and_get_role(aws_cli: AwsCli) -> None:
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    created = json.loads(
        aws_cli(
            "iam", "create-role", "--role-name", "cli-role",
            "--assume-role-policy-document", policy, "--output", "json",
        ).stdout
    )  # fmt: skip
    assert created["Role"]["Arn"] == "arn:aws:iam::000000000000:role/cli-role"

    fetched = json.loads(
        aws_cli("iam", "get-role", "--role-name", "cli-role", "--output", "json").stdout
    )
    assert fetched["Role"]["RoleId"] == created["Role"]["RoleId"]
    assert fetched["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"

    missing = aws_cli("iam", "get-role", "--role-name", "no-such-role", check=False)
    assert missing.returncode != 0
    assert "NoSuchEntity" in missing.stderr
