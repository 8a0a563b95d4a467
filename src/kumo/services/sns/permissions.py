"""A topic's access policy and data protection policy: AddPermission, RemovePermission,
GetDataProtectionPolicy and PutDataProtectionPolicy.

AddPermission appends a statement (``Sid`` = the label, the accounts' root ARNs as the AWS
principal, ``SNS:<action>`` actions, the topic as resource) to the topic's Policy attribute —
the default policy AWS gives a topic when none was set; RemovePermission drops the
statements with that label. Both are visible through GetTopicAttributes(Policy).
"""

from __future__ import annotations

import json
from typing import Any

from kumo.aws.context import RequestContext
from kumo.services.base import Provider
from kumo.services.sns import store as db
from kumo.services.sns.attributes import default_policy
from kumo.services.sns.errors import invalid_parameter
from kumo.services.sns.models import Topic, parse_topic_arn
from kumo.storage.base import Tx

__all__ = [
    "add_permission",
    "get_data_protection_policy",
    "put_data_protection_policy",
    "remove_permission",
]

Output = dict[str, Any]

# the topic actions a policy statement may grant
TOPIC_ACTIONS = frozenset(
    {
        "GetTopicAttributes",
        "SetTopicAttributes",
        "AddPermission",
        "RemovePermission",
        "DeleteTopic",
        "Subscribe",
        "ListSubscriptionsByTopic",
        "Publish",
        "Receive",
    }
)


def _one_or_many(values: list[str]) -> str | list[str]:
    # AWS writes a single principal or action as a string, several as a list
    return values[0] if len(values) == 1 else values


def _policy(topic: Topic) -> dict[str, Any]:
    """The topic's policy document (the default one if none was set), statements as a list."""
    text = topic.attributes.get("Policy") or default_policy(topic)
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        document = json.loads(default_policy(topic))
    statements = document.get("Statement", [])
    document["Statement"] = statements if isinstance(statements, list) else [statements]
    return document


def _store_policy(tx: Tx, topic: Topic, document: dict[str, Any]) -> None:
    topic.attributes["Policy"] = json.dumps(document, separators=(",", ":"))
    db.put_topic(tx, topic)


def _labelled(statement: Any, label: str) -> bool:
    return isinstance(statement, dict) and statement.get("Sid") == label


def add_permission(
    host: Provider,
    ctx: RequestContext,
    topic_arn: str,
    label: str,
    aws_account_id: list[str],
    action_name: list[str],
) -> Output:
    parse_topic_arn(topic_arn)
    if not label:
        raise invalid_parameter("Label")
    if not aws_account_id:
        raise invalid_parameter("AWSAccountId")
    if not action_name:
        raise invalid_parameter("ActionName")

    def add(tx: Tx) -> None:
        topic = db.require_topic(tx, topic_arn)
        document = _policy(topic)
        if any(_labelled(statement, label) for statement in document["Statement"]):
            raise invalid_parameter("Statement already exists")
        if any(action not in TOPIC_ACTIONS for action in action_name):
            raise invalid_parameter("Policy statement action out of service scope!")
        principals = [f"arn:aws:iam::{account}:root" for account in aws_account_id]
        document["Statement"].append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {"AWS": _one_or_many(principals)},
                "Action": _one_or_many([f"SNS:{action}" for action in action_name]),
                "Resource": topic.arn,
            }
        )
        _store_policy(tx, topic, document)

    host.store.write(add)
    return {}


def remove_permission(host: Provider, ctx: RequestContext, topic_arn: str, label: str) -> Output:
    parse_topic_arn(topic_arn)

    def remove(tx: Tx) -> None:
        topic = db.require_topic(tx, topic_arn)
        document = _policy(topic)
        kept = [statement for statement in document["Statement"] if not _labelled(statement, label)]
        # removing a label the policy does not hold is not an error
        if len(kept) != len(document["Statement"]):
            document["Statement"] = kept
            _store_policy(tx, topic, document)

    host.store.write(remove)
    return {}


def get_data_protection_policy(host: Provider, ctx: RequestContext, resource_arn: str) -> Output:
    parse_topic_arn(resource_arn)
    topic = host.store.read(lambda tx: db.require_topic(tx, resource_arn))
    return {"DataProtectionPolicy": topic.attributes.get("DataProtectionPolicy", "")}


def put_data_protection_policy(
    host: Provider, ctx: RequestContext, resource_arn: str, data_protection_policy: str
) -> Output:
    parse_topic_arn(resource_arn)
    if data_protection_policy:
        try:
            document = json.loads(data_protection_policy)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise invalid_parameter("DataProtectionPolicy")

    def put(tx: Tx) -> None:
        topic = db.require_topic(tx, resource_arn)
        topic.attributes["DataProtectionPolicy"] = data_protection_policy
        db.put_topic(tx, topic)

    host.store.write(put)
    return {}
