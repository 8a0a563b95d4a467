"""The query protocol's edges: bad requests, empty lists, errors, and SQS's older query form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import botocore.parsers
import botocore.serialize
import pytest
from botocore.awsrequest import HeadersDict
from botocore.model import OperationModel, ServiceModel

from kumo.aws.errors import ServiceError
from kumo.aws.http import Body, Headers, HttpRequest, HttpResponse
from kumo.aws.models import load_service
from kumo.aws.protocols import create_parser, create_serializer
from kumo.aws.protocols.query import query_model
from tests.aws.protocols.shapegen import ShapeGenerator

FORM = "application/x-www-form-urlencoded; charset=utf-8"
SQS_NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"


def _form_request(body: str | bytes, *, query: str = "", method: str = "POST") -> HttpRequest:
    data = body.encode() if isinstance(body, str) else body
    return HttpRequest(
        method=method,
        path="/",
        query_string=query,
        headers=Headers([("Content-Type", FORM)]),
        body=Body(data),
    )


def _client_request(op: OperationModel, params: dict[str, Any]) -> HttpRequest:
    """The request a botocore client carrying ``op``'s model sends."""
    serialized = botocore.serialize.create_serializer("query").serialize_to_request(params, op)
    return _form_request(urlencode(serialized["body"]))


def _client_read(resp: HttpResponse, op: OperationModel) -> dict[str, Any]:
    headers = HeadersDict()
    for key, value in resp.headers.raw_items():
        headers[key] = value
    response = {"status_code": resp.status, "headers": headers, "body": resp.data()}
    return botocore.parsers.create_parser("query").parse(response, op.output_shape)


def _parse(service: str, body: str, **kwargs: Any) -> tuple[str, dict[str, Any]]:
    op, params = create_parser(load_service(service), "query").parse(_form_request(body, **kwargs))
    return op.name, params


# -- requests -------------------------------------------------------------------------------


def test_a_request_without_action_is_refused() -> None:
    with pytest.raises(ServiceError) as caught:
        _parse("sts", "Version=2011-06-15")

    assert caught.value.code == "MissingAction"
    assert caught.value.status == 400


def test_an_unknown_action_is_invalid() -> None:
    with pytest.raises(ServiceError) as caught:
        _parse("sts", "Action=StealCredentials&Version=2011-06-15")

    assert caught.value.code == "InvalidAction"
    assert caught.value.status == 400


def test_parameters_may_come_in_the_query_string_of_a_get() -> None:
    name, params = _parse(
        "sts",
        "",
        query="Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900",
        method="GET",
    )

    assert (name, params) == ("GetSessionToken", {"DurationSeconds": 900})


def test_a_value_that_does_not_fit_its_type_is_a_client_error() -> None:
    with pytest.raises(ServiceError) as caught:
        _parse("sts", "Action=GetSessionToken&DurationSeconds=soon")

    assert caught.value.code == "InvalidParameterValue"
    assert caught.value.status == 400


def test_a_body_that_is_not_utf8_is_malformed() -> None:
    with pytest.raises(ServiceError) as caught:
        _parse("sts", b"Action=GetSessionToken&SerialNumber=%ff%fe")  # type: ignore[arg-type]

    assert caught.value.code == "MalformedQueryString"


def test_a_list_index_that_is_not_a_number_is_a_client_error() -> None:
    with pytest.raises(ServiceError) as caught:
        _parse("sns", "Action=AddPermission&TopicArn=t&Label=l&AWSAccountId.member.x=1")

    assert caught.value.code == "InvalidParameterValue"


def test_empty_lists_and_list_order_are_kept() -> None:
    body = (
        "Action=AddPermission&TopicArn=t&Label=l&AWSAccountId="
        "&ActionName.member.2=Publish&ActionName.member.1=Subscribe"
    )
    _, params = _parse("sns", body)

    assert params == {
        "TopicArn": "t",
        "Label": "l",
        "AWSAccountId": [],
        "ActionName": ["Subscribe", "Publish"],
    }


def test_maps_read_from_entry_key_value() -> None:
    body = (
        "Action=SetTopicAttributes&TopicArn=t&AttributeName=DisplayName&AttributeValue=x"
        "&Version=2010-03-31"
    )
    assert _parse("sns", body)[1] == {
        "TopicArn": "t",
        "AttributeName": "DisplayName",
        "AttributeValue": "x",
    }
    body = (
        "Action=CreateTopic&Name=n&Attributes.entry.1.key=DisplayName"
        "&Attributes.entry.1.value=Shown&Attributes.entry.2.key=Policy&Attributes.entry.2.value={}"
    )
    assert _parse("sns", body)[1] == {
        "Name": "n",
        "Attributes": {"DisplayName": "Shown", "Policy": "{}"},
    }


# -- responses ------------------------------------------------------------------------------


def test_a_response_is_wrapped_in_its_result_and_carries_the_request_id() -> None:
    service = load_service("sts")
    op = service.operation_model("GetCallerIdentity")
    output = {"UserId": "AIDA", "Account": "123456789012", "Arn": "arn:aws:iam::1:user/u"}

    resp = create_serializer(service, "query").serialize_response(op, output, "rid-1")

    root = ElementTree.fromstring(resp.data())
    ns = "{https://sts.amazonaws.com/doc/2011-06-15/}"
    assert root.tag == f"{ns}GetCallerIdentityResponse"
    assert root.find(f"{ns}GetCallerIdentityResult/{ns}Account").text == "123456789012"  # type: ignore[union-attr]
    assert root.find(f"{ns}ResponseMetadata/{ns}RequestId").text == "rid-1"  # type: ignore[union-attr]
    assert resp.headers["x-amzn-RequestId"] == "rid-1"
    assert resp.headers["Content-Type"] == "text/xml"


def test_an_operation_without_output_still_answers_with_its_metadata() -> None:
    service = load_service("sns")
    op = service.operation_model("DeleteTopic")

    resp = create_serializer(service, "query").serialize_response(op, {}, "rid-2")

    assert b"<DeleteTopicResponse" in resp.data()
    assert _client_read(resp, op)["ResponseMetadata"]["RequestId"] == "rid-2"


def test_an_error_names_its_type_code_and_modeled_fields() -> None:
    service = load_service("iam")
    op = service.operation_model("GetRole")
    err = ServiceError("Role r not found", code="NoSuchEntityException", status=404)

    resp = create_serializer(service, "query").serialize_error(err, op, "rid-3")

    parsed = _client_read(resp, op)
    assert resp.status == 404
    assert parsed["Error"] == {
        "Type": "Sender",
        "Code": "NoSuchEntity",
        "Message": "Role r not found",
    }
    assert parsed["ResponseMetadata"]["RequestId"] == "rid-3"


def test_a_server_error_is_the_receivers_fault_and_extra_fields_travel_as_text() -> None:
    service = load_service("cloudformation")
    err = ServiceError("boom", code="InternalFailure", status=500, sender_fault=False, Hint="retry")

    resp = create_serializer(service, "query").serialize_error(err, None, "rid-4")

    parsed = _client_read(resp, service.operation_model("ListStacks"))
    assert parsed["Error"] == {
        "Type": "Receiver",
        "Code": "InternalFailure",
        "Message": "boom",
        "Hint": "retry",
    }


def test_text_is_escaped() -> None:
    service = load_service("sts")
    err = ServiceError("a < b & c > d", code="ValidationError")

    resp = create_serializer(service, "query").serialize_error(err, None, "<rid>")

    parsed = _client_read(resp, service.operation_model("GetCallerIdentity"))
    assert parsed["Error"]["Message"] == "a < b & c > d"
    assert parsed["ResponseMetadata"]["RequestId"] == "<rid>"


# -- SQS as older clients speak it ----------------------------------------------------------


def _sqs() -> ServiceModel:
    return load_service("sqs")


def test_sqs_requests_in_the_older_form_are_read() -> None:
    # As AWS's SQS documentation wrote them before the json protocol.
    body = (
        "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Fq%2F1%2Fq&MessageBody=hi"
        "&MessageAttribute.1.Name=color&MessageAttribute.1.Value.DataType=String"
        "&MessageAttribute.1.Value.StringValue=red"
        "&MessageAttribute.2.Name=bits&MessageAttribute.2.Value.DataType=Binary"
        "&MessageAttribute.2.Value.BinaryValue=AAE%3D"
    )
    assert _parse("sqs", body) == (
        "SendMessage",
        {
            "QueueUrl": "http://q/1/q",
            "MessageBody": "hi",
            "MessageAttributes": {
                "color": {"DataType": "String", "StringValue": "red"},
                "bits": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
            },
        },
    )
    body = (
        "Action=SetQueueAttributes&QueueUrl=u&Attribute.1.Name=VisibilityTimeout"
        "&Attribute.1.Value=40&Attribute.2.Name=DelaySeconds&Attribute.2.Value=5"
    )
    assert _parse("sqs", body)[1] == {
        "QueueUrl": "u",
        "Attributes": {"VisibilityTimeout": "40", "DelaySeconds": "5"},
    }
    body = "Action=ReceiveMessage&QueueUrl=u&AttributeName=All&MessageAttributeName.1=color"
    assert _parse("sqs", body)[1] == {
        "QueueUrl": "u",
        "AttributeNames": ["All"],
        "MessageAttributeNames": ["color"],
    }


def test_a_queue_addressed_by_path_is_the_requests_queue_url() -> None:
    request = _form_request("Action=SendMessage&MessageBody=hi")
    request.path = request.raw_path = "/123456789012/jobs/"
    request.headers.add("Host", "localhost:4566")

    _, params = create_parser(_sqs(), "query").parse(request)

    assert params == {"QueueUrl": "http://localhost:4566/123456789012/jobs", "MessageBody": "hi"}


@pytest.mark.parametrize("op_name", load_service("sqs").operation_names)
def test_every_sqs_request_of_an_older_client_is_read(op_name: str) -> None:
    legacy = query_model(_sqs()).operation_model(op_name)
    params = ShapeGenerator(5).structure(legacy.input_shape, 0)

    op, parsed = create_parser(_sqs(), "query").parse(_client_request(legacy, params))

    assert op.name == op_name
    assert op is _sqs().operation_model(op_name)
    assert parsed == params


def test_sqs_responses_take_the_older_form() -> None:
    op = _sqs().operation_model("ReceiveMessage")
    output = {
        "Messages": [
            {
                "MessageId": "m1",
                "Body": "hi",
                "Attributes": {"SenderId": "123"},
                "MessageAttributes": {"color": {"DataType": "String", "StringValue": "red"}},
            }
        ]
    }

    resp = create_serializer(_sqs(), "query").serialize_response(op, output, "rid-5")

    root = ElementTree.fromstring(resp.data())
    assert root.tag == f"{SQS_NS}ReceiveMessageResponse"
    message = root.find(f"{SQS_NS}ReceiveMessageResult/{SQS_NS}Message")
    assert message is not None
    assert message.findtext(f"{SQS_NS}Attribute/{SQS_NS}Name") == "SenderId"
    assert message.findtext(f"{SQS_NS}Attribute/{SQS_NS}Value") == "123"
    attribute = message.find(f"{SQS_NS}MessageAttribute")
    assert attribute is not None
    assert attribute.findtext(f"{SQS_NS}Name") == "color"
    assert attribute.findtext(f"{SQS_NS}Value/{SQS_NS}StringValue") == "red"
    assert root.findtext(f"{SQS_NS}ResponseMetadata/{SQS_NS}RequestId") == "rid-5"


@pytest.mark.parametrize("code", ["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"])
def test_sqs_errors_carry_their_older_codes(code: str) -> None:
    op = _sqs().operation_model("GetQueueUrl")
    err = ServiceError("The specified queue does not exist.", code=code)

    resp = create_serializer(_sqs(), "query").serialize_error(err, op, "rid-6")

    parsed = _client_read(resp, query_model(_sqs()).operation_model("GetQueueUrl"))
    assert parsed["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert b'<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">' in resp.data()


def test_the_older_sqs_model_is_built_once() -> None:
    assert query_model(_sqs()) is query_model(_sqs())
    assert query_model(load_service("sns")) is load_service("sns")
