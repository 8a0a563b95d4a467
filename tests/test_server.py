"""The HTTP front through a real socket: 100-continue, chunked bodies, admin endpoints."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import RunningKumo

TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
    '"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
)


def _connect(kumo: RunningKumo) -> socket.socket:
    url = urlsplit(kumo.url)
    sock = socket.create_connection((url.hostname, url.port), timeout=5)
    return sock


def _read_until(sock: socket.socket, marker: bytes) -> bytes:
    data = b""
    while marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_health_reports_version_and_services(kumo: RunningKumo) -> None:
    from kumo import __version__

    health = requests.get(f"{kumo.url}/_kumo/health", timeout=5).json()

    assert health["status"] == "running"
    assert health["version"] == __version__
    assert health["services"]["sts"] == "available"
    assert health["services"]["iam"] == "available"
    assert health["services"]["kinesis"] == "not implemented"


def test_expect_100_continue_is_answered_before_the_body(kumo: RunningKumo) -> None:
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    with _connect(kumo) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        interim = _read_until(sock, b"\r\n\r\n")
        assert interim.startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        response = _read_until(sock, b"</GetCallerIdentityResponse>")
    assert response.startswith(b"HTTP/1.1 200")
    assert b"<Account>000000000000</Account>" in response


def test_chunked_request_bodies_are_accepted(kumo: RunningKumo) -> None:
    def chunks() -> Any:
        yield b"Action=GetCallerIdentity"
        yield b"&Version=2011-06-15"

    response = requests.post(
        kumo.url,
        data=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=5,
    )
    assert response.status_code == 200
    assert "<Account>000000000000</Account>" in response.text


def test_unimplemented_operation_names_service_and_operation(aws_client: Any) -> None:
    kinesis = aws_client("kinesis")

    with pytest.raises(ClientError) as excinfo:
        kinesis.list_streams()

    err = excinfo.value.response["Error"]
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert err["Code"] == "NotImplemented"
    assert "ListStreams" in err["Message"]
    assert "kinesis" in err["Message"]


def test_unknown_admin_path_is_404(kumo: RunningKumo) -> None:
    response = requests.get(f"{kumo.url}/_kumo/nothing-here", timeout=5)
    assert response.status_code == 404


def test_reset_wipes_state(kumo: RunningKumo, aws_client: Any) -> None:
    iam = aws_client("iam")
    iam.create_role(RoleName="reset-me", AssumeRolePolicyDocument=TRUST)
    state = requests.get(f"{kumo.url}/_kumo/state", timeout=5).json()
    assert sum(state["tables"].values()) > 0

    requests.post(f"{kumo.url}/_kumo/state/reset", timeout=5).raise_for_status()

    with pytest.raises(ClientError) as excinfo:
        iam.get_role(RoleName="reset-me")
    assert excinfo.value.response["Error"]["Code"] == "NoSuchEntity"


def test_service_kumo_does_not_route_is_named(kumo: RunningKumo) -> None:
    import boto3
    from botocore.config import Config

    ec2 = boto3.client(
        "ec2",
        endpoint_url=kumo.url,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}),
    )

    with pytest.raises(ClientError) as excinfo:
        ec2.describe_instances()

    assert excinfo.value.response["Error"]["Code"] == "UnknownService"
    assert "ec2" in excinfo.value.response["Error"]["Message"]
