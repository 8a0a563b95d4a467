"""REST routing (``_routing``) and HTTP bindings (``_rest``): which operation a request
calls, and how uri labels, query strings and headers read into params and write back out."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import botocore.parsers
import pytest
from botocore.model import ServiceModel

from kumo.aws.errors import SerializationError, UnknownOperation
from kumo.aws.http import Body, Headers, HttpRequest
from kumo.aws.models import load_service
from kumo.aws.protocols._routing import RestRouter, normalize_path, query_dict
from kumo.aws.protocols._values import format_timestamp, parse_timestamp
from kumo.aws.protocols.rest_json import RestJsonParser, RestJsonSerializer


def _route(service: ServiceModel | str, method: str, url: str, **headers: str) -> str | None:
    if isinstance(service, str):
        service = load_service(service)
    path, _, query = url.partition("?")
    found = RestRouter(service).match(
        method, normalize_path(path), query_dict(query), {k.lower(): v for k, v in headers.items()}
    )
    return None if found is None else found[0].name


@pytest.mark.parametrize(
    ("method", "url", "headers", "expected"),
    [
        ("GET", "/", {}, "ListBuckets"),
        ("GET", "/bucket", {}, "ListObjects"),
        ("GET", "/bucket?list-type=2&prefix=a", {}, "ListObjectsV2"),
        ("GET", "/bucket?uploads", {}, "ListMultipartUploads"),
        ("GET", "/bucket?versioning", {}, "GetBucketVersioning"),
        ("HEAD", "/bucket", {}, "HeadBucket"),
        ("GET", "/bucket/dir/key.txt", {}, "GetObject"),
        ("GET", "/bucket/dir/key.txt?tagging", {}, "GetObjectTagging"),
        ("PUT", "/bucket/key", {}, "PutObject"),
        ("PUT", "/bucket/key?partNumber=1&uploadId=u", {}, "UploadPart"),
        ("PUT", "/bucket/key", {"x-amz-copy-source": "/b/k"}, "CopyObject"),
        (
            "PUT",
            "/bucket/key?partNumber=1&uploadId=u",
            {"x-amz-copy-source": "/b/k"},
            "UploadPartCopy",
        ),
        # Half of UploadPart's query is no UploadPart; the plainer operation matches.
        ("PUT", "/bucket/key?uploadId=u", {}, "PutObject"),
        ("POST", "/bucket/key?uploads", {}, "CreateMultipartUpload"),
        ("POST", "/bucket/key?uploadId=u", {}, "CompleteMultipartUpload"),
        ("POST", "/bucket?delete", {}, "DeleteObjects"),
    ],
)
def test_s3_requests_route_to_the_most_specific_operation(
    method: str, url: str, headers: dict[str, str], expected: str
) -> None:
    assert _route("s3", method, url, **headers) == expected


@pytest.mark.parametrize(
    ("method", "url", "expected"),
    [
        ("GET", "/2015-03-31/functions/", "ListFunctions"),
        ("GET", "/2015-03-31/functions", "ListFunctions"),  # trailing slash is optional
        ("GET", "/2015-03-31/functions/my-fn", "GetFunction"),
        ("GET", "/2015-03-31/functions/my-fn/configuration", "GetFunctionConfiguration"),
        ("POST", "/2015-03-31/functions/my-fn/invocations", "Invoke"),
        ("GET", "/2018-10-31/layers", "ListLayers"),
        ("GET", "/2018-10-31/layers?find=LayerVersion&Arn=x", "GetLayerVersionByArn"),
        (
            "GET",
            "/2019-09-30/functions/f/provisioned-concurrency?List=ALL",
            "ListProvisionedConcurrencyConfigs",
        ),
        (
            "GET",
            "/2019-09-30/functions/f/provisioned-concurrency?Qualifier=1",
            "GetProvisionedConcurrencyConfig",
        ),
    ],
)
def test_lambda_requests_route_by_literals_in_path_and_query(
    method: str, url: str, expected: str
) -> None:
    assert _route("lambda", method, url) == expected


def test_apigateway_import_is_told_from_create_by_its_query_literal() -> None:
    assert _route("apigateway", "POST", "/restapis") == "CreateRestApi"
    assert _route("apigateway", "POST", "/restapis?mode=import") == "ImportRestApi"
    assert _route("apigatewaymanagementapi", "POST", "/@connections/abc") == "PostToConnection"
    assert _route("apigatewaymanagementapi", "POST", "/%40connections/abc") == "PostToConnection"


def test_nothing_matching_is_none() -> None:
    assert _route("lambda", "GET", "/2015-03-31/nothing-here") is None
    assert _route("lambda", "PATCH", "/2015-03-31/functions/") is None


# --------------------------------------------------------------------------- a test service


def _model(operations: dict[str, Any], shapes: dict[str, Any]) -> ServiceModel:
    metadata = {
        "protocol": "rest-json",
        "apiVersion": "2020-01-01",
        "endpointPrefix": "test",
        "serviceId": "Test",
        "signatureVersion": "v4",
    }
    for name, op in operations.items():
        op.setdefault("name", name)
    return ServiceModel(
        {"metadata": metadata, "operations": operations, "shapes": shapes}, service_name="test"
    )


SHAPES: dict[str, Any] = {
    "String": {"type": "string"},
    "Integer": {"type": "integer"},
    "Boolean": {"type": "boolean"},
    "Timestamp": {"type": "timestamp"},
    "Blob": {"type": "blob"},
    "Stream": {"type": "blob", "streaming": True},
    "Strings": {"type": "list", "member": {"shape": "String"}},
    "Times": {"type": "list", "member": {"shape": "Timestamp"}},
    "StringMap": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}},
    "ListMap": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "Strings"}},
    "Json": {"type": "string"},
    "ThingInput": {
        "type": "structure",
        "required": ["Id"],
        "members": {
            "Id": {"shape": "String", "location": "uri", "locationName": "Id"},
            "Path": {"shape": "String", "location": "uri", "locationName": "Path"},
            "Tags": {"shape": "Strings", "location": "querystring", "locationName": "tag"},
            "Limit": {"shape": "Integer", "location": "querystring", "locationName": "limit"},
            "Deep": {"shape": "Boolean", "location": "querystring", "locationName": "deep"},
            "Since": {"shape": "Timestamp", "location": "querystring", "locationName": "since"},
            "Extra": {"shape": "StringMap", "location": "querystring"},
            "Before": {"shape": "Timestamp", "location": "header", "locationName": "X-Before"},
            "Names": {"shape": "Strings", "location": "header", "locationName": "X-Names"},
            "Times": {"shape": "Times", "location": "header", "locationName": "X-Times"},
            "Doc": {
                "shape": "Json",
                "location": "header",
                "locationName": "X-Doc",
                "jsonvalue": True,
            },
            "Meta": {"shape": "StringMap", "location": "headers", "locationName": "x-meta-"},
            "Count": {"shape": "Integer"},
        },
    },
    "ThingOutput": {
        "type": "structure",
        "members": {
            "Status": {"shape": "Integer", "location": "statusCode"},
            "Modified": {"shape": "Timestamp", "location": "header", "locationName": "Last-Mod"},
            "Names": {"shape": "Strings", "location": "header", "locationName": "X-Names"},
            "Doc": {
                "shape": "Json",
                "location": "header",
                "locationName": "X-Doc",
                "jsonvalue": True,
            },
            "Meta": {"shape": "StringMap", "location": "headers", "locationName": "x-meta-"},
            "Count": {"shape": "Integer"},
        },
    },
    "UploadInput": {
        "type": "structure",
        "required": ["Id"],
        "members": {
            "Id": {"shape": "String", "location": "uri", "locationName": "Id"},
            "Body": {"shape": "Stream"},
        },
        "payload": "Body",
    },
}

OPERATIONS: dict[str, Any] = {
    "GetThing": {
        "http": {"method": "GET", "requestUri": "/things/{Id}/{Path+}"},
        "input": {"shape": "ThingInput"},
        "output": {"shape": "ThingOutput"},
    },
    "Upload": {
        "http": {"method": "PUT", "requestUri": "/things/{Id}?x-id=Upload"},
        "input": {"shape": "UploadInput"},
    },
}


def _parse(method: str, raw_path: str, query: str = "", headers: Any = (), body: bytes = b""):
    service = _model(OPERATIONS, SHAPES)
    request = HttpRequest(
        method=method,
        path=raw_path,
        raw_path=raw_path,
        query_string=query,
        headers=Headers(list(headers)),
        body=Body(body),
    )
    return RestJsonParser(service).parse(request)


def test_labels_decode_once_and_keep_encoded_slashes_apart() -> None:
    op, params = _parse("GET", "/things/a%2Fb%252F/dir/sub%20dir/f%2B1~.txt/")
    assert op.name == "GetThing"
    assert params == {"Id": "a/b%2F", "Path": "dir/sub dir/f+1~.txt/"}


def test_query_values_read_by_type_and_leftovers_fill_the_map() -> None:
    query = "tag=a&tag=b%20c&limit=5&deep=true&since=2020-01-02T03:04:05Z&color=red&size=L"
    _, params = _parse("GET", "/things/x/y", query)
    assert params["Tags"] == ["a", "b c"]
    assert params["Limit"] == 5 and params["Deep"] is True
    assert params["Since"] == dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert params["Extra"] == {"color": "red", "size": "L"}


def test_headers_read_by_type() -> None:
    doc = base64.b64encode(json.dumps({"a": [1, "x"]}).encode()).decode()
    headers = [
        ("X-Before", "Thu, 02 Jan 2020 03:04:05 GMT"),
        ("X-Names", 'one, "two, three", "say \\"hi\\""'),
        ("X-Times", "1577934245, 2020-01-02T03:04:05Z"),
        ("X-Doc", doc),
        ("X-Meta-Color", "red"),
        ("x-meta-size", "L"),
    ]
    _, params = _parse("GET", "/things/x/y", headers=headers)
    when = dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert params["Before"] == when
    assert params["Names"] == ["one", "two, three", 'say "hi"']
    assert params["Times"] == [when, when]
    assert params["Doc"] == {"a": [1, "x"]}
    assert params["Meta"] == {"color": "red", "size": "L"}


@pytest.mark.parametrize(
    ("query", "headers", "body"),
    [
        ("limit=five", [], b""),
        ("deep=maybe", [], b""),
        ("since=yesterday", [], b""),
        ("", [("X-Doc", "not base64!")], b""),
        ("", [], b"{broken"),
        ("", [], b'{"Count": "many"}'),
    ],
)
def test_unreadable_values_are_serialization_exceptions(
    query: str, headers: list[tuple[str, str]], body: bytes
) -> None:
    with pytest.raises(SerializationError) as caught:
        _parse("GET", "/things/x/y", query, headers, body)
    assert caught.value.status == 400


def test_body_members_never_override_bound_ones() -> None:
    _, params = _parse("GET", "/things/x/y", body=b'{"Id": "from-body", "Count": 2}')
    assert params == {"Id": "x", "Path": "y", "Count": 2}


def test_streaming_payload_passes_through_unread() -> None:
    op, params = _parse("PUT", "/things/x", body=b"0123456789")
    assert op.name == "Upload"
    assert isinstance(params["Body"], Body)
    assert params["Body"].read(4) == b"0123"


def test_x_id_is_a_preference_but_a_different_one_does_not_match() -> None:
    assert _parse("PUT", "/things/x", "x-id=Upload")[0].name == "Upload"
    with pytest.raises(UnknownOperation) as caught:
        _parse("PUT", "/things/x", "x-id=Other")
    assert caught.value.status == 404


def test_output_bindings_read_back_by_botocore() -> None:
    service = _model(OPERATIONS, SHAPES)
    op = service.operation_model("GetThing")
    when = dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    output = {
        "Status": 203,
        "Modified": when,
        "Names": ["a", "b"],
        "Doc": {"k": [1, 2]},
        "Meta": {"color": "red"},
        "Count": 3,
    }
    resp = RestJsonSerializer(service).serialize_response(op, output, "req")
    assert resp.status == 203
    assert resp.headers["Last-Mod"] == "Thu, 02 Jan 2020 03:04:05 GMT"
    assert resp.headers["x-meta-color"] == "red"
    parsed = botocore.parsers.create_parser("rest-json").parse(
        {"status_code": resp.status, "headers": dict(resp.headers), "body": resp.data()},
        op.output_shape,
    )
    parsed.pop("ResponseMetadata")
    assert parsed == output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1577934245", dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
        ("1577934245.5", dt.datetime(2020, 1, 2, 3, 4, 5, 500000, tzinfo=dt.UTC)),
        ("2020-01-02T03:04:05Z", dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
        ("2020-01-02T03:04:05.123+01:00", dt.datetime(2020, 1, 2, 2, 4, 5, 123000, tzinfo=dt.UTC)),
        ("Thu, 02 Jan 2020 03:04:05 GMT", dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
        (dt.datetime(2020, 1, 2, 3, 4, 5), dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
    ],
)
def test_timestamps_parse_in_every_format_to_utc(text: Any, expected: dt.datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == expected and parsed.tzinfo is dt.UTC


def test_timestamps_format_as_each_protocol_writes_them() -> None:
    when = dt.datetime(2020, 1, 2, 3, 4, 5, 250000, tzinfo=dt.UTC)
    assert format_timestamp(when, "unixTimestamp") == 1577934245.25
    assert format_timestamp(when.replace(microsecond=0), "unixtimestamp") == 1577934245
    assert format_timestamp(when, "iso8601") == "2020-01-02T03:04:05.250Z"
    assert format_timestamp(when, "rfc822") == "Thu, 02 Jan 2020 03:04:05 GMT"
