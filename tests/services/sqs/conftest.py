"""SQS tests share the session's kumo; each test uses its own uniquely named queues.

The ``sqs`` client speaks both of SQS's protocols: today's json protocol, and the query
protocol botocore spoke before 1.31.48 (form-encoded requests, XML answers). The query client
is an unmodified botocore client loading SQS's older query model (rebuilt from today's by
:func:`kumo.aws.protocols.query.query_model`) from its ``data_path``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import botocore.loaders
import botocore.session
import pytest
from botocore.config import Config
from botocore.model import ServiceModel

PROTOCOLS = ("json", "query")


@pytest.fixture(scope="session")
def query_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A botocore data directory holding SQS's query-protocol model."""
    from kumo.aws.protocols.query import query_model

    loader = botocore.loaders.create_loader()
    current = ServiceModel(loader.load_service_model("sqs", "service-2"), service_name="sqs")
    legacy = query_model(current)
    root = tmp_path_factory.mktemp("botocore-data")
    folder = root / "sqs" / current.api_version
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(legacy._service_description))
    return root


def _client(session: boto3.Session, kumo: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("endpoint_url", kumo.url)
    kwargs.setdefault("region_name", "us-east-1")
    kwargs.setdefault("aws_access_key_id", "test")
    kwargs.setdefault("aws_secret_access_key", "test")
    kwargs.setdefault("config", Config(retries={"max_attempts": 1, "mode": "standard"}))
    return session.client("sqs", **kwargs)


@pytest.fixture
def query_sqs_client(kumo: Any, query_model_path: Path) -> Callable[..., Any]:
    """A factory of boto3 SQS clients that speak the legacy query protocol."""

    def make(**kwargs: Any) -> Any:
        core = botocore.session.Session()
        core.set_config_variable("data_path", str(query_model_path))
        client = _client(boto3.Session(botocore_session=core), kumo, **kwargs)
        assert client.meta.service_model.protocol == "query"
        return client

    return make


@pytest.fixture(params=PROTOCOLS)
def protocol(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sqs_client(
    protocol: str, kumo: Any, query_sqs_client: Callable[..., Any]
) -> Callable[..., Any]:
    """A factory of SQS clients speaking this test's protocol (keyword arguments as
    ``boto3.client`` takes them)."""
    if protocol == "query":
        return query_sqs_client
    return lambda **kwargs: _client(boto3.Session(), kumo, **kwargs)


@pytest.fixture
def sqs(sqs_client: Callable[..., Any]) -> Any:
    return sqs_client()


@pytest.fixture
def new_queue(sqs: Any) -> Callable[..., str]:
    """Create a queue with a unique name; returns its URL."""

    def make(prefix: str = "q", **attributes: str) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        return str(sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])

    return make
