"""rest-json: Lambda and API Gateway through real botocore clients, and bad input."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kumo.aws.errors import SerializationError, ServiceError, UnknownOperation
from kumo.aws.http import Body, Headers, HttpRequest
from kumo.aws.models import load_service
from kumo.aws.protocols import create_parser, create_serializer
from tests.aws.protocols.loopback import loopback_client


def test_invoke_carries_raw_payloads_both_ways() -> None:
    seen: dict[str, Any] = {}

    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        seen.update(params)
        return {"StatusCode": 200, "Payload": b'{"ok": true}', "ExecutedVersion": "$LATEST"}

    client, loop = loopback_client("lambda", handler)
    arn = "arn:aws:lambda:us-east-1:123456789012:function:my-fn"
    response = client.invoke(FunctionName=arn, Qualifier="live", Payload=b'{"in": 1}')
    assert seen == {
        "FunctionName": arn,
        "Qualifier": "live",
        "Payload": b'{"in": 1}',
    }
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert response["Payload"].read() == b'{"ok": true}'
    assert loop.response is not None and loop.response.headers["x-amzn-RequestId"] == "req-1"


def test_status_code_members_set_the_http_status() -> None:
    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        return {"StatusCode": 202}

    client, loop = loopback_client("lambda", handler)
    response = client.invoke(FunctionName="f", InvocationType="Event")
    assert response["StatusCode"] == 202
    assert loop.response is not None and loop.response.status == 202


def test_response_streams_reach_boto3_as_events() -> None:
    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        events = [
            {"PayloadChunk": {"Payload": b"hello "}},
            {"PayloadChunk": {"Payload": b"world"}},
            {"InvokeComplete": {"LogResult": "bG9n"}},
        ]
        return {"StatusCode": 200, "EventStream": iter(events)}

    client, _ = loopback_client("lambda", handler)
    response = client.invoke_with_response_stream(FunctionName="f")
    events = list(response["EventStream"])
    chunks = b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e)
    assert chunks == b"hello world"
    assert events[-1] == {"InvokeComplete": {"LogResult": "bG9n"}}
    assert response["ResponseStreamContentType"] == "application/vnd.amazon.eventstream"


def test_query_lists_and_integers_read_from_the_query_string() -> None:
    seen: dict[str, Any] = {}

    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        seen.update(params)
        return {"Functions": []}

    client, _ = loopback_client("lambda", handler)
    client.list_functions(MaxItems=5, Marker="a b+c", FunctionVersion="ALL")
    assert seen == {"MaxItems": 5, "Marker": "a b+c", "FunctionVersion": "ALL"}


def test_modeled_errors_carry_header_bound_members() -> None:
    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        raise ServiceError(
            "Rate exceeded",
            code="TooManyRequestsException",
            status=429,
            retryAfterSeconds="7",
            Type="User",
            Reason="CallerRateLimitExceeded",
        )

    client, loop = loopback_client("lambda", handler)
    with pytest.raises(client.exceptions.TooManyRequestsException) as caught:
        client.get_function(FunctionName="f")
    response = caught.value.response
    assert response["Error"]["Code"] == "TooManyRequestsException"
    assert response["Error"]["Message"] == "Rate exceeded"
    assert response["retryAfterSeconds"] == "7"
    assert response["Reason"] == "CallerRateLimitExceeded"
    assert loop.response is not None
    assert loop.response.headers["Retry-After"] == "7"
    assert loop.response.headers["X-Amzn-ErrorType"] == "TooManyRequestsException"


def test_apigateway_import_reads_the_parameters_map_without_its_literal() -> None:
    seen: dict[str, Any] = {}

    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        seen.update(params, operation=op.name)
        return {"id": "abc", "createdDate": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}

    client, _ = loopback_client("apigateway", handler)
    response = client.import_rest_api(
        body=b'{"openapi": "3.0.1"}', parameters={"endpointConfigurationTypes": "REGIONAL"}
    )
    assert seen == {
        "operation": "ImportRestApi",
        "body": b'{"openapi": "3.0.1"}',
        "parameters": {"endpointConfigurationTypes": "REGIONAL"},
    }
    assert response["createdDate"] == dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def test_apigatewayv2_uses_wire_names_and_iso_timestamps() -> None:
    created = dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)

    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        assert params == {"Name": "api", "ProtocolType": "HTTP"}
        return {"ApiId": "a1", "Name": "api", "CreatedDate": created}

    client, loop = loopback_client("apigatewayv2", handler)
    response = client.create_api(Name="api", ProtocolType="HTTP")
    assert response["ApiId"] == "a1" and response["CreatedDate"] == created
    assert loop.response is not None
    body = json.loads(loop.response.data())
    assert body == {"apiId": "a1", "name": "api", "createdDate": "2020-01-02T03:04:05Z"}


def test_post_to_connection_passes_the_data_through() -> None:
    seen: dict[str, Any] = {}

    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        seen.update(params)
        return {}

    client, _ = loopback_client("apigatewaymanagementapi", handler)
    client.post_to_connection(ConnectionId="c1=", Data=b"\x00\x01")
    assert seen == {"ConnectionId": "c1=", "Data": b"\x00\x01"}


def _lambda_request(method: str, path: str, body: bytes) -> HttpRequest:
    return HttpRequest(
        method=method,
        path=path,
        headers=Headers([("Content-Type", "application/json")]),
        body=Body(body),
    )


@pytest.mark.parametrize("body", [b"{oops", b"[]", b'{"FunctionName": 3}', b'{"Timeout": "x"}'])
def test_bad_bodies_are_serialization_exceptions(body: bytes) -> None:
    parser = create_parser(load_service("lambda"), "rest-json")
    with pytest.raises(SerializationError) as caught:
        parser.parse(_lambda_request("POST", "/2015-03-31/functions", body))
    assert caught.value.status == 400


def test_an_unknown_path_is_an_unknown_operation() -> None:
    parser = create_parser(load_service("lambda"), "rest-json")
    with pytest.raises(UnknownOperation) as caught:
        parser.parse(_lambda_request("GET", "/nowhere", b""))
    assert caught.value.status == 404


def test_unmodeled_errors_read_as_code_and_message() -> None:
    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        raise ServiceError("slow down", code="Throttled", status=429)

    client, _ = loopback_client("apigateway", handler)
    with pytest.raises(ClientError) as caught:
        client.get_rest_apis()
    assert caught.value.response["Error"] == {"Code": "Throttled", "Message": "slow down"}


def test_empty_outputs_have_empty_bodies() -> None:
    service = load_service("lambda")
    op = service.operation_model("DeleteAlias")
    resp = create_serializer(service, "rest-json").serialize_response(op, {}, "r")
    assert resp.status == 204 and resp.data() == b""
