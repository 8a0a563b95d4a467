"""Every operation of every service kumo speaks survives a round trip through the wire.

Inputs: botocore's client serializer writes the request, kumo's parser reads it back to
the same parameters. Outputs and modeled errors: kumo's serializer writes the response,
botocore's client parser reads it back to the same values.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import unquote, urlsplit

import botocore.handlers
import botocore.parsers
import botocore.serialize
import pytest
from botocore.awsrequest import HeadersDict, create_request_object, prepare_request_dict
from botocore.eventstream import EventStream
from botocore.model import OperationModel, ServiceModel
from botocore.response import StreamingBody

from kumo.aws.errors import ServiceError
from kumo.aws.http import Body, Headers, HttpRequest, HttpResponse
from kumo.aws.models import load_service
from kumo.aws.protocols import create_parser, create_serializer, service_protocols
from kumo.aws.protocols.query import query_model
from tests.aws.protocols.shapegen import ShapeGenerator

SERVICES = [
    "s3", "dynamodb", "dynamodbstreams", "sqs", "sns", "lambda", "kms", "logs",
    "stepfunctions", "events", "kinesis", "cloudformation", "cloudwatch", "sts", "iam",
    "apigateway", "apigatewayv2", "apigatewaymanagementapi",
]  # fmt: skip

ENDPOINT = "http://localhost:4566"


def _protocols(service: ServiceModel) -> list[str]:
    protocols = service_protocols(service)
    if service.service_name == "sqs" and "query" not in protocols:
        protocols.append("query")
    return protocols


def _cases() -> list[Any]:
    cases = []
    for name in SERVICES:
        service = load_service(name)
        for protocol in _protocols(service):
            for op in service.operation_names:
                cases.append(pytest.param(name, protocol, op, id=f"{name}-{protocol}-{op}"))
    return cases


CASES = _cases()


def _uri_members(op: OperationModel) -> dict[str, bool]:
    """uri-bound member names of the input, mapped to whether their label is greedy."""
    uri = op.http.get("requestUri", "")
    out = {}
    if op.input_shape is None:
        return out
    for name, member in op.input_shape.members.items():
        if member.serialization.get("location") == "uri":
            label = member.serialization.get("name", name)
            out[name] = "{" + label + "+}" in uri
    return out


def make_input(op: OperationModel, seed: int = 1) -> dict[str, Any]:
    if op.input_shape is None:
        return {}
    params = ShapeGenerator(seed).structure(op.input_shape, 0)
    for name, greedy in _uri_members(op).items():
        if (
            op.input_shape.members[name].type_name == "string"
            and not op.input_shape.members[name].enum
        ):
            value = "dir/sub dir/file+1~.txt" if greedy else "name-1.x"
            # Padded to the member's minimum length (Lambda's UUID labels are 36 long).
            minimum = int(op.input_shape.members[name].metadata.get("min", 0))
            params[name] = value.ljust(minimum, "x")
    return params


def client_model(service: ServiceModel, protocol: str) -> ServiceModel:
    """The model a client speaking ``protocol`` to ``service`` carries.

    Clients that speak query to SQS carry its older query model (result wrappers, element
    names, error codes), not today's json model.
    """
    return query_model(service) if protocol == "query" else service


def to_kumo_request(request_dict: dict[str, Any], op: OperationModel) -> HttpRequest:
    prepare_request_dict(request_dict, endpoint_url=ENDPOINT)
    prepared = create_request_object(request_dict).prepare()
    url = urlsplit(prepared.url)
    body = prepared.body
    if body is None:
        data = b""
    elif isinstance(body, str):
        data = body.encode()
    elif isinstance(body, bytes | bytearray):
        data = bytes(body)
    else:
        data = body.read()
    headers = Headers(
        [(k, v if isinstance(v, str) else v.decode()) for k, v in prepared.headers.items()]
    )
    return HttpRequest(
        method=prepared.method,
        path=unquote(url.path),
        raw_path=url.path,
        query_string=url.query,
        headers=headers,
        body=Body(data),
    )


def normalize(value: Any) -> Any:
    if isinstance(value, dict):
        # botocore opens an event stream on the response whether or not it carries events.
        return {
            k: normalize(v)
            for k, v in value.items()
            if k != "ResponseMetadata" and not isinstance(v, EventStream)
        }
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    if isinstance(value, bytearray):
        return bytes(value)
    if hasattr(value, "read"):
        return value.read()
    return value


def to_botocore_response(resp: HttpResponse, op: OperationModel) -> dict[str, Any]:
    data = resp.data()
    headers = HeadersDict()
    for key, value in resp.headers.raw_items():
        headers[key] = value
    body: Any = data
    # As botocore's endpoint does: an error body is read whole even for streaming outputs.
    if op.has_event_stream_output and resp.status < 300:
        body = _RawStream(data)
    elif op.has_streaming_output and resp.status < 300:
        body = StreamingBody(io.BytesIO(data), len(data))
    return {
        "status_code": resp.status,
        "headers": headers,
        "body": body,
        "context": {"operation_name": op.name},
    }


def client_parse(protocol: str, op: OperationModel, resp: HttpResponse) -> dict[str, Any]:
    response_dict = to_botocore_response(resp, op)
    parser = botocore.parsers.create_parser(protocol)
    parsed = parser.parse(response_dict, op.output_shape)
    if op.service_model.service_name == "s3" and op.name == "GetBucketLocation":
        botocore.handlers.parse_get_bucket_location(parsed, _RawResponse(response_dict))
    return parsed


class _RawStream:
    """What botocore's endpoint hands the parser for an event stream: the raw response."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self) -> Any:
        yield self._data

    def close(self) -> None:
        pass


class _RawResponse:
    def __init__(self, response_dict: dict[str, Any]) -> None:
        self.content = response_dict["body"]
        self.raw = response_dict["body"]
        self.status_code = response_dict["status_code"]


@pytest.mark.parametrize(("service_name", "protocol", "op_name"), CASES)
def test_input_round_trip(service_name: str, protocol: str, op_name: str) -> None:
    service = load_service(service_name)
    op = service.operation_model(op_name)
    params = make_input(op)
    serializer = botocore.serialize.create_serializer(protocol, include_validation=True)
    request_dict = serializer.serialize_to_request(params, op)
    request = to_kumo_request(request_dict, op)

    parsed_op, parsed = create_parser(service, protocol).parse(request)

    twin = _current_twin(op) if protocol.startswith("rest-") else None
    if twin is not None:
        # Nothing on the wire tells a deprecated operation from a current one bound to the
        # same method and URI (S3's PutBucketLifecycle); it reads as the current one.
        assert parsed_op.name == twin.name
        return
    assert parsed_op.name == op.name
    assert normalize(parsed) == normalize(params)


@pytest.mark.parametrize(("service_name", "protocol", "op_name"), CASES)
def test_output_round_trip(service_name: str, protocol: str, op_name: str) -> None:
    service = load_service(service_name)
    op = service.operation_model(op_name)
    output = ShapeGenerator(2).structure(op.output_shape, 0) if op.output_shape else {}

    resp = create_serializer(service, protocol).serialize_response(op, output, "req-1")

    assert resp.status < 300
    client_op = client_model(service, protocol).operation_model(op_name)
    assert normalize(client_parse(protocol, client_op, resp)) == normalize(output)


@pytest.mark.parametrize(("service_name", "protocol", "op_name"), CASES)
def test_error_round_trip(service_name: str, protocol: str, op_name: str) -> None:
    service = load_service(service_name)
    op = service.operation_model(op_name)
    serializer = create_serializer(service, protocol)
    client = client_model(service, protocol)
    client_op = client.operation_model(op_name)
    for error_shape in op.error_shapes:
        fields = ShapeGenerator(3).structure(error_shape, 0)
        message_keys = [k for k in fields if k.lower() == "message"]
        for key in message_keys:
            del fields[key]
        status = error_shape.metadata.get("error", {}).get("httpStatusCode", 400)
        err = ServiceError("it went wrong", code=error_shape.name, status=status, **fields)

        resp = serializer.serialize_error(err, op, "req-1")

        assert resp.status == status
        response_dict = to_botocore_response(resp, client_op)
        parser = botocore.parsers.create_parser(protocol)
        parsed = parser.parse(response_dict, client_op.output_shape)
        if op.http.get("method") == "HEAD":
            # A HEAD response has no body: the client reads the error from the status.
            assert resp.data() == b""
            assert parsed["Error"]["Code"] == str(status)
            continue
        # As botocore's client does: the shape name in QueryErrorCode picks the exception
        # for SQS only (its after-call handler); other query-compatible services (CloudWatch)
        # are looked up by the query code in Code.
        query_error_code = parsed["Error"].get("QueryErrorCode") if service_name == "sqs" else None
        code = query_error_code or parsed["Error"]["Code"]
        modeled = client.shape_for_error_code(code)
        assert modeled is not None, f"{code} names no error shape"
        # Shapes sharing one wire code (CloudWatch's DashboardNotFoundError and
        # ResourceNotFound in query) are one error to the client.
        assert modeled.name == error_shape.name or code == _query_code(
            client.shape_for(error_shape.name)
        )
        assert parsed["Error"]["Message"] == "it went wrong"
        extra = normalize(parser.parse(to_botocore_response(resp, client_op), modeled))
        for key, value in normalize(fields).items():
            assert extra.get(key) == value, key


def _current_twin(op: OperationModel) -> OperationModel | None:
    """The current operation bound to the same method and URI as deprecated ``op``."""
    if not op.deprecated:
        return None
    service = op.service_model
    for name in service.operation_names:
        other = service.operation_model(name)
        if not other.deprecated and other.http == op.http:
            return other
    return None


def _query_code(shape: Any) -> str | None:
    return shape.metadata.get("error", {}).get("code")


@pytest.mark.parametrize(
    "protocol", ["json", "rest-json", "rest-xml", "query", "smithy-rpc-v2-cbor"]
)
def test_generic_error_reads_as_code_and_message(protocol: str) -> None:
    """An error that is not modeled still reaches the client with its code and message."""
    name = {
        "json": "dynamodb", "rest-json": "lambda", "rest-xml": "s3", "query": "sts",
        "smithy-rpc-v2-cbor": "cloudwatch",
    }[protocol]  # fmt: skip
    service = load_service(name)
    op = service.operation_model(service.operation_names[0])
    err = ServiceError("kumo cannot do that", code="NotImplemented", status=501)

    resp = create_serializer(service, protocol).serialize_error(err, op, "req-9")

    response_dict = to_botocore_response(resp, op)
    parsed = botocore.parsers.create_parser(protocol).parse(response_dict, op.output_shape)
    assert resp.status == 501
    assert parsed["Error"]["Code"] == "NotImplemented"
    assert parsed["Error"]["Message"] == "kumo cannot do that"
