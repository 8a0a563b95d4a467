"""Bad input gets the error an AWS client expects: a 4xx with a code, never a 500 or a hang."""

from __future__ import annotations

import random

import pytest
import requests

from tests.conftest import RunningKumo

JSON10 = "application/x-amz-json-1.0"
FORM = "application/x-www-form-urlencoded"

CASES = [
    ("POST", "/", {"Content-Type": JSON10, "X-Amz-Target": "DynamoDB_20120810.ListTables"}, b"{"),
    ("POST", "/", {"Content-Type": JSON10, "X-Amz-Target": "DynamoDB_20120810.Nope"}, b"{}"),
    ("POST", "/", {"Content-Type": JSON10, "X-Amz-Target": "DynamoDB_20120810.GetItem"}, b"[1]"),
    ("POST", "/", {"Content-Type": FORM}, b"Action=NoSuchAction&Version=2011-06-15"),
    ("POST", "/", {"Content-Type": FORM}, b"Action=GetRole&Version=2010-05-08"),
    ("POST", "/", {"Content-Type": FORM}, b"Action=CreateRole&RoleName=x&MaxSessionDuration=abc"),
    ("POST", "/", {"Content-Type": FORM}, b"%%%%&&&==="),
    ("GET", "/2015-03-31/functions/bad%20name!/configuration", {}, b""),
    ("POST", "/2015-03-31/functions", {"Content-Type": "application/json"}, b"not json"),
    ("PUT", "/bucket?tagging", {}, b"<Tagging><TagSet><Tag>"),
    ("DELETE", "/", {}, b""),
]


@pytest.mark.parametrize(("method", "path", "headers", "body"), CASES)
def test_malformed_request_is_a_client_error(
    kumo: RunningKumo, method: str, path: str, headers: dict[str, str], body: bytes
) -> None:
    response = requests.request(method, kumo.url + path, headers=headers, data=body, timeout=10)

    assert 400 <= response.status_code < 500 or response.status_code == 501, response.text
    assert response.content, "an error needs a body naming its code"


def test_random_bytes_never_crash_kumo(kumo: RunningKumo) -> None:
    rng = random.Random(7)
    targets = [
        {"Content-Type": JSON10, "X-Amz-Target": "DynamoDB_20120810.PutItem"},
        {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.Encrypt"},
        {"Content-Type": FORM},
        {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"},
    ]
    with requests.Session() as session:
        for i in range(200):
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
            headers = targets[i % len(targets)]
            path = "/service/GraniteServiceVersion20100801/operation/PutMetricData"
            url = kumo.url + (path if "smithy-protocol" in headers else "/")
            response = session.post(url, headers=headers, data=body, timeout=10)
            assert response.status_code < 500 or response.status_code == 501, (
                body,
                response.text,
            )
