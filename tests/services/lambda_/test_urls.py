"""Function URLs served over HTTP: payload format 2.0 events and response mapping.

``*.localhost`` names do not resolve everywhere, so requests go to kumo's address with the
function URL's host in the ``Host`` header, as a resolver would have sent them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

RESPONDER = """
import base64, json

def handler(event, context):
    path = event["rawPath"]
    if path == "/plain":
        return {"seen": event["queryStringParameters"], "method":
                event["requestContext"]["http"]["method"]}
    if path == "/boom":
        raise RuntimeError("no")
    if path == "/binary":
        return {"statusCode": 201, "isBase64Encoded": True,
                "body": base64.b64encode(b"\\x00\\x01").decode(),
                "headers": {"content-type": "application/octet-stream"},
                "cookies": ["a=1", "b=2"]}
    if path == "/iam":
        return event["requestContext"]["authorizer"]["iam"]["userArn"]
    return {"statusCode": 200, "headers": {"x-echo": event["headers"].get("x-test", "")},
            "body": json.dumps({"body": event.get("body"), "b64": event["isBase64Encoded"],
                                "cookies": event.get("cookies")})}
"""


def _call(kumo: Any, url: str, method: str = "GET", path: str = "/", **kwargs: Any) -> Any:
    host = urlsplit(url).netloc
    headers = {"Host": host, **kwargs.pop("headers", {})}
    return requests.request(method, kumo.url + path, headers=headers, timeout=30, **kwargs)


def test_public_url(kumo: Any, lam: Any, new_function: Any) -> None:
    name = new_function(files={"app.py": RESPONDER})["FunctionName"]
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    # without the public permission Lambda answers 403
    assert _call(kumo, url).status_code == 403
    lam.add_permission(
        FunctionName=name,
        StatementId="public-url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    response = _call(
        kumo,
        url,
        "POST",
        "/echo",
        headers={"x-test": "yes", "content-type": "application/json", "cookie": "c=3; d=4"},
        data=b'{"in": 1}',
    )
    assert response.status_code == 200
    assert response.headers["x-echo"] == "yes"
    assert response.json() == {"body": '{"in": 1}', "b64": False, "cookies": ["c=3", "d=4"]}
    plain = _call(kumo, url, path="/plain", params=[("q", "1"), ("q", "2")])
    assert plain.status_code == 200
    assert plain.json() == {"seen": {"q": "1,2"}, "method": "GET"}
    binary = _call(kumo, url, path="/binary")
    assert binary.status_code == 201
    assert binary.content == b"\x00\x01"
    assert binary.headers["content-type"] == "application/octet-stream"
    assert binary.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert _call(kumo, url, path="/boom").status_code == 502


def test_iam_url_needs_a_signature(kumo: Any, lam: Any, new_function: Any, aws_client: Any) -> None:
    name = new_function(files={"app.py": RESPONDER})["FunctionName"]
    url = lam.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]
    assert _call(kumo, url, path="/iam").status_code == 403
    iam = aws_client("iam")
    user = f"url-user-{name[-6:]}"
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    host = urlsplit(url).netloc
    request = AWSRequest(method="GET", url=f"http://{host}/iam", headers={"Host": host})
    SigV4Auth(
        Credentials(key["AccessKeyId"], key["SecretAccessKey"]), "lambda", "us-east-1"
    ).add_auth(request)
    response = requests.get(kumo.url + "/iam", headers=dict(request.headers), timeout=30)
    assert response.status_code == 200
    assert json.loads(response.content) == f"arn:aws:iam::000000000000:user/{user}"


def test_cors(kumo: Any, lam: Any, new_function: Any) -> None:
    name = new_function(files={"app.py": RESPONDER})["FunctionName"]
    url = lam.create_function_url_config(
        FunctionName=name,
        AuthType="NONE",
        Cors={
            "AllowOrigins": ["https://app.example"],
            "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["x-test"],
            "ExposeHeaders": ["x-echo"],
            "MaxAge": 60,
        },
    )["FunctionUrl"]
    lam.add_permission(
        FunctionName=name,
        StatementId="public-url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    origin = {"Origin": "https://app.example"}
    pre = _call(
        kumo,
        url,
        "OPTIONS",
        "/echo",
        headers={**origin, "Access-Control-Request-Method": "POST"},
    )
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert pre.headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert pre.headers["Access-Control-Allow-Headers"] == "x-test"
    assert pre.headers["Access-Control-Max-Age"] == "60"
    actual = _call(kumo, url, "GET", "/echo", headers=origin)
    assert actual.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert actual.headers["Access-Control-Expose-Headers"] == "x-echo"
    other = _call(kumo, url, "GET", "/echo", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


GOLDEN = Path(__file__).parent / "events" / "function_url_request.json"
# members whose keys are the request's own (header names, query parameters)
_MAPS = frozenset({"headers", "queryStringParameters"})


def _shape(value: Any, name: str = "") -> Any:
    """The key structure of an event: member names and value types, not the values."""
    if name in _MAPS:
        return "map"
    if isinstance(value, dict):
        return {k: _shape(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


ECHO_EVENT = """
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""


def test_event_matches_the_documented_payload(
    kumo: Any, lam: Any, new_function: Any, aws_client: Any
) -> None:
    """The event of a signed POST with cookies, a query and a body has exactly the members,
    nesting and value types of the example in Lambda's documentation."""
    name = new_function(files={"app.py": ECHO_EVENT})["FunctionName"]
    url = lam.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]
    iam = aws_client("iam")
    user = f"url-golden-{name[-6:]}"
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    host = urlsplit(url).netloc
    target = f"http://{host}/my/path?parameter1=value1&parameter1=value2&parameter2=value"
    request = AWSRequest(
        method="POST",
        url=target,
        data=b"Hello from client!",
        headers={
            "Host": host,
            "Cookie": "cookie1; cookie2",
            "User-Agent": "agent",
            "Content-Type": "text/plain",
        },
    )
    SigV4Auth(
        Credentials(key["AccessKeyId"], key["SecretAccessKey"]), "lambda", "us-east-1"
    ).add_auth(request)
    response = requests.post(
        kumo.url + "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
        headers=dict(request.headers),
        data=b"Hello from client!",
        timeout=30,
    )
    assert response.status_code == 200, response.text
    event = response.json()
    golden = json.loads(GOLDEN.read_text())
    assert _shape(event) == _shape(golden)
    assert event["rawPath"] == golden["rawPath"]
    assert event["rawQueryString"] == golden["rawQueryString"]
    assert event["queryStringParameters"] == golden["queryStringParameters"]
    assert event["cookies"] == golden["cookies"]
    assert event["body"] == golden["body"]
    context = event["requestContext"]
    assert context["http"]["method"] == "POST"
    assert context["http"]["userAgent"] == "agent"
    assert context["routeKey"] == context["stage"] == "$default"
    assert context["domainPrefix"] == host.split(".")[0] == context["apiId"]
    assert context["authorizer"]["iam"]["userArn"] == f"arn:aws:iam::000000000000:user/{user}"
    assert context["authorizer"]["iam"]["accessKey"] == key["AccessKeyId"]
