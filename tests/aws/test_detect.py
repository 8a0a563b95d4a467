"""Service detection on the single endpoint, from requests real boto3 clients send."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from kumo.aws.detect import ROUTED_SERVICES, detect_service
from kumo.aws.http import Body, Headers, HttpRequest
from kumo.aws.models import load_service
from tests.aws.protocols.test_roundtrip import make_input


class _Captured(Exception):
    pass


def capture(service: str, op_name: str, **client_kwargs: Any) -> HttpRequest:
    """The HttpRequest a boto3 client sends for ``op_name`` with generated valid input."""
    client = boto3.client(
        service,
        endpoint_url="http://localhost:4566",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, **client_kwargs),
    )
    seen: list[HttpRequest] = []

    def before_send(request: Any, **_: Any) -> AWSResponse:
        url = urlsplit(request.url)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, bytes):
            body = body.read()
        headers = Headers(
            [(k, v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()]
        )
        seen.append(
            HttpRequest(
                method=request.method,
                path=unquote(url.path),
                raw_path=url.path,
                query_string=url.query,
                headers=headers,
                body=Body(body),
            )
        )
        raise _Captured

    client.meta.events.register("before-send", before_send)
    op = load_service(service).operation_model(op_name)
    params = make_input(op)
    method_name = {v: k for k, v in client.meta.method_to_api_mapping.items()}[op_name]
    method = getattr(client, method_name)
    try:
        method(**params)
    except _Captured:
        pass
    except Exception:
        if not seen:
            raise
    assert seen, f"{service}.{op_name} sent nothing"
    return seen[0]


def _cases() -> list[Any]:
    cases = []
    for service in ROUTED_SERVICES:
        ops = load_service(service).operation_names
        for op in sorted(ops)[:: max(1, len(ops) // 6)]:
            cases.append(pytest.param(service, op, id=f"{service}-{op}"))
    return cases


@pytest.mark.parametrize(("service", "op_name"), _cases())
def test_boto3_requests_reach_their_service(service: str, op_name: str) -> None:
    request = capture(service, op_name)

    assert detect_service(request) == service


def test_sqs_legacy_query_form_is_sqs() -> None:
    request = HttpRequest(
        method="POST",
        path="/000000000000/jobs",
        headers=Headers([("Content-Type", "application/x-www-form-urlencoded")]),
        body=Body(b"Action=SendMessage&MessageBody=hi&Version=2012-11-05"),
    )
    assert detect_service(request) == "sqs"


def test_unsigned_query_action_finds_its_service() -> None:
    request = HttpRequest(method="GET", path="/", query_string="Action=GetCallerIdentity")
    assert detect_service(request) == "sts"


def test_anything_else_is_s3() -> None:
    assert detect_service(HttpRequest(method="GET", path="/my-bucket/some/key.txt")) == "s3"
