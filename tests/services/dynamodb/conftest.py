"""DynamoDB tests share the session's kumo; each test uses its own uniquely named tables."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from tests.conftest import RunningKumo


@pytest.fixture
def ddb(aws_client: Any) -> Any:
    return aws_client("dynamodb")


@pytest.fixture
def resource(kumo: RunningKumo) -> Any:
    return boto3.resource(
        "dynamodb",
        endpoint_url=kumo.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture
def new_table(ddb: Any) -> Callable[..., str]:
    """Create a table with a unique name: ``new_table(hash=("pk", "S"), range=("sk", "S"))``."""

    def make(
        hash: tuple[str, str] = ("pk", "S"),
        range: tuple[str, str] | None = None,
        prefix: str = "t",
        extra_attributes: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        attrs = [hash, *([range] if range else []), *(extra_attributes or [])]
        schema = [{"AttributeName": hash[0], "KeyType": "HASH"}]
        if range:
            schema.append({"AttributeName": range[0], "KeyType": "RANGE"})
        kwargs.setdefault("BillingMode", "PAY_PER_REQUEST")
        ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in attrs],
            KeySchema=schema,
            **kwargs,
        )
        return name

    return make
