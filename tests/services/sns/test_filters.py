"""Filter policies: the matcher and the checks (unit), and filtering on delivery (wire)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kumo.aws.errors import ServiceError
from kumo.services.sns.filters import ATTRIBUTES, BODY, check_policy, matches
from tests.services.sns.helpers import error_of, receive_all


def attrs(**values: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        if isinstance(value, list):
            out[name] = {"DataType": "String.Array", "StringValue": json.dumps(value)}
        elif isinstance(value, int | float):
            out[name] = {"DataType": "Number", "StringValue": str(value)}
        else:
            out[name] = {"DataType": "String", "StringValue": value}
    return out


def on_attributes(policy: dict[str, Any], **values: Any) -> bool:
    check_policy(json.dumps(policy), ATTRIBUTES)
    return matches(policy, ATTRIBUTES, attrs(**values), "")


def on_body(policy: dict[str, Any], body: Any) -> bool:
    check_policy(json.dumps(policy), BODY)
    return matches(policy, BODY, {}, json.dumps(body))


@pytest.mark.parametrize(
    ("policy", "values", "expected"),
    [
        ({"color": ["red", "blue"]}, {"color": "blue"}, True),
        ({"color": ["red"]}, {"color": "green"}, False),
        ({"color": ["red"]}, {}, False),
        ({"size": [3]}, {"size": 3.0}, True),
        ({"size": [{"numeric": [">", 0, "<=", 5]}]}, {"size": 5}, True),
        ({"size": [{"numeric": [">", 0, "<=", 5]}]}, {"size": 6}, False),
        ({"size": [{"numeric": ["=", 7]}]}, {"size": 7}, True),
        ({"name": [{"prefix": "ku"}]}, {"name": "kumo"}, True),
        ({"name": [{"suffix": "mo"}]}, {"name": "kumo"}, True),
        ({"name": [{"suffix": "mo"}]}, {"name": "kumox"}, False),
        ({"name": [{"equals-ignore-case": "KUMO"}]}, {"name": "Kumo"}, True),
        ({"name": [{"anything-but": ["a", "b"]}]}, {"name": "c"}, True),
        ({"name": [{"anything-but": ["a", "b"]}]}, {"name": "a"}, False),
        ({"name": [{"anything-but": "a"}]}, {}, False),
        ({"name": [{"anything-but": {"prefix": "tmp-"}}]}, {"name": "tmp-1"}, False),
        ({"name": [{"anything-but": {"prefix": "tmp-"}}]}, {"name": "keep"}, True),
        ({"size": [{"anything-but": [1, 2]}]}, {"size": 3}, True),
        ({"name": [{"exists": True}]}, {"name": "x"}, True),
        ({"name": [{"exists": True}]}, {}, False),
        ({"name": [{"exists": False}]}, {}, True),
        ({"name": [{"exists": False}]}, {"name": "x"}, False),
        ({"tags": ["b"]}, {"tags": ["a", "b"]}, True),
        ({"tags": ["c"]}, {"tags": ["a", "b"]}, False),
        ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.0.9"}, True),
        ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.1.9"}, False),
        ({"a": ["1"], "b": ["2"]}, {"a": "1", "b": "2"}, True),
        ({"a": ["1"], "b": ["2"]}, {"a": "1", "b": "3"}, False),
        ({"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "2"}, True),
        ({"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "3"}, False),
        ({}, {}, True),
    ],
)
def test_attribute_matching(policy: dict[str, Any], values: dict[str, Any], expected: bool) -> None:
    assert on_attributes(policy, **values) is expected


@pytest.mark.parametrize(
    ("policy", "body", "expected"),
    [
        ({"order": {"status": ["paid"]}}, {"order": {"status": "paid"}}, True),
        ({"order": {"status": ["paid"]}}, {"order": {"status": "open"}}, False),
        ({"order": {"total": [{"numeric": [">=", 100]}]}}, {"order": {"total": 150}}, True),
        ({"items": {"sku": ["x"]}}, {"items": [{"sku": "y"}, {"sku": "x"}]}, True),
        ({"flag": [True]}, {"flag": True}, True),
        ({"flag": [None]}, {"flag": None}, True),
        ({"missing": [{"exists": False}]}, {"other": 1}, True),
        ({"$or": [{"a": [1]}, {"b": {"c": ["d"]}}]}, {"b": {"c": "d"}}, True),
    ],
)
def test_body_matching(policy: dict[str, Any], body: Any, expected: bool) -> None:
    assert on_body(policy, body) is expected


def test_body_scope_needs_a_json_object() -> None:
    assert matches({"a": ["b"]}, BODY, {}, "not json") is False


@pytest.mark.parametrize(
    ("policy", "scope", "reason"),
    [
        ("not json", ATTRIBUTES, "failed to parse JSON."),
        ('{"a": "b"}', ATTRIBUTES, '"a" must be an object or an array'),
        ('{"a": []}', ATTRIBUTES, 'Empty arrays are not allowed for "a"'),
        ('{"a": {"b": ["c"]}}', ATTRIBUTES, "does not support nested filter policy"),
        ('{"a": [{"prefix": 1}]}', ATTRIBUTES, "prefix match pattern must be a string"),
        ('{"a": [{"exists": "yes"}]}', ATTRIBUTES, "exists match pattern must be either true"),
        ('{"a": [{"numeric": [">", "x"]}]}', ATTRIBUTES, "Value of > must be numeric"),
        ('{"a": [{"numeric": ["~", 1]}]}', ATTRIBUTES, "Unrecognized numeric range operator"),
        ('{"a": [{"numeric": [">", 5, "<", 1]}]}', ATTRIBUTES, "Bottom must be less than top"),
        ('{"a": [{"numeric": ["<", 5, ">", 1]}]}', ATTRIBUTES, "Too many elements in numeric"),
        ('{"a": [{"numeric": [">", 5, ">", 1]}]}', ATTRIBUTES, "Bad numeric range operator: >"),
        ('{"a": [{"numeric": []}]}', ATTRIBUTES, "Invalid member in numeric match: ]"),
        ('{"a": [{"numeric": [5, "<", 1]}]}', ATTRIBUTES, "Invalid member in numeric match: 5"),
        ('{"a": [["x"]]}', ATTRIBUTES, "Match value must be String, number, true, false, or null"),
        ('{"a": [{"wildcard": "x"}]}', ATTRIBUTES, "Unrecognized match type wildcard"),
        ('{"$or": [{"a": ["1"]}]}', ATTRIBUTES, "Or statement must contain at least 2"),
        (json.dumps({k: ["v"] for k in "abcdef"}), ATTRIBUTES, "more than 5 keys"),
        (
            json.dumps({k: [str(i) for i in range(10)] for k in "abc"}),
            ATTRIBUTES,
            "too complex",
        ),
    ],
)
def test_policy_checks(policy: str, scope: str, reason: str) -> None:
    with pytest.raises(ServiceError) as excinfo:
        check_policy(policy, scope)
    assert excinfo.value.code == "InvalidParameterException"
    assert excinfo.value.message.startswith("Invalid parameter: ")
    assert reason in excinfo.value.message


def test_filtering_on_delivery(
    sns: Any,
    sqs: Any,
    new_topic: Callable[..., str],
    new_queue: Callable[..., tuple[str, str]],
) -> None:
    topic = new_topic()
    red_url, red_arn = new_queue()
    body_url, body_arn = new_queue()
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=red_arn,
        Attributes={"FilterPolicy": json.dumps({"color": ["red"]}), "RawMessageDelivery": "true"},
    )
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=body_arn,
        Attributes={
            "FilterPolicy": json.dumps({"kind": [{"prefix": "order."}]}),
            "FilterPolicyScope": "MessageBody",
            "RawMessageDelivery": "true",
        },
    )
    red = {"color": {"DataType": "String", "StringValue": "red"}}
    blue = {"color": {"DataType": "String", "StringValue": "blue"}}
    sns.publish(TopicArn=topic, Message=json.dumps({"kind": "order.paid"}), MessageAttributes=red)
    sns.publish(TopicArn=topic, Message=json.dumps({"kind": "user.new"}), MessageAttributes=blue)
    sns.publish(TopicArn=topic, Message="plain", MessageAttributes=red)
    assert sorted(m["Body"] for m in receive_all(sqs, red_url, 2)) == [
        "plain",
        '{"kind": "order.paid"}',
    ]
    assert [m["Body"] for m in receive_all(sqs, body_url, 1)] == ['{"kind": "order.paid"}']
    assert receive_all(sqs, body_url, 1, wait=0) == []


def test_invalid_policy_is_refused_on_the_wire(
    sns: Any, new_topic: Callable[..., str], new_queue: Callable[..., tuple[str, str]]
) -> None:
    topic = new_topic()
    _, queue_arn = new_queue()
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"FilterPolicy": '{"a": [{"numeric": [">", "x"]}]}'},
        )
    # reasons found while parsing the policy are worded as Subscribe words attribute errors
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: FilterPolicy: Value of > must be numeric",
    )
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"FilterPolicy": json.dumps({"a": [str(i) for i in range(151)]})},
        )
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: FilterPolicy: Filter policy is too complex",
    )
    sub = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"FilterPolicy": '{"a": {"b": ["c"]}}', "FilterPolicyScope": "MessageBody"},
    )["SubscriptionArn"]
    # moving a nested policy to the attribute scope is refused
    with pytest.raises(ClientError) as excinfo:
        sns.set_subscription_attributes(
            SubscriptionArn=sub,
            AttributeName="FilterPolicyScope",
            AttributeValue="MessageAttributes",
        )
    assert error_of(excinfo) == (
        "InvalidParameter",
        "Invalid parameter: Filter policy scope MessageAttributes does not support nested "
        "filter policy",
    )
    with pytest.raises(ClientError) as excinfo:
        sns.set_subscription_attributes(
            SubscriptionArn=sub, AttributeName="FilterPolicyScope", AttributeValue="Nowhere"
        )
    assert error_of(excinfo)[0] == "InvalidParameter"


def test_emptying_the_policy_removes_its_scope(
    sns: Any, new_topic: Callable[..., str], new_queue: Callable[..., tuple[str, str]]
) -> None:
    _, queue_arn = new_queue()
    sub = sns.subscribe(
        TopicArn=new_topic(),
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"FilterPolicy": '{"a": ["b"]}', "FilterPolicyScope": "MessageBody"},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    sns.set_subscription_attributes(
        SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue=""
    )
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert "FilterPolicy" not in attributes
    assert "FilterPolicyScope" not in attributes
