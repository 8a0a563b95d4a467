"""Topic and subscription attributes: which may be set, their checks, and what Get*Attributes
reports beside them."""

from __future__ import annotations

import json

from kumo.services.sns import filters
from kumo.services.sns.errors import invalid_parameter
from kumo.services.sns.models import Subscription, Topic

__all__ = [
    "check_subscription_attributes",
    "check_topic_attributes",
    "dead_letter_arn",
    "subscription_attributes",
    "topic_attributes",
]

TOPIC_ATTRIBUTES = frozenset(
    {
        "DeliveryPolicy",
        "DisplayName",
        "Policy",
        "SignatureVersion",
        "TracingConfig",
        "KmsMasterKeyId",
        "FifoTopic",
        "ContentBasedDeduplication",
        "ArchivePolicy",
        "DataProtectionPolicy",
        "FifoThroughputScope",
    }
)
SUBSCRIPTION_ATTRIBUTES = frozenset(
    {
        "DeliveryPolicy",
        "FilterPolicy",
        "FilterPolicyScope",
        "RawMessageDelivery",
        "RedrivePolicy",
        "SubscriptionRoleArn",
        "ReplayPolicy",
    }
)
_RAW_PROTOCOLS = ("sqs", "http", "https", "firehose")
_EFFECTIVE_DELIVERY_POLICY = json.dumps(
    {
        "http": {
            "defaultHealthyRetryPolicy": {
                "minDelayTarget": 20,
                "maxDelayTarget": 20,
                "numRetries": 3,
                "numMaxDelayRetries": 0,
                "numNoDelayRetries": 0,
                "numMinDelayRetries": 0,
                "backoffFunction": "linear",
            },
            "disableSubscriptionOverrides": False,
            "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
        }
    },
    separators=(",", ":"),
)


def _boolean(name: str, value: str) -> str:
    if value.lower() not in ("true", "false"):
        raise invalid_parameter(f"{name}: Invalid value [{value}]. Must be true or false.")
    return value.lower()


def check_topic_attributes(
    attributes: dict[str, str], *, fifo: bool, creating: bool
) -> dict[str, str]:
    """``attributes`` checked and normalised (booleans lowercase)."""
    out: dict[str, str] = {}
    for name, value in attributes.items():
        if name not in TOPIC_ATTRIBUTES:
            raise invalid_parameter("AttributeName")
        if name == "FifoTopic":
            if not creating:
                raise invalid_parameter("AttributeName")
            value = _boolean(name, value)
        elif name == "ContentBasedDeduplication":
            value = _boolean(name, value)
            if value == "true" and not fifo:
                raise invalid_parameter(
                    "ContentBasedDeduplication Reason: Content based deduplication can only be "
                    "set for FIFO topics"
                )
        elif name == "SignatureVersion" and value not in ("1", "2"):
            raise invalid_parameter(
                f"Attributes Reason: SignatureVersion: Invalid value [{value}]. Should be one of "
                "[1, 2]"
            )
        elif name in ("Policy", "DeliveryPolicy") and value:
            try:
                json.loads(value)
            except ValueError:
                raise invalid_parameter(f"{name}: failed to parse JSON.") from None
        out[name] = value
    return out


def default_policy(topic: Topic) -> str:
    actions = [
        "SNS:GetTopicAttributes",
        "SNS:SetTopicAttributes",
        "SNS:AddPermission",
        "SNS:RemovePermission",
        "SNS:DeleteTopic",
        "SNS:Subscribe",
        "SNS:ListSubscriptionsByTopic",
        "SNS:Publish",
    ]
    statement = {
        "Sid": "__default_statement_ID",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": actions,
        "Resource": topic.arn,
        "Condition": {"StringEquals": {"AWS:SourceOwner": topic.account}},
    }
    policy = {"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [statement]}
    return json.dumps(policy, separators=(",", ":"))


def topic_attributes(topic: Topic, confirmed: int, pending: int) -> dict[str, str]:
    values = {
        "TopicArn": topic.arn,
        "Owner": topic.account,
        "DisplayName": "",
        "Policy": default_policy(topic),
        "SubscriptionsConfirmed": str(confirmed),
        "SubscriptionsPending": str(pending),
        "SubscriptionsDeleted": "0",
        "EffectiveDeliveryPolicy": _EFFECTIVE_DELIVERY_POLICY,
    }
    if topic.fifo:
        values["FifoTopic"] = "true"
        values["ContentBasedDeduplication"] = "false"
    values.update(topic.attributes)
    return values


def check_subscription_attributes(
    attributes: dict[str, str],
    current: dict[str, str] | None = None,
    *,
    protocol: str,
    subscribing: bool = False,
) -> dict[str, str]:
    """``attributes`` checked (filter policies against the scope they will have).

    Subscribe words its errors "Invalid parameter: Attributes Reason: ...", while
    SetSubscriptionAttributes says "Invalid parameter: ..."; an emptied FilterPolicy takes
    its FilterPolicyScope with it.
    """
    lead = "Attributes Reason: " if subscribing else ""
    out: dict[str, str] = {}
    for name, value in attributes.items():
        if name not in SUBSCRIPTION_ATTRIBUTES:
            raise invalid_parameter(f"{lead}AttributeName")
        if name == "RawMessageDelivery":
            if value.lower() not in ("true", "false"):
                raise invalid_parameter(
                    f"{lead}RawMessageDelivery: Invalid value [{value}]. Must be true or false."
                )
            value = value.lower()
            if value == "true" and protocol not in _RAW_PROTOCOLS:
                raise invalid_parameter(
                    f"{lead}Delivery protocol [{protocol}] does not support raw message delivery"
                )
        elif name == "DeliveryPolicy" and value:
            try:
                json.loads(value)
            except ValueError:
                raise invalid_parameter(f"{lead}DeliveryPolicy: failed to parse JSON.") from None
        elif name == "RedrivePolicy" and value:
            dead_letter_arn(value, lead)
        elif name == "FilterPolicyScope" and value not in (filters.ATTRIBUTES, filters.BODY):
            raise invalid_parameter(
                f"{lead}FilterPolicyScope: Invalid value [{value}]. Please use either "
                "MessageBody or MessageAttributes"
            )
        out[name] = value
    merged = {**(current or {}), **out}
    if merged.get("FilterPolicy"):
        scope = merged.get("FilterPolicyScope") or filters.ATTRIBUTES
        filters.check_policy(merged["FilterPolicy"], scope, lead=lead)
    elif "FilterPolicy" in out:
        out["FilterPolicyScope"] = ""
    return out


def dead_letter_arn(redrive_policy: str | None, lead: str = "") -> str | None:
    """The SQS queue ARN of a subscription's RedrivePolicy (checked as AWS checks it)."""
    if not redrive_policy:
        return None
    try:
        document = json.loads(redrive_policy)
    except ValueError:
        raise invalid_parameter(f"{lead}RedrivePolicy: failed to parse JSON.") from None
    arn = document.get("deadLetterTargetArn") if isinstance(document, dict) else None
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs":
        raise invalid_parameter(f"{lead}RedrivePolicy: deadLetterTargetArn is an invalid arn")
    return str(arn)


def subscription_attributes(subscription: Subscription) -> dict[str, str]:
    values = {
        "SubscriptionArn": subscription.arn,
        "TopicArn": subscription.topic_arn,
        "Owner": subscription.owner,
        "Protocol": subscription.protocol,
        "Endpoint": subscription.endpoint,
        "ConfirmationWasAuthenticated": "true" if subscription.confirmed else "false",
        "PendingConfirmation": "false" if subscription.confirmed else "true",
        "RawMessageDelivery": "false",
        "SubscriptionPrincipal": f"arn:aws:iam::{subscription.owner}:root",
        "EffectiveDeliveryPolicy": _EFFECTIVE_DELIVERY_POLICY,
    }
    values.update({k: v for k, v in subscription.attributes.items() if v != ""})
    if values.get("FilterPolicy"):
        values.setdefault("FilterPolicyScope", filters.ATTRIBUTES)
    return values
