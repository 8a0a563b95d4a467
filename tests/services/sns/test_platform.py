"""Mobile push: platform applications, endpoints, and Publish to an endpoint (recorded in the
outbox under ``/_kumo/sns/messages``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.services.sns.helpers import error_of

GCM = {"PlatformCredential": "firebase-server-key"}
APNS = {"PlatformPrincipal": "certificate", "PlatformCredential": "private-key"}


@pytest.fixture
def new_app(sns: Any) -> Callable[..., str]:
    def make(platform: str = "GCM", **attributes: str) -> str:
        name = f"app-{uuid.uuid4().hex[:12]}"
        wanted = attributes or (GCM if platform == "GCM" else APNS)
        arn = sns.create_platform_application(Name=name, Platform=platform, Attributes=wanted)
        return str(arn["PlatformApplicationArn"])

    return make


def _sent_to(kumo: Any, endpoint_arn: str) -> list[dict[str, Any]]:
    messages = requests.get(f"{kumo.url}/_kumo/sns/messages", timeout=10).json()["messages"]
    return [m for m in messages if m["endpoint"] == endpoint_arn]


def test_application_lifecycle(sns: Any, account: str) -> None:
    name = f"app-{uuid.uuid4().hex[:12]}"
    arn = sns.create_platform_application(
        Name=name,
        Platform="APNS",
        Attributes={**APNS, "SuccessFeedbackSampleRate": "100"},
    )["PlatformApplicationArn"]
    assert arn == f"arn:aws:sns:us-east-1:{account}:app/APNS/{name}"
    attributes = sns.get_platform_application_attributes(PlatformApplicationArn=arn)
    # the credentials are kept but never shown
    assert attributes["Attributes"] == {"Enabled": "true", "SuccessFeedbackSampleRate": "100"}
    sns.set_platform_application_attributes(
        PlatformApplicationArn=arn, Attributes={"SuccessFeedbackSampleRate": "50"}
    )
    attributes = sns.get_platform_application_attributes(PlatformApplicationArn=arn)
    assert attributes["Attributes"]["SuccessFeedbackSampleRate"] == "50"
    listed = {
        app["PlatformApplicationArn"]: app["Attributes"]
        for page in sns.get_paginator("list_platform_applications").paginate()
        for app in page["PlatformApplications"]
    }
    assert listed[arn]["SuccessFeedbackSampleRate"] == "50"
    sns.delete_platform_application(PlatformApplicationArn=arn)
    sns.delete_platform_application(PlatformApplicationArn=arn)  # not an error
    with pytest.raises(ClientError) as excinfo:
        sns.get_platform_application_attributes(PlatformApplicationArn=arn)
    assert error_of(excinfo) == ("NotFound", "PlatformApplication does not exist")


@pytest.fixture
def account(aws_client: Any) -> str:
    return str(aws_client("sts").get_caller_identity()["Account"])


def test_application_errors(sns: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.create_platform_application(Name="x", Platform="PIGEON", Attributes=GCM)
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Platform Reason: PIGEON is not supported",
    )
    with pytest.raises(ClientError) as excinfo:
        sns.create_platform_application(Name="bad name!", Platform="GCM", Attributes=GCM)
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: bad name! Reason: must contain only characters 'a'-'z', 'A'-'Z', "
        "'0'-'9', '_', '-', and '.'",
    )
    with pytest.raises(ClientError) as excinfo:
        sns.create_platform_application(
            Name="x", Platform="APNS", Attributes={"PlatformCredential": "key"}
        )
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: PlatformCredential attribute provided without "
        "PlatformPrincipal",
    )


def test_endpoints(sns: Any, new_app: Callable[..., str]) -> None:
    app = new_app()
    arn = sns.create_platform_endpoint(
        PlatformApplicationArn=app, Token="device-1", CustomUserData="alice"
    )["EndpointArn"]
    assert arn.split(":")[5].startswith(f"endpoint/GCM/{app.split('/')[-1]}/")
    # the same token and attributes: the same endpoint
    again = sns.create_platform_endpoint(
        PlatformApplicationArn=app, Token="device-1", CustomUserData="alice"
    )
    assert again["EndpointArn"] == arn
    with pytest.raises(ClientError) as excinfo:
        sns.create_platform_endpoint(
            PlatformApplicationArn=app, Token="device-1", CustomUserData="bob"
        )
    assert error_of(excinfo) == (
        "InvalidParameter",
        f"Invalid parameter: Token Reason: Endpoint {arn} already exists with the same Token, "
        "but different attributes.",
    )
    assert sns.get_endpoint_attributes(EndpointArn=arn)["Attributes"] == {
        "Enabled": "true",
        "Token": "device-1",
        "CustomUserData": "alice",
    }
    sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Token": "device-2"})
    assert sns.get_endpoint_attributes(EndpointArn=arn)["Attributes"]["Token"] == "device-2"
    other = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1")
    assert other["EndpointArn"] != arn
    listed = sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)
    assert {e["EndpointArn"] for e in listed["Endpoints"]} == {arn, other["EndpointArn"]}
    sns.delete_endpoint(EndpointArn=arn)
    sns.delete_endpoint(EndpointArn=arn)  # not an error
    with pytest.raises(ClientError) as excinfo:
        sns.get_endpoint_attributes(EndpointArn=arn)
    assert error_of(excinfo) == ("NotFound", "Endpoint does not exist")
    listed = sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)
    assert [e["EndpointArn"] for e in listed["Endpoints"]] == [other["EndpointArn"]]
    # deleting the application takes its endpoints with it
    sns.delete_platform_application(PlatformApplicationArn=app)
    with pytest.raises(ClientError) as excinfo:
        sns.get_endpoint_attributes(EndpointArn=other["EndpointArn"])
    assert error_of(excinfo)[0] == "NotFound"


def test_endpoint_errors(sns: Any, new_app: Callable[..., str]) -> None:
    app = new_app()
    with pytest.raises(ClientError) as excinfo:
        sns.create_platform_endpoint(
            PlatformApplicationArn=app, Token="t", Attributes={"Colour": "red"}
        )
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Invalid attribute name: Colour",
    )
    with pytest.raises(ClientError) as excinfo:
        sns.create_platform_endpoint(
            PlatformApplicationArn=app, Token="t", CustomUserData="x" * 2049
        )
    assert "CustomUserData: must be at most 2048 bytes" in error_of(excinfo)[1]
    missing = app + "-gone"
    with pytest.raises(ClientError) as excinfo:
        sns.create_platform_endpoint(PlatformApplicationArn=missing, Token="t")
    assert error_of(excinfo) == ("NotFound", "PlatformApplication does not exist")
    with pytest.raises(ClientError) as excinfo:
        sns.list_endpoints_by_platform_application(PlatformApplicationArn=missing)
    assert error_of(excinfo) == ("NotFound", "PlatformApplication does not exist")
    arn = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="t")["EndpointArn"]
    with pytest.raises(ClientError) as excinfo:
        sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Colour": "red"})
    assert error_of(excinfo)[0] == "InvalidParameter"
    sns.delete_endpoint(EndpointArn=arn)
    with pytest.raises(ClientError) as excinfo:
        sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Enabled": "false"})
    assert error_of(excinfo) == ("NotFound", "Endpoint does not exist")


def test_list_endpoints_pages(sns: Any, new_app: Callable[..., str]) -> None:
    app = new_app()
    made = {
        sns.create_platform_endpoint(PlatformApplicationArn=app, Token=f"t{i}")["EndpointArn"]
        for i in range(103)
    }
    pages = list(
        sns.get_paginator("list_endpoints_by_platform_application").paginate(
            PlatformApplicationArn=app
        )
    )
    assert len(pages) == 2
    seen = [e["EndpointArn"] for page in pages for e in page["Endpoints"]]
    assert len(seen) == 103
    assert set(seen) == made


def test_publish_to_an_endpoint(sns: Any, kumo: Any, new_app: Callable[..., str]) -> None:
    app = new_app()
    arn = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="d")["EndpointArn"]
    message_id = sns.publish(TargetArn=arn, Message="plain")["MessageId"]
    structured = json.dumps({"default": "fallback", "GCM": json.dumps({"data": {"k": "v"}})})
    sns.publish(TargetArn=arn, Message=structured, MessageStructure="json")
    sent = _sent_to(kumo, arn)
    assert [m["protocol"] for m in sent] == ["application", "application"]
    assert sent[0]["message_id"] == message_id
    assert sent[0]["message"] == "plain"
    assert json.loads(sent[1]["message"]) == {"data": {"k": "v"}}


def test_publish_to_a_disabled_or_missing_endpoint(
    sns: Any, kumo: Any, new_app: Callable[..., str]
) -> None:
    app = new_app()
    arn = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="d")["EndpointArn"]
    sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Enabled": "false"})
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TargetArn=arn, Message="hi")
    assert error_of(excinfo) == ("EndpointDisabled", "Endpoint is disabled")
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TargetArn=arn, Message="")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Empty message")
    sns.delete_endpoint(EndpointArn=arn)
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TargetArn=arn, Message="hi")
    assert error_of(excinfo) == ("NotFound", "Endpoint does not exist")
    assert _sent_to(kumo, arn) == []


def test_topic_fans_out_to_application_subscriptions(
    sns: Any, kumo: Any, new_app: Callable[..., str], new_topic: Callable[..., str]
) -> None:
    app = new_app("APNS")
    enabled = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="on")["EndpointArn"]
    disabled = sns.create_platform_endpoint(
        PlatformApplicationArn=app, Token="off", Attributes={"Enabled": "false"}
    )["EndpointArn"]
    topic = new_topic()
    for endpoint in (enabled, disabled):
        sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=endpoint)
    structured = json.dumps({"default": "fallback", "APNS": '{"aps":{"alert":"hi"}}'})
    message_id = sns.publish(TopicArn=topic, Message=structured, MessageStructure="json")[
        "MessageId"
    ]
    (sent,) = _sent_to(kumo, enabled)
    assert sent["protocol"] == "application"
    assert sent["topic_arn"] == topic
    assert sent["message_id"] == message_id
    assert json.loads(sent["message"]) == {"aps": {"alert": "hi"}}
    assert _sent_to(kumo, disabled) == []
