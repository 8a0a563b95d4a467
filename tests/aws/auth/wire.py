"""Requests exactly as botocore would put them on the wire, as kumo's ``HttpRequest``.

A client's ``before-send`` hook captures the prepared request and stops it there, so tests
get what the signer produced (URL, headers, body) without a network. ``to_http_request``
adds what urllib3 adds when sending (``Host``, ``Content-Length``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import unquote, urlsplit

import boto3
from botocore.awsrequest import AWSPreparedRequest, AWSRequest
from botocore.config import Config

from kumo.aws.http import Body, Headers, HttpRequest

ACCESS_KEY = "AKIDEXAMPLE0000KUMO"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
ENDPOINT = "http://localhost:4566"


class Captured(Exception):
    """Raised from ``before-send`` to stop a request once it is signed."""

    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__("captured")
        self.request = request


def client(
    service: str,
    *,
    endpoint: str = ENDPOINT,
    region: str = "us-east-1",
    token: str | None = None,
    **config: Any,
) -> Any:
    """A client with kumo's test credentials, made once per distinct set of arguments."""
    key = (service, endpoint, region, token, repr(sorted(config.items())))
    if key not in _CLIENTS:
        _CLIENTS[key] = _new_client(service, endpoint, region, token, config)
    return _CLIENTS[key]


_CLIENTS: dict[tuple[str | None, ...], Any] = {}


def _new_client(
    service: str, endpoint: str, region: str, token: str | None, config: dict[str, Any]
) -> Any:
    session = boto3.Session(
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=token,
        region_name=region,
    )
    return session.client(
        service,
        endpoint_url=endpoint,
        config=Config(retries={"max_attempts": 0}, **config),
    )


def capture(aws_client: Any, operation: str, **params: Any) -> HttpRequest:
    """Call ``operation`` and return the request it would have sent."""

    def stop(request: AWSPreparedRequest, **_: Any) -> None:
        raise Captured(request)

    aws_client.meta.events.register_first("before-send", stop)
    try:
        getattr(aws_client, operation)(**params)
    except Captured as captured:
        return to_http_request(captured.request)
    finally:
        aws_client.meta.events.unregister("before-send", stop)
    raise AssertionError("the request was not sent")


def to_http_request(request: AWSPreparedRequest | AWSRequest) -> HttpRequest:
    # Preparing keeps one value per header name; the unprepared request keeps them all.
    header_items = list(request.headers.items())
    if isinstance(request, AWSRequest):
        request = request.prepare()
    split = urlsplit(request.url)
    body = _read(request.body)
    pairs = [(_text(k), _text(v)) for k, v in header_items]
    names = {k.lower() for k, _ in pairs}
    if "host" not in names:
        pairs.append(("Host", split.netloc))
    if "content-length" not in names and "transfer-encoding" not in names and body:
        pairs.append(("Content-Length", str(len(body))))
    return HttpRequest(
        method=request.method,
        path=unquote(split.path) or "/",
        raw_path=split.path or "/",
        query_string=split.query,
        headers=Headers(pairs),
        body=Body(body),
        scheme=split.scheme,
    )


def presigned_request(
    url: str, method: str = "GET", body: bytes = b"", headers: dict[str, str] | None = None
) -> HttpRequest:
    """What an HTTP client sends for a presigned URL."""
    split = urlsplit(url)
    pairs = [("Host", split.netloc), *(headers or {}).items()]
    if body:
        pairs.append(("Content-Length", str(len(body))))
    return HttpRequest(
        method=method,
        path=unquote(split.path) or "/",
        raw_path=split.path or "/",
        query_string=split.query,
        headers=Headers(pairs),
        body=Body(body),
    )


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _read(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    data = body.read()
    return data if isinstance(data, bytes) else data.encode("utf-8")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
