"""Every filter policy operator through the wire: one topic, a queue per policy, a set of
messages; each queue gets exactly the messages its policy matches (attributes and body)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.services.sns.helpers import receive_all

Topic = Callable[..., str]
Queue = Callable[..., tuple[str, str]]


def s(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


def n(value: str) -> dict[str, str]:
    return {"DataType": "Number", "StringValue": value}


# (name, message attributes, body)
MESSAGES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "m1",
        {"store": s("example_corp"), "price": n("100"), "event": s("order-placed")},
        {"order": {"status": "PAID", "total": 120, "lines": [{"sku": "a"}, {"sku": "b"}]}},
    ),
    (
        "m2",
        {"store": s("other"), "price": n("5.5"), "event": s("order-cancelled")},
        {"order": {"status": "open", "total": 10}},
    ),
    ("m3", {"region": s("EU-West")}, {"user": {"name": "x"}}),
    (
        "m4",
        {"tags": {"DataType": "String.Array", "StringValue": '["vip", "new"]'}},
        {"order": {"status": "paid", "total": 300}, "vip": True},
    ),
]

ATTRIBUTE_POLICIES: dict[str, tuple[dict[str, Any], set[str]]] = {
    "exact": ({"store": ["example_corp"]}, {"m1"}),
    "prefix": ({"event": [{"prefix": "order-"}]}, {"m1", "m2"}),
    "suffix": ({"event": [{"suffix": "-cancelled"}]}, {"m2"}),
    "anything-but": ({"store": [{"anything-but": ["example_corp"]}]}, {"m2"}),
    "anything-but-prefix": ({"event": [{"anything-but": {"prefix": "order-p"}}]}, {"m2"}),
    "numeric": ({"price": [{"numeric": [">", 10, "<=", 100]}]}, {"m1"}),
    "numeric-equals": ({"price": [{"numeric": ["=", 5.5]}]}, {"m2"}),
    "exists": ({"region": [{"exists": True}]}, {"m3"}),
    "not-exists": ({"store": [{"exists": False}]}, {"m3", "m4"}),
    "ignore-case": ({"region": [{"equals-ignore-case": "eu-west"}]}, {"m3"}),
    "array": ({"tags": ["vip"]}, {"m4"}),
    "and": ({"store": ["other"], "price": [{"numeric": ["<", 6]}]}, {"m2"}),
    "or": ({"$or": [{"store": ["other"]}, {"region": [{"prefix": "EU"}]}]}, {"m2", "m3"}),
}

BODY_POLICIES: dict[str, tuple[dict[str, Any], set[str]]] = {
    "nested": ({"order": {"status": ["open"]}}, {"m2"}),
    "nested-ignore-case": ({"order": {"status": [{"equals-ignore-case": "paid"}]}}, {"m1", "m4"}),
    "nested-numeric": ({"order": {"total": [{"numeric": [">=", 100]}]}}, {"m1", "m4"}),
    "in-array": ({"order": {"lines": {"sku": ["b"]}}}, {"m1"}),
    "boolean": ({"vip": [True]}, {"m4"}),
    "or-nested": (
        {"$or": [{"user": {"name": ["x"]}}, {"order": {"total": [{"numeric": ["<", 50]}]}}]},
        {"m2", "m3"},
    ),
}


def test_every_operator_on_delivery(sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue) -> None:
    topic = new_topic()
    queues: dict[str, tuple[str, set[str]]] = {}
    for scope, policies in (
        ("MessageAttributes", ATTRIBUTE_POLICIES),
        ("MessageBody", BODY_POLICIES),
    ):
        for name, (policy, expected) in policies.items():
            url, arn = new_queue()
            sns.subscribe(
                TopicArn=topic,
                Protocol="sqs",
                Endpoint=arn,
                Attributes={
                    "FilterPolicy": json.dumps(policy),
                    "FilterPolicyScope": scope,
                    "RawMessageDelivery": "true",
                },
            )
            queues[f"{scope}:{name}"] = (url, expected)
    for name, attributes, body in MESSAGES:
        sns.publish(
            TopicArn=topic, Message=json.dumps({"name": name, **body}), MessageAttributes=attributes
        )
    for label, (url, expected) in queues.items():
        got = receive_all(sqs, url, len(expected))
        names = {json.loads(m["Body"])["name"] for m in got}
        assert names == expected, label
        assert receive_all(sqs, url, 1, wait=0) == [], label
