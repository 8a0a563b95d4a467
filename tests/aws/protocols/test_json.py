"""awsJson: the tricky cases, driven through real botocore clients where it matters."""

from __future__ import annotations

import datetime as dt
import json
import zlib
from typing import Any

import botocore.parsers
import pytest
from botocore.exceptions import ClientError, EventStreamError

from kumo.aws.errors import InternalFailure, SerializationError, ServiceError, UnknownOperation
from kumo.aws.http import Body, Headers, HttpRequest
from kumo.aws.models import load_service
from kumo.aws.protocols import create_parser, create_serializer
from tests.aws.protocols.loopback import loopback_client


def _request(target: str | None, body: bytes, version: str = "1.0") -> HttpRequest:
    headers = Headers([("Content-Type", f"application/x-amz-json-{version}")])
    if target is not None:
        headers.add("X-Amz-Target", target)
    return HttpRequest(method="POST", path="/", headers=headers, body=Body(body))


def _parse(service: str, target: str | None, body: bytes) -> tuple[Any, dict[str, Any]]:
    return create_parser(load_service(service), "json").parse(_request(target, body))


@pytest.mark.parametrize(
    "body", [b"{not json", b'{"TableName": "t"', b"\xff\xfe\x00", b"[1, 2]", b'"text"']
)
def test_unreadable_body_is_a_serialization_exception(body: bytes) -> None:
    with pytest.raises(SerializationError) as caught:
        _parse("dynamodb", "DynamoDB_20120810.DescribeTable", body)
    assert caught.value.status == 400
    assert caught.value.code == "SerializationException"


def test_unknown_or_missing_target_is_an_unknown_operation() -> None:
    for target in ("DynamoDB_20120810.NoSuchThing", "Other_20120810.DescribeTable", None):
        with pytest.raises(UnknownOperation) as caught:
            _parse("dynamodb", target, b"{}")
        assert caught.value.code == "UnknownOperationException"
        assert caught.value.status == 400


@pytest.mark.parametrize(
    ("body", "member"),
    [
        ({"TableName": 5}, "TableName"),
        ({"TableName": "t", "Limit": "5"}, "Limit"),
        ({"TableName": "t", "Limit": True}, "Limit"),
        ({"TableName": "t", "ExclusiveStartKey": []}, "ExclusiveStartKey"),
        ({"TableName": "t", "AttributesToGet": "a"}, "AttributesToGet"),
    ],
)
def test_wrong_types_are_serialization_exceptions(body: dict[str, Any], member: str) -> None:
    with pytest.raises(SerializationError):
        _parse("dynamodb", "DynamoDB_20120810.Scan", json.dumps(body).encode())


def test_bad_base64_blob_is_a_serialization_exception() -> None:
    body = json.dumps({"StreamName": "s", "PartitionKey": "k", "Data": "***"}).encode()
    with pytest.raises(SerializationError):
        _parse("kinesis", "Kinesis_20131202.PutRecord", body)


def test_values_come_out_as_botocore_passes_them() -> None:
    body = json.dumps(
        {
            "StreamName": "s",
            "ShardId": "shard-1",
            "ShardIteratorType": "AT_TIMESTAMP",
            "Timestamp": 1500000000.25,
        }
    ).encode()
    _, params = _parse("kinesis", "Kinesis_20131202.GetShardIterator", body)
    assert params["Timestamp"] == dt.datetime(2017, 7, 14, 2, 40, 0, 250000, tzinfo=dt.UTC)
    assert params["Timestamp"].tzinfo is dt.UTC
    # Whole numbers sent for a float member still read as floats; nulls are absent.
    body = json.dumps({"MetricData": [{"MetricName": "m", "Value": 3, "Unit": None}]})
    _, params = _parse("cloudwatch", "GraniteServiceVersion20100801.PutMetricData", body.encode())
    datum = params["MetricData"][0]
    assert datum == {"MetricName": "m", "Value": 3.0} and isinstance(datum["Value"], float)


def test_iso_timestamps_are_accepted_too() -> None:
    body = json.dumps(
        {"StreamName": "s", "ShardId": "x", "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": ""}
    )
    for text in ("2017-07-14T02:40:00Z", "2017-07-14T04:40:00+02:00"):
        _, params = _parse(
            "kinesis", "Kinesis_20131202.GetShardIterator", body.replace('""', f'"{text}"').encode()
        )
        assert params["Timestamp"] == dt.datetime(2017, 7, 14, 2, 40, tzinfo=dt.UTC)


def test_dynamodb_responses_carry_a_matching_crc32() -> None:
    service = load_service("dynamodb")
    op = service.operation_model("ListTables")
    resp = create_serializer(service, "json").serialize_response(op, {"TableNames": ["a"]}, "r")
    assert resp.headers["x-amz-crc32"] == str(zlib.crc32(resp.data()))
    assert resp.headers["x-amzn-RequestId"] == "r"
    assert resp.headers["Content-Type"] == "application/x-amz-json-1.0"


def test_a_modeled_error_reaches_boto3_as_its_exception_class() -> None:
    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        raise ServiceError("Requested resource not found", code="ResourceNotFoundException")

    client, loop = loopback_client("dynamodb", handler)
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.describe_table(TableName="missing")
    assert caught.value.response["Error"]["Message"] == "Requested resource not found"
    assert loop.response is not None and loop.response.status == 400


def test_transaction_cancellation_reasons_are_carried() -> None:
    reasons = [{"Code": "ConditionalCheckFailed", "Message": "no"}, {"Code": "None"}]

    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        raise ServiceError(
            "Transaction cancelled",
            code="TransactionCanceledException",
            CancellationReasons=reasons,
        )

    client, _ = loopback_client("dynamodb", handler)
    with pytest.raises(client.exceptions.TransactionCanceledException) as caught:
        client.transact_write_items(
            TransactItems=[{"Delete": {"TableName": "t", "Key": {"k": {"S": "v"}}}}]
        )
    assert caught.value.response["CancellationReasons"] == reasons


def test_sqs_errors_carry_the_query_code_boto3_users_compare() -> None:
    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        raise ServiceError("The specified queue does not exist.", code="QueueDoesNotExist")

    client, loop = loopback_client("sqs", handler)
    with pytest.raises(client.exceptions.QueueDoesNotExist) as caught:
        client.get_queue_url(QueueName="nope")
    error = caught.value.response["Error"]
    # Code written for the query protocol still compares this one.
    assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert error["Type"] == "Sender"
    assert loop.response is not None
    assert loop.response.headers["x-amzn-query-error"] == (
        "AWS.SimpleQueueService.NonExistentQueue;Sender"
    )


def test_an_error_raised_by_code_name_is_found_by_its_query_code_too() -> None:
    service = load_service("sqs")
    err = ServiceError("gone", code="AWS.SimpleQueueService.NonExistentQueue")
    resp = create_serializer(service, "json").serialize_error(err, None, "r")
    assert json.loads(resp.data())["__type"] == "QueueDoesNotExist"


def test_server_faults_are_receiver_faults_in_the_query_header() -> None:
    service = load_service("sqs")
    resp = create_serializer(service, "json").serialize_error(InternalFailure("boom"), None, "r")
    assert resp.status == 500
    assert resp.headers["x-amzn-query-error"] == "InternalFailure;Receiver"


def test_unmodeled_error_fields_of_any_type_do_not_break_the_response() -> None:
    service = load_service("dynamodb")
    when = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    err = ServiceError("odd", code="Odd", status=400, At=when, Raw=b"\x00", Obj=object())
    resp = create_serializer(service, "json").serialize_error(err, None, "r")
    doc = json.loads(resp.data())
    assert doc["__type"] == "Odd" and doc["message"] == "odd"
    assert doc["At"] == 1577836800 and doc["Raw"] == "AA=="


def _subscribe_events(events: Any) -> Any:
    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        return {"EventStream": events}

    client, _ = loopback_client("kinesis", handler)
    response = client.subscribe_to_shard(
        ConsumerARN="arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1",
        ShardId="shard-1",
        StartingPosition={"Type": "LATEST"},
    )
    return response["EventStream"]


def test_event_streams_reach_boto3_as_events() -> None:
    arrived = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    record = {"SequenceNumber": "1", "Data": b"\x00hi", "PartitionKey": "k"}
    event = {
        "Records": [dict(record, ApproximateArrivalTimestamp=arrived)],
        "ContinuationSequenceNumber": "1",
        "MillisBehindLatest": 0,
    }
    stream = _subscribe_events(iter([{"SubscribeToShardEvent": event}] * 2))
    received = [e["SubscribeToShardEvent"] for e in stream]
    assert len(received) == 2
    assert received[0]["Records"][0]["Data"] == b"\x00hi"
    assert received[0]["Records"][0]["ApproximateArrivalTimestamp"] == arrived


def test_an_error_raised_mid_stream_ends_it_with_an_exception_event() -> None:
    def events() -> Any:
        yield {"SubscribeToShardEvent": {"Records": [], "ContinuationSequenceNumber": "1"}}
        raise ServiceError("shard gone", code="ResourceNotFoundException")

    stream = iter(_subscribe_events(events()))
    assert "SubscribeToShardEvent" in next(stream)
    with pytest.raises(EventStreamError) as caught:
        next(stream)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert caught.value.response["Error"]["Message"] == "shard gone"


def test_an_async_event_source_gives_an_async_body() -> None:
    async def events() -> Any:
        yield {"SubscribeToShardEvent": {"Records": [], "ContinuationSequenceNumber": "1"}}

    service = load_service("kinesis")
    op = service.operation_model("SubscribeToShard")
    resp = create_serializer(service, "json").serialize_response(op, {"EventStream": events()}, "r")
    assert hasattr(resp.body, "__aiter__")


def test_generic_json_error_parses_with_botocore() -> None:
    service = load_service("logs")
    resp = create_serializer(service, "json").serialize_error(
        ServiceError("nope", code="ThrottlingException", status=400), None, "r"
    )
    parsed = botocore.parsers.create_parser("json").parse(
        {"status_code": resp.status, "headers": dict(resp.headers), "body": resp.data()}, None
    )
    assert parsed["Error"] == {"Code": "ThrottlingException", "Message": "nope"}


def test_a_client_error_still_works_when_the_handler_rejects_input() -> None:
    def handler(op: Any, params: dict[str, Any]) -> dict[str, Any]:
        raise ServiceError("bad", code="ValidationException")

    client, _ = loopback_client("stepfunctions", handler)
    with pytest.raises(ClientError) as caught:
        client.list_state_machines()
    assert caught.value.response["Error"]["Code"] == "ValidationException"
