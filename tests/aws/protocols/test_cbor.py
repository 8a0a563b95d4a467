"""smithy-rpc-v2-cbor: CloudWatch through a real botocore client, and bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import cbor2
import pytest

from kumo.aws.errors import SerializationError, ServiceError, UnknownOperation
from kumo.aws.http import Body, Headers, HttpRequest
from kumo.aws.models import load_service
from kumo.aws.protocols import create_parser, create_serializer
from tests.aws.protocols.loopback import loopback_client

PATH = "/service/GraniteServiceVersion20100801/operation/"


def test_botocore_speaks_cbor_to_cloudwatch_and_reads_values_back() -> None:
    when = dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    seen: dict[str, Any] = {}

    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        seen[op.name] = params
        if op.name == "PutMetricData":
            return {}
        return {
            "MetricDataResults": [
                {"Id": "m1", "Timestamps": [when], "Values": [1.5, 2.0], "StatusCode": "Complete"}
            ]
        }

    client, loop = loopback_client("cloudwatch", handler, "smithy-rpc-v2-cbor")
    client.put_metric_data(
        Namespace="app",
        MetricData=[{"MetricName": "hits", "Value": 2.5, "Timestamp": when, "Unit": "Count"}],
    )
    assert loop.request is not None
    assert loop.request.headers["smithy-protocol"] == "rpc-v2-cbor"
    datum = seen["PutMetricData"]["MetricData"][0]
    assert datum == {"MetricName": "hits", "Value": 2.5, "Timestamp": when, "Unit": "Count"}
    assert datum["Timestamp"].tzinfo is dt.UTC

    response = client.get_metric_data(
        MetricDataQueries=[{"Id": "m1", "Expression": "SUM(x)"}], StartTime=when, EndTime=when
    )
    assert response["MetricDataResults"][0]["Timestamps"] == [when]
    assert response["MetricDataResults"][0]["Values"] == [1.5, 2.0]
    assert loop.response is not None
    assert loop.response.headers["smithy-protocol"] == "rpc-v2-cbor"
    assert loop.response.headers["Content-Type"] == "application/cbor"
    raw = cbor2.loads(loop.response.data())
    assert raw["MetricDataResults"][0]["Timestamps"] == [when]  # tag 1, decoded by cbor2


def test_errors_reach_boto3_as_their_exception_class_by_query_code() -> None:
    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        raise ServiceError("bad dashboard", code="DashboardInvalidInputError")

    client, loop = loopback_client("cloudwatch", handler, "smithy-rpc-v2-cbor")
    with pytest.raises(client.exceptions.DashboardInvalidInputError) as caught:
        client.put_dashboard(DashboardName="d", DashboardBody="{}")
    assert caught.value.response["Error"]["Code"] == "InvalidParameterInput"
    assert caught.value.response["Error"]["Message"] == "bad dashboard"
    assert loop.response is not None
    assert loop.response.headers["x-amzn-query-error"] == "InvalidParameterInput;Sender"
    assert cbor2.loads(loop.response.data())["__type"] == "DashboardInvalidInputError"


def _request(op: str, body: bytes) -> HttpRequest:
    headers = Headers([("smithy-protocol", "rpc-v2-cbor"), ("Content-Type", "application/cbor")])
    return HttpRequest(method="POST", path=PATH + op, headers=headers, body=Body(body))


def _parse(op: str, body: bytes) -> tuple[Any, dict[str, Any]]:
    return create_parser(load_service("cloudwatch"), "smithy-rpc-v2-cbor").parse(_request(op, body))


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xff",  # a break code where an item belongs
        b"\xa1\x61",  # cut short
        cbor2.dumps([1, 2]),
        cbor2.dumps({"Namespace": 5, "MetricData": []}),
        cbor2.dumps({"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": "x"}]}),
        cbor2.dumps({"Namespace": "n", "MetricData": [{"MetricName": "m", "Timestamp": "x"}]}),
    ],
)
def test_unreadable_bodies_are_serialization_exceptions(body: bytes) -> None:
    with pytest.raises(SerializationError) as caught:
        _parse("PutMetricData", body)
    assert caught.value.status == 400


def test_unknown_operations_are_unknown_operation_exceptions() -> None:
    for path_op in ("NoSuchOperation", ""):
        with pytest.raises(UnknownOperation) as caught:
            _parse(path_op, cbor2.dumps({}))
        assert caught.value.code == "UnknownOperationException"


def test_an_empty_body_reads_as_no_params() -> None:
    op, params = _parse("ListDashboards", b"")
    assert op.name == "ListDashboards" and params == {}


def test_epoch_numbers_read_as_timestamps_too() -> None:
    body = cbor2.dumps(
        {"Namespace": "n", "MetricData": [{"MetricName": "m", "Timestamp": 1577934245.5}]}
    )
    _, params = _parse("PutMetricData", body)
    expected = dt.datetime(2020, 1, 2, 3, 4, 5, 500000, tzinfo=dt.UTC)
    assert params["MetricData"][0]["Timestamp"] == expected


def test_outputs_without_members_are_still_maps() -> None:
    service = load_service("cloudwatch")
    op = service.operation_model("PutDashboard")
    resp = create_serializer(service, "smithy-rpc-v2-cbor").serialize_response(op, {}, "r")
    assert cbor2.loads(resp.data()) == {}
