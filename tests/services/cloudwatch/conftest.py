"""CloudWatch tests share the session's kumo; each test uses its own namespace.

``cloudwatch_over("query")`` gives a boto3 client that speaks one of CloudWatch's three
protocols: botocore is pointed at a copy of its CloudWatch model listing only that one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config


@pytest.fixture
def cloudwatch(aws_client: Any) -> Any:
    return aws_client("cloudwatch")


@pytest.fixture
def namespace() -> str:
    return f"Kumo/Test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def cloudwatch_over(kumo: Any, tmp_path: Path) -> Callable[[str], Any]:
    def make(protocol: str) -> Any:
        loader_session = botocore.session.get_session()
        version = loader_session.get_service_model("cloudwatch").api_version
        model = loader_session.get_service_data("cloudwatch")
        model["metadata"]["protocol"] = protocol
        model["metadata"]["protocols"] = [protocol]
        folder = tmp_path / protocol / "cloudwatch" / version
        folder.mkdir(parents=True)
        (folder / "service-2.json").write_text(json.dumps(model))
        session = botocore.session.get_session()
        session.set_config_variable("data_path", str(tmp_path / protocol))
        return boto3.Session(botocore_session=session).client(
            "cloudwatch",
            endpoint_url=kumo.url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )

    return make
