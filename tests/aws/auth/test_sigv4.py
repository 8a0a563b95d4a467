"""SigV4 header signatures: botocore's requests to many services verify, tampered ones fail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.crt.auth import CrtS3SigV4Auth, CrtSigV4Auth

from kumo.aws.auth import (
    SIGNATURE_MISMATCH_MESSAGE,
    AuthorizationHeaderMalformed,
    InvalidRequest,
    SignatureKind,
    read_signing_info,
    verify_signature,
)
from kumo.aws.errors import (
    AccessDenied,
    RequestTimeTooSkewed,
    ServiceError,
    SignatureDoesNotMatch,
)
from kumo.aws.http import Body, Headers, HttpRequest
from tests.aws.auth.wire import ACCESS_KEY, SECRET_KEY, capture, client, now, to_http_request

CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("sts", "get_caller_identity", {}),
    (
        "sts",
        "assume_role",
        {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "sess"},
    ),
    ("iam", "create_user", {"UserName": "name+with=chars,.@-_", "Path": "/a/b/"}),
    (
        "sqs",
        "send_message",
        {"QueueUrl": "http://localhost:4566/000000000000/q", "MessageBody": "ü"},
    ),
    ("sns", "publish", {"TopicArn": "arn:aws:sns:us-east-1:000000000000:t", "Message": "a&b=c"}),
    ("dynamodb", "get_item", {"TableName": "t", "Key": {"k": {"S": "v"}}}),
    ("lambda", "get_function", {"FunctionName": "arn:aws:lambda:us-east-1:1:function:f:$LATEST"}),
    ("lambda", "invoke", {"FunctionName": "f", "Payload": b'{"a": 1}', "Qualifier": "live"}),
    ("lambda", "list_functions", {"MaxItems": 5, "Marker": "a b/c+d=e"}),
    ("apigateway", "get_resources", {"restApiId": "a b", "embed": ["x y", "z"]}),
    (
        "logs",
        "put_log_events",
        {
            "logGroupName": "/aws/lambda/f",
            "logStreamName": "s",
            "logEvents": [{"timestamp": 1, "message": "m"}],
        },
    ),
    ("events", "put_events", {"Entries": [{"Source": "s", "DetailType": "d", "Detail": "{}"}]}),
    ("kinesis", "put_record", {"StreamName": "s", "Data": b"\x00\xff", "PartitionKey": "k"}),
    ("secretsmanager", "get_secret_value", {"SecretId": "a/b"}),
    ("ssm", "get_parameters_by_path", {"Path": "/a/b", "Recursive": True}),
    ("cloudwatch", "list_metrics", {"Namespace": "AWS/Lambda"}),
    ("cloudformation", "describe_stacks", {"StackName": "st"}),
    ("stepfunctions", "list_state_machines", {}),
    ("s3", "list_buckets", {}),
    ("s3", "list_objects_v2", {"Bucket": "b", "Prefix": "x y/z+*()!'~", "Delimiter": "/"}),
    ("s3", "put_object", {"Bucket": "b", "Key": "a b/c+d~e(1)ü.txt", "Body": b"hello"}),
    ("s3", "get_object", {"Bucket": "b", "Key": "../x//y/./z", "Range": "bytes=0-1"}),
    ("s3", "get_object", {"Bucket": "b", "Key": "k", "VersionId": "v 1"}),
    ("s3", "put_object_tagging", {"Bucket": "b", "Key": "k", "Tagging": {"TagSet": []}}),
    ("s3", "delete_objects", {"Bucket": "b", "Delete": {"Objects": [{"Key": "a"}]}}),
]


def _verify(request: HttpRequest, when: dt.datetime | None = None, **kwargs: Any) -> None:
    info = read_signing_info(request)
    assert info is not None
    verify_signature(request, info, SECRET_KEY, now=when or now(), **kwargs)


@pytest.mark.parametrize(("service", "operation", "params"), CALLS, ids=lambda v: str(v)[:24])
def test_botocore_client_requests_verify(
    service: str, operation: str, params: dict[str, Any]
) -> None:
    request = capture(client(service), operation, **params)
    info = read_signing_info(request)
    assert info is not None and info.kind is SignatureKind.SIGV4
    assert info.access_key_id == ACCESS_KEY
    verify_signature(request, info, SECRET_KEY, now=now())


@pytest.mark.parametrize(("service", "operation", "params"), CALLS[:8], ids=lambda v: str(v)[:24])
def test_a_wrong_secret_fails(service: str, operation: str, params: dict[str, Any]) -> None:
    request = capture(client(service), operation, **params)
    info = read_signing_info(request)
    assert info is not None
    with pytest.raises(SignatureDoesNotMatch) as caught:
        verify_signature(request, info, "not-the-secret", now=now())
    assert caught.value.message == SIGNATURE_MISMATCH_MESSAGE
    assert caught.value.status == 403


def test_virtual_hosted_s3_request_verifies() -> None:
    s3 = client(
        "s3", endpoint="http://s3.localhost.example:4566", s3={"addressing_style": "virtual"}
    )
    request = capture(s3, "get_object", Bucket="my-bucket", Key="dir/a b.txt")
    assert request.host == "my-bucket.s3.localhost.example:4566"
    assert request.raw_path == "/dir/a%20b.txt"
    _verify(request)


def test_session_token_is_read() -> None:
    request = capture(client("sts", token="TOKEN/+="), "get_caller_identity")
    info = read_signing_info(request)
    assert info is not None and info.security_token == "TOKEN/+="
    _verify(request)


def test_a_changed_signed_header_fails() -> None:
    request = capture(client("dynamodb"), "list_tables")
    request.headers.set("X-Amz-Target", "DynamoDB_20120810.DeleteTable")
    with pytest.raises(SignatureDoesNotMatch):
        _verify(request)


def test_a_changed_body_fails_when_the_body_is_hashed() -> None:
    request = capture(client("dynamodb"), "list_tables", Limit=1)
    request.body = Body(request.body.readall().replace(b"1", b"9"))
    with pytest.raises(SignatureDoesNotMatch):
        _verify(request)


def test_a_changed_query_fails() -> None:
    request = capture(client("s3"), "list_objects_v2", Bucket="b", Prefix="a")
    request.query_string = request.query_string.replace("prefix=a", "prefix=b")
    with pytest.raises(SignatureDoesNotMatch):
        _verify(request)


def test_a_changed_path_fails() -> None:
    request = capture(client("s3"), "get_object", Bucket="b", Key="a")
    request.raw_path = request.path = "/b/other"
    with pytest.raises(SignatureDoesNotMatch):
        _verify(request)


def test_s3_mismatch_carries_what_kumo_computed() -> None:
    request = capture(client("s3"), "get_object", Bucket="b", Key="a")
    info = read_signing_info(request)
    assert info is not None
    with pytest.raises(SignatureDoesNotMatch) as caught:
        verify_signature(request, info, "wrong", now=now())
    fields = caught.value.fields
    assert fields["AWSAccessKeyId"] == ACCESS_KEY
    assert fields["CanonicalRequest"].startswith("GET\n/b/a\n\n")
    assert fields["StringToSign"].startswith("AWS4-HMAC-SHA256\n")


def test_unsigned_amz_headers_are_refused_by_s3() -> None:
    request = capture(client("s3"), "put_object", Bucket="b", Key="k", Body=b"x")
    request.headers.add("x-amz-acl", "public-read")
    with pytest.raises(AccessDenied) as caught:
        _verify(request)
    assert caught.value.fields["HeadersNotSigned"] == "x-amz-acl"


def test_unsigned_headers_that_are_not_amz_are_ignored() -> None:
    request = capture(client("s3"), "get_object", Bucket="b", Key="k")
    request.headers.add("Accept-Encoding", "gzip")
    request.headers.add("X-Forwarded-For", "10.0.0.1")
    _verify(request)


@pytest.mark.parametrize("minutes", [-16, 16])
def test_s3_outside_the_time_window_is_too_skewed(minutes: int) -> None:
    request = capture(client("s3"), "list_buckets")
    with pytest.raises(RequestTimeTooSkewed) as caught:
        _verify(request, now() + dt.timedelta(minutes=minutes))
    assert caught.value.message == (
        "The difference between the request time and the current time is too large."
    )
    assert caught.value.fields["MaxAllowedSkewMilliseconds"] == "900000"


def test_other_services_say_the_signature_expired() -> None:
    request = capture(client("sts"), "get_caller_identity")
    with pytest.raises(RequestTimeTooSkewed) as caught:
        _verify(request, now() + dt.timedelta(minutes=20))
    assert caught.value.message.startswith("Signature expired: ")
    assert caught.value.message.endswith(" - 15 min.)")
    with pytest.raises(RequestTimeTooSkewed) as caught:
        _verify(request, now() - dt.timedelta(minutes=20))
    assert caught.value.message.startswith("Signature not yet current: ")


def test_the_window_is_configurable() -> None:
    request = capture(client("sts"), "get_caller_identity")
    _verify(request, now() + dt.timedelta(minutes=20), skew_seconds=3600)
    with pytest.raises(RequestTimeTooSkewed):
        _verify(request, now() + dt.timedelta(seconds=90), skew_seconds=60)


def test_naive_now_is_a_programming_error() -> None:
    request = capture(client("sts"), "get_caller_identity")
    with pytest.raises(ValueError):
        _verify(request, dt.datetime.now())


# -- botocore's signers used directly: the pure-Python ones and the CRT ones --------------

CREDENTIALS = Credentials(ACCESS_KEY, SECRET_KEY)
SIGNERS = {
    "python": (SigV4Auth, S3SigV4Auth),
    "crt": (CrtSigV4Auth, CrtS3SigV4Auth),
}


def _signed(
    flavour: str,
    service: str,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    data: bytes | dict[str, str] = b"",
    params: dict[str, str] | None = None,
) -> HttpRequest:
    generic, s3 = SIGNERS[flavour]
    signer = (s3 if service == "s3" else generic)(CREDENTIALS, service, "eu-west-1")
    request = AWSRequest(method=method, url=url, headers=headers or {}, data=data, params=params)
    signer.add_auth(request)
    return to_http_request(request)


@pytest.mark.parametrize("flavour", list(SIGNERS))
@pytest.mark.parametrize(
    ("service", "method", "url", "kwargs"),
    [
        ("execute-api", "GET", "http://h:8080/a%20b/c%2Fd/./e/../f?x=1&y=a%20b&x=0", {}),
        ("execute-api", "GET", "http://h/p?flag&a=%E2%9C%93&b=~._-", {}),
        ("lambda", "POST", "http://h/2015-03-31/functions/f%3A1/invocations", {"data": b"{}"}),
        ("iam", "POST", "http://h/", {"data": {"Action": "ListUsers", "Marker": "a b+c"}}),
        ("sts", "GET", "http://h/", {"params": {"Action": "GetCallerIdentity", "V": "a b/c"}}),
        ("s3", "PUT", "http://h/b/k%20ey%2B%28%29", {"data": b"abc"}),
        ("s3", "GET", "http://h/b//double//slash/../x", {}),
        (
            "dynamodb",
            "POST",
            "http://h/",
            {"headers": {"X-Amz-Target": "A.B", "X-Multi": "a   b  c"}},
        ),
    ],
    ids=lambda v: str(v)[:30],
)
def test_botocore_signers_verify(
    flavour: str, service: str, method: str, url: str, kwargs: dict[str, Any]
) -> None:
    request = _signed(flavour, service, method, url, **kwargs)
    info = read_signing_info(request)
    assert info is not None and info.region == "eu-west-1" and info.service == service
    verify_signature(request, info, SECRET_KEY, now=now())
    with pytest.raises(SignatureDoesNotMatch):
        verify_signature(request, info, SECRET_KEY + "x", now=now())


def test_repeated_headers_are_joined_with_commas() -> None:
    request = AWSRequest(method="GET", url="http://h/", headers={})
    request.headers.add_header("X-Amz-Meta-A", "one")
    request.headers.add_header("X-Amz-Meta-A", "  two  ")
    SigV4Auth(CREDENTIALS, "svc", "us-east-1").add_auth(request)
    _verify(to_http_request(request))


def test_date_header_instead_of_x_amz_date() -> None:
    request = AWSRequest(method="GET", url="http://h/", headers={"Date": "x"})
    SigV4Auth(CREDENTIALS, "svc", "us-east-1").add_auth(request)
    http = to_http_request(request)
    assert "x-amz-date" not in http.headers
    _verify(http)


# -- AWS's published examples -------------------------------------------------------------

EXAMPLE_KEY = "AKIAIOSFODNN7EXAMPLE"
EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
EXAMPLE_DAY = dt.datetime(2013, 5, 24, tzinfo=dt.UTC)


def test_s3_documented_get_object_example() -> None:
    signature = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    request = HttpRequest(
        method="GET",
        path="/test.txt",
        headers=Headers(
            [
                ("Host", "examplebucket.s3.amazonaws.com"),
                ("Range", "bytes=0-9"),
                (
                    "x-amz-content-sha256",
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                ),
                ("x-amz-date", "20130524T000000Z"),
                (
                    "Authorization",
                    f"AWS4-HMAC-SHA256 Credential={EXAMPLE_KEY}/20130524/us-east-1/s3/aws4_request,"
                    "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                    f"Signature={signature}",
                ),
            ]
        ),
    )
    info = read_signing_info(request)
    assert info is not None
    verify_signature(request, info, EXAMPLE_SECRET, now=EXAMPLE_DAY)


def test_sigv4_test_suite_get_vanilla() -> None:
    signature = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    request = HttpRequest(
        method="GET",
        path="/",
        headers=Headers(
            [
                ("Host", "example.amazonaws.com"),
                ("X-Amz-Date", "20150830T123600Z"),
                (
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                    f"aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}",
                ),
            ]
        ),
    )
    info = read_signing_info(request)
    assert info is not None
    when = dt.datetime(2015, 8, 30, 12, 36, tzinfo=dt.UTC)
    verify_signature(request, info, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", now=when)


def test_credential_date_must_match_the_request_date() -> None:
    request = capture(client("s3"), "list_buckets")
    auth = request.headers["authorization"]
    day = request.headers["x-amz-date"][:8]
    request.headers.set("Authorization", auth.replace(f"/{day}/", "/20200101/"))
    info = read_signing_info(request)
    assert info is not None
    with pytest.raises(AuthorizationHeaderMalformed):
        verify_signature(request, info, SECRET_KEY, now=now())
    sts = capture(client("sts"), "get_caller_identity")
    sts.headers.set("Authorization", sts.headers["authorization"].replace(f"/{day}/", "/20200101/"))
    info = read_signing_info(sts)
    assert info is not None
    with pytest.raises(ServiceError) as caught:
        verify_signature(sts, info, SECRET_KEY, now=now())
    assert caught.value.code == "SignatureDoesNotMatch"
    assert "Date in Credential scope does not match" in caught.value.message


def test_s3_requires_the_payload_hash_header() -> None:
    request = capture(client("s3"), "get_object", Bucket="b", Key="k")
    request.headers.remove("x-amz-content-sha256")
    with pytest.raises(InvalidRequest) as caught:
        _verify(request)
    assert caught.value.message.endswith("x-amz-content-sha256")


@pytest.mark.parametrize(
    ("signed", "sent"),
    [
        ("/fn/a%2Fb", "/fn/a%252Fb"),
        ("/b", "/a/%2E%2E/b"),
        ("/a%20b", "/a+b"),
    ],
)
def test_a_signature_does_not_carry_over_to_a_different_path(signed: str, sent: str) -> None:
    request = _signed("python", "lambda", "GET", f"http://h{signed}")
    request.raw_path = sent
    with pytest.raises(SignatureDoesNotMatch):
        _verify(request)


@pytest.mark.parametrize("service", ["s3", "sqs"])
def test_plus_in_a_query_means_space(service: str) -> None:
    literal = _signed("crt", service, "GET", "http://h/b?prefix=a%2Bb")
    literal.query_string = "prefix=a+b"
    with pytest.raises(SignatureDoesNotMatch):
        _verify(literal)
    space = _signed("crt", service, "GET", "http://h/b?prefix=a%20b")
    space.query_string = "prefix=a+b"
    _verify(space)
