"""rest-xml (S3): XML bodies, S3's errors and oddities, driven through real boto3 clients."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any
from xml.etree import ElementTree

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.model import OperationModel

from kumo.aws.errors import ServiceError
from kumo.aws.http import Body, Headers, HttpRequest
from kumo.aws.models import load_service
from kumo.aws.protocols import create_parser, create_serializer
from tests.aws.protocols.loopback import Loopback, loopback_client

S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def _s3_request(
    method: str, path: str, body: bytes = b"", query: str = "", host: str = "localhost:4566"
) -> HttpRequest:
    return HttpRequest(
        method=method,
        path=path,
        query_string=query,
        headers=Headers([("Host", host)]),
        body=Body(body),
    )


def _parse(request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
    return create_parser(load_service("s3"), "rest-xml").parse(request)


def _answer(output: Mapping[str, Any]) -> Any:
    return lambda op, params: output


def _fail(error: ServiceError) -> Any:
    def handler(op: OperationModel, params: dict[str, Any]) -> Mapping[str, Any]:
        raise error

    return handler


# -- requests -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"<Tagging><TagSet><Tag><Key>k</Key>",
        b"plainly not xml",
        b'<!DOCTYPE t [<!ENTITY x "y">]><Tagging><TagSet/></Tagging>',
    ],
)
def test_a_body_that_is_not_xml_is_malformed(body: bytes) -> None:
    with pytest.raises(ServiceError) as caught:
        _parse(_s3_request("PUT", "/bucket", body, query="tagging"))

    assert caught.value.code == "MalformedXML"
    assert caught.value.status == 400


def test_a_value_of_the_wrong_type_is_malformed() -> None:
    body = b"<VersioningConfiguration><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>"
    assert _parse(_s3_request("PUT", "/b", body, query="versioning"))[1]["VersioningConfiguration"]
    body = (
        b"<LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status>"
        b"<Expiration><Days>soon</Days></Expiration></Rule></LifecycleConfiguration>"
    )

    with pytest.raises(ServiceError) as caught:
        _parse(_s3_request("PUT", "/b", body, query="lifecycle"))

    assert caught.value.code == "MalformedXML"


def test_an_object_body_is_passed_on_unread() -> None:
    request = _s3_request("PUT", "/bucket/dir/key.txt", b"x" * 100_000)

    op, params = _parse(request)

    assert op.name == "PutObject"
    assert params["Body"] is request.body
    assert params["Body"].tell() == 0
    assert params["Key"] == "dir/key.txt"


@pytest.mark.parametrize(
    "host",
    [
        "bucket.s3.localhost.localstack.cloud:4566",
        "bucket.localhost:4566",
        "bucket.s3.amazonaws.com",
        "bucket.s3.localhost:4566",
    ],
)
def test_a_virtual_hosted_bucket_is_read_from_the_host(host: str) -> None:
    op, params = _parse(_s3_request("GET", "/dir/key.txt", host=host))

    assert op.name == "GetObject"
    assert (params["Bucket"], params["Key"]) == ("bucket", "dir/key.txt")


def test_a_request_no_operation_accepts_is_a_method_not_allowed() -> None:
    with pytest.raises(ServiceError) as caught:
        _parse(_s3_request("PATCH", "/bucket/key"))

    assert caught.value.code == "MethodNotAllowed"
    assert caught.value.status == 405


def test_grants_keep_their_xsi_type_attribute_both_ways() -> None:
    grant = {
        "Grantee": {"Type": "CanonicalUser", "ID": "abc"},
        "Permission": "FULL_CONTROL",
    }
    client, loop = loopback_client("s3", _answer({"Owner": {"ID": "abc"}, "Grants": [grant]}))

    client.put_bucket_acl(
        Bucket="bucket", AccessControlPolicy={"Grants": [grant], "Owner": {"ID": "abc"}}
    )
    assert loop.params is not None
    assert loop.params["AccessControlPolicy"]["Grants"] == [grant]

    assert client.get_bucket_acl(Bucket="bucket")["Grants"] == [grant]
    assert loop.response is not None
    assert b'xsi:type="CanonicalUser"' in loop.response.data()


# -- responses ------------------------------------------------------------------------------


def test_a_listing_is_rooted_and_namespaced_as_s3_writes_it() -> None:
    when = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    output = {
        "Name": "bucket",
        "KeyCount": 1,
        "IsTruncated": False,
        "Contents": [{"Key": "a&b.txt", "Size": 3, "LastModified": when, "ETag": '"e"'}],
    }
    client, loop = loopback_client("s3", _answer(output))

    listed = client.list_objects_v2(Bucket="bucket")

    assert listed["Contents"] == output["Contents"]
    assert loop.response is not None
    root = ElementTree.fromstring(loop.response.data())
    assert root.tag == f"{S3_NS}ListBucketResult"
    assert loop.response.headers["x-amz-request-id"] == "req-1"
    assert loop.response.headers["x-amz-id-2"]
    assert loop.response.headers["Content-Type"] == "application/xml"


@pytest.mark.parametrize("region", ["eu-west-1", None])
def test_a_bucket_location_is_the_roots_own_text(region: str | None) -> None:
    client, loop = loopback_client("s3", _answer({"LocationConstraint": region}))

    assert client.get_bucket_location(Bucket="bucket")["LocationConstraint"] == region
    assert loop.response is not None
    assert ElementTree.fromstring(loop.response.data()).tag == f"{S3_NS}LocationConstraint"


def test_an_object_body_is_passed_through_as_given() -> None:
    def chunks() -> Iterator[bytes]:
        yield b"hello "
        yield b"world"

    client, _ = loopback_client("s3", _answer({"Body": chunks(), "ContentLength": 11}))

    got = client.get_object(Bucket="bucket", Key="k")

    assert got["Body"].read() == b"hello world"
    assert got["ContentLength"] == 11


def test_select_results_stream_as_events() -> None:
    events = [
        {"Records": {"Payload": b"1,2\n"}},
        {"Stats": {"Details": {"BytesScanned": 10, "BytesProcessed": 10, "BytesReturned": 4}}},
        {"End": {}},
    ]
    client, _ = loopback_client("s3", _answer({"Payload": events}))

    got = client.select_object_content(
        Bucket="b",
        Key="k",
        Expression="select * from s3object",
        ExpressionType="SQL",
        InputSerialization={"CSV": {}},
        OutputSerialization={"CSV": {}},
    )

    assert list(got["Payload"]) == events


# -- errors ---------------------------------------------------------------------------------


def test_an_error_is_s3s_bare_error_document_with_its_extra_fields() -> None:
    error = ServiceError(
        "The specified bucket does not exist", code="NoSuchBucket", status=404, BucketName="nope"
    )
    client, loop = loopback_client("s3", _fail(error))

    with pytest.raises(client.exceptions.NoSuchBucket) as caught:
        client.list_objects_v2(Bucket="nope")

    assert caught.value.response["Error"] == {
        "Code": "NoSuchBucket",
        "Message": "The specified bucket does not exist",
        "BucketName": "nope",
    }
    assert caught.value.response["ResponseMetadata"]["RequestId"] == "req-1"
    assert loop.response is not None
    assert ElementTree.fromstring(loop.response.data()).tag == "Error"


def test_a_head_error_has_no_body_and_reads_as_its_status() -> None:
    client, loop = loopback_client("s3", _fail(ServiceError("gone", code="NoSuchKey", status=404)))

    with pytest.raises(ClientError) as caught:
        client.head_object(Bucket="bucket", Key="k")

    assert caught.value.response["Error"]["Code"] == "404"
    assert loop.response is not None
    assert loop.response.data() == b""
    assert loop.response.headers["x-amz-request-id"] == "req-1"


def test_an_error_of_a_streaming_operation_still_reads_as_xml() -> None:
    client, _ = loopback_client("s3", _fail(ServiceError("no", code="NoSuchKey", status=404)))

    with pytest.raises(client.exceptions.NoSuchKey):
        client.get_object(Bucket="bucket", Key="k")


def test_error_headers_are_kept() -> None:
    error = ServiceError(
        "gone", code="NoSuchKey", status=404, headers={"x-amz-delete-marker": "true"}
    )

    resp = create_serializer(load_service("s3"), "rest-xml").serialize_error(error, None, "r")

    assert resp.headers["x-amz-delete-marker"] == "true"
    assert resp.status == 404


def test_a_client_addressing_buckets_by_host_is_understood() -> None:
    client = boto3.client(
        "s3",
        endpoint_url="http://localhost:4566",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(s3={"addressing_style": "virtual"}),
    )
    loop = Loopback("s3", _answer({}))
    client.meta.events.register("before-send", loop)

    client.put_object(Bucket="bucket", Key="a/b c.txt", Body=b"x")

    assert loop.request is not None and loop.request.host == "bucket.localhost:4566"
    assert loop.params is not None
    assert (loop.params["Bucket"], loop.params["Key"]) == ("bucket", "a/b c.txt")
