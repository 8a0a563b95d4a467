"""Real botocore clients wired straight to kumo's parsers and serializers.

A client's request is handed to kumo's parser in place of the network; ``handler`` plays
the provider; kumo's serializer writes the response that the client then reads. The
whole client pipeline runs: its serializer, its handlers, its exception classes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

import boto3
import botocore.session
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config
from botocore.model import OperationModel

from kumo.aws.errors import ServiceError
from kumo.aws.http import Body, Headers, HttpRequest, HttpResponse
from kumo.aws.models import load_service
from kumo.aws.protocols import create_parser, create_serializer, detect_protocol

Handler = Callable[[OperationModel, dict[str, Any]], Mapping[str, Any]]


class _Raw:
    """The raw HTTP body botocore reads from: ``stream()`` for whole reads, ``read()`` too."""

    def __init__(self, data: bytes) -> None:
        self._file = io.BytesIO(data)

    def stream(self, amt: int | None = None, decode_content: bool = True) -> Iterator[bytes]:
        while chunk := self._file.read(amt or 65536):
            yield chunk

    def read(self, amt: int | None = None) -> bytes:
        return self._file.read(amt)

    def close(self) -> None:
        pass


def to_kumo(request: AWSPreparedRequest) -> HttpRequest:
    url = urlsplit(request.url)
    body = request.body
    if body is None:
        data = b""
    elif isinstance(body, str):
        data = body.encode()
    elif isinstance(body, bytes | bytearray):
        data = bytes(body)
    else:
        data = body.read()
    headers = Headers(
        [(k, v if isinstance(v, str) else v.decode()) for k, v in request.headers.items()]
    )
    return HttpRequest(
        method=request.method,
        path=unquote(url.path),
        raw_path=url.path,
        query_string=url.query,
        headers=headers,
        body=Body(data),
    )


class Loopback:
    """The last request and response that went through, for tests that look at the wire."""

    def __init__(self, service_name: str, handler: Handler) -> None:
        self.service = load_service(service_name)
        self.handler = handler
        self.request: HttpRequest | None = None
        self.response: HttpResponse | None = None
        self.params: dict[str, Any] | None = None

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        kumo_request = self.request = to_kumo(request)
        protocol = detect_protocol(self.service, kumo_request)
        serializer = create_serializer(self.service, protocol)
        op = None
        try:
            op, self.params = create_parser(self.service, protocol).parse(kumo_request)
            output = self.handler(op, self.params)
            response = serializer.serialize_response(op, output, "req-1")
        except ServiceError as exc:
            response = serializer.serialize_error(exc, op, "req-1")
        self.response = response
        return AWSResponse(
            request.url, response.status, dict(response.headers.raw_items()), _Raw(response.data())
        )


def loopback_client(
    service_name: str, handler: Handler, protocol: str | None = None
) -> tuple[Any, Loopback]:
    """A boto3 client for ``service_name`` whose requests ``handler`` answers through kumo.

    ``protocol`` makes the client speak that one of the service's protocols rather than
    the one botocore prefers.
    """
    session = botocore.session.get_session()
    if protocol is not None:
        # The session's loader caches the model it hands the client; this session only.
        data = session.get_component("data_loader").load_service_model(service_name, "service-2")
        data["metadata"]["protocols"] = [protocol]
    client = boto3.Session(botocore_session=session).client(
        service_name,
        endpoint_url="http://localhost:4566",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    loop = Loopback(service_name, handler)
    client.meta.events.register("before-send", loop)
    return client, loop
