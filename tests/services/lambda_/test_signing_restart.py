"""Code signing, runtime management and resource policies live in the store: a restarted
kumo answers them as before."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.kumo_process import client, free_port, start_kumo
from tests.services.lambda_.conftest import HANDLER, TRUST

pytestmark = pytest.mark.slow

PROFILE = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/MyProfile/abcdef1234"
RUNTIME_VERSION = "arn:aws:lambda:us-east-1::runtime:" + "ab" * 32


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    return buffer.getvalue()


def test_settings_survive_a_restart(tmp_path: Path) -> None:
    port = free_port()
    proc = start_kumo(tmp_path, port)
    try:
        role = client("iam", port).create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
        lam = client("lambda", port)
        csc = lam.create_code_signing_config(
            AllowedPublishers={"SigningProfileVersionArns": [PROFILE]}
        )["CodeSigningConfig"]
        fn = lam.create_function(
            FunctionName="signed",
            Runtime="python3.12",
            Handler="app.handler",
            Role=role["Role"]["Arn"],
            Code={"ZipFile": _zip()},
            CodeSigningConfigArn=csc["CodeSigningConfigArn"],
        )
        lam.put_runtime_management_config(
            FunctionName="signed", UpdateRuntimeOn="Manual", RuntimeVersionArn=RUNTIME_VERSION
        )
        policy = lam.put_resource_policy(
            ResourceArn=fn["FunctionArn"],
            Policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "s3",
                            "Effect": "Allow",
                            "Principal": {"Service": "s3.amazonaws.com"},
                            "Action": "lambda:InvokeFunction",
                            "Resource": fn["FunctionArn"],
                        }
                    ],
                }
            ),
        )
    finally:
        proc.terminate()
        proc.wait(timeout=15)

    proc = start_kumo(tmp_path, port)
    try:
        lam = client("lambda", port)
        got = lam.get_code_signing_config(CodeSigningConfigArn=csc["CodeSigningConfigArn"])
        assert got["CodeSigningConfig"] == csc
        linked = lam.get_function_code_signing_config(FunctionName="signed")
        assert linked["CodeSigningConfigArn"] == csc["CodeSigningConfigArn"]
        runtime = lam.get_runtime_management_config(FunctionName="signed")
        assert runtime["RuntimeVersionArn"] == RUNTIME_VERSION
        stored = lam.get_resource_policy(ResourceArn=fn["FunctionArn"])
        assert stored["RevisionId"] == policy["RevisionId"]
    finally:
        proc.terminate()
        proc.wait(timeout=15)
