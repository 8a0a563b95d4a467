"""Lambda tests share the session's kumo; each test makes its own uniquely named functions.

``make_zip`` builds real deployment packages with :mod:`zipfile`; ``role_arn`` is an IAM
role created in kumo for functions to run as; ``new_function`` creates a function.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

HANDLER = "def handler(event, context):\n    return {'echo': event}\n"

TRUST = json.dumps(
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


def make_zip(files: dict[str, str | bytes] | None = None) -> bytes:
    """A deployment package holding ``files`` (path -> content); one echo handler by default.

    Entries carry a fixed timestamp, so the same files always make the same bytes.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (files or {"app.py": HANDLER}).items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@pytest.fixture
def lam(aws_client: Any) -> Any:
    return aws_client("lambda")


@pytest.fixture
def role_arn(aws_client: Any) -> str:
    iam = aws_client("iam")
    name = f"fn-role-{uuid.uuid4().hex[:10]}"
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"])


@pytest.fixture
def new_function(lam: Any, role_arn: str) -> Callable[..., dict[str, Any]]:
    """Create a function with a unique name; returns CreateFunction's output."""

    def make(prefix: str = "fn", files: dict[str, str | bytes] | None = None, **kwargs: Any) -> Any:
        kwargs.setdefault("Runtime", "python3.12")
        kwargs.setdefault("Handler", "app.handler")
        kwargs.setdefault("Role", role_arn)
        kwargs.setdefault("Code", {"ZipFile": make_zip(files)})
        name = kwargs.pop("FunctionName", f"{prefix}-{uuid.uuid4().hex[:12]}")
        return lam.create_function(FunctionName=name, **kwargs)

    return make
