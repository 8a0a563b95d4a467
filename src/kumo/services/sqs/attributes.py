"""Queue attributes: which exist, their defaults, and the checks AWS applies when set.

Values are kept as the strings the wire carries. Computed attributes (counts, timestamps,
the ARN) are read-only and filled in by the provider.
"""

from __future__ import annotations

import json
from typing import Any

from kumo.aws.errors import ServiceError
from kumo.services.sqs.errors import (
    invalid_attribute_name,
    invalid_attribute_value,
    parameter_is_invalid,
)

__all__ = [
    "DEFAULTS",
    "FIFO_CHOICES",
    "FIFO_DEFAULTS",
    "KMS_DEFAULTS",
    "RANGES",
    "SETTABLE",
    "check_attributes",
    "check_fifo_throughput",
    "redrive_allow_policy",
    "redrive_policy",
]

# integer attributes and their inclusive bounds
RANGES: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, 1048576),
    "MessageRetentionPeriod": (60, 1209600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43200),
    "KmsDataKeyReusePeriodSeconds": (60, 86400),
}

DEFAULTS: dict[str, str] = {
    "VisibilityTimeout": "30",
    "MaximumMessageSize": "262144",
    "MessageRetentionPeriod": "345600",
    "DelaySeconds": "0",
    "ReceiveMessageWaitTimeSeconds": "0",
    "SqsManagedSseEnabled": "true",
}

SETTABLE = frozenset(
    {
        *RANGES,
        "Policy",
        "RedrivePolicy",
        "RedriveAllowPolicy",
        "KmsMasterKeyId",
        "SqsManagedSseEnabled",
    }
)

# attributes only FIFO queues have, with the values each accepts
FIFO_CHOICES: dict[str, tuple[str, ...]] = {
    "FifoQueue": ("true",),
    "ContentBasedDeduplication": ("true", "false"),
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}

# what a queue encrypted with a KMS key (SSE-KMS) reads instead of SSE-SQS
KMS_DEFAULTS: dict[str, str] = {
    "SqsManagedSseEnabled": "false",
    "KmsDataKeyReusePeriodSeconds": "300",
}

FIFO_DEFAULTS: dict[str, str] = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}

_BOOLEANS = ("true", "false")


def check_attributes(attributes: dict[str, str], *, fifo: bool) -> dict[str, str]:
    """``attributes`` checked as CreateQueue/SetQueueAttributes check them, normalized."""
    checked: dict[str, str] = {}
    for name, value in attributes.items():
        if fifo and name in FIFO_CHOICES:
            if value not in FIFO_CHOICES[name]:
                raise invalid_attribute_value(name)
            checked[name] = value
            continue
        if name not in SETTABLE:
            raise invalid_attribute_name(name)
        if name in RANGES:
            low, high = RANGES[name]
            try:
                number = int(value)
            except ValueError:
                raise invalid_attribute_value(name) from None
            if not low <= number <= high:
                raise invalid_attribute_value(name)
            value = str(number)
        elif name == "SqsManagedSseEnabled":
            if value.lower() not in _BOOLEANS:
                raise invalid_attribute_value(name)
            value = value.lower()
        elif name == "RedrivePolicy" and value != "":
            redrive_policy(value)
        elif name == "RedriveAllowPolicy" and value != "":
            redrive_allow_policy(value)
        elif name == "Policy" and value != "":
            try:
                json.loads(value)
            except ValueError:
                raise invalid_attribute_value(name) from None
        checked[name] = value
    if checked.get("SqsManagedSseEnabled") == "true" and checked.get("KmsMasterKeyId"):
        raise ServiceError(
            "You can use one type of server-side encryption (SSE) at one time. You can either "
            "enable KMS SSE or SQS SSE.",
            code="InvalidAttributeName",
            status=400,
        )
    return checked


_REDRIVE_FIELDS = ("maxReceiveCount", "deadLetterTargetArn")


def _invalid_with_reason(name: str, what: str) -> ServiceError:
    return ServiceError(
        f"Invalid value for the parameter {name}. Reason: {what}",
        code="InvalidAttributeValue",
        status=400,
    )


def redrive_policy(value: str) -> tuple[str, int]:
    """The dead-letter queue ARN and maxReceiveCount of a RedrivePolicy document, checked
    as SetQueueAttributes checks it."""
    try:
        doc: Any = json.loads(value)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise _invalid_with_reason("RedrivePolicy", "Redrive policy is not a valid JSON map.")
    for field in _REDRIVE_FIELDS:
        if field not in doc:
            raise parameter_is_invalid(
                value,
                "RedrivePolicy",
                f"Redrive policy does not contain mandatory attribute: {field}.",
            )
    if set(doc) - set(_REDRIVE_FIELDS):
        raise parameter_is_invalid(
            value,
            "RedrivePolicy",
            "Only following attributes are supported: [maxReceiveCount, deadLetterTargetArn].",
        )
    target = doc["deadLetterTargetArn"]
    count = doc["maxReceiveCount"]
    parts = target.split(":") if isinstance(target, str) else []
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs":
        raise parameter_is_invalid(
            value, "RedrivePolicy", "Only SQS queues are valid resources for deadLetterTargetArn."
        )
    try:
        max_count = int(count)
    except (TypeError, ValueError):
        max_count = 0
    if not 1 <= max_count <= 1000:
        raise parameter_is_invalid(
            value,
            "RedrivePolicy",
            "Invalid value for maxReceiveCount: "
            f"{count}, valid values are from 1 to 1000 both inclusive.",
        )
    return target, max_count


REDRIVE_PERMISSIONS = ("allowAll", "denyAll", "byQueue")
MAX_SOURCE_QUEUES = 10


# AWS writes this message with a typographic apostrophe
_UNSUPPORTED_ALLOW_POLICY = (
    "Amazon SQS can't create the redrive allow policy, as it\u2019s in an unsupported format."
)


def redrive_allow_policy(value: str) -> tuple[str, list[str]]:
    """The redrivePermission and sourceQueueArns of a RedriveAllowPolicy document, checked
    as SetQueueAttributes checks it."""
    try:
        doc: Any = json.loads(value)
    except ValueError:
        doc = None
    if (
        not isinstance(doc, dict)
        or doc.get("redrivePermission") not in REDRIVE_PERMISSIONS
        or set(doc) - {"redrivePermission", "sourceQueueArns"}
    ):
        raise _invalid_with_reason("RedriveAllowPolicy", _UNSUPPORTED_ALLOW_POLICY)
    permission = doc["redrivePermission"]
    sources = doc.get("sourceQueueArns")
    if sources is not None and (
        not isinstance(sources, list) or not all(isinstance(arn, str) for arn in sources)
    ):
        raise _invalid_with_reason("RedriveAllowPolicy", _UNSUPPORTED_ALLOW_POLICY)

    def invalid(reason: str) -> ServiceError:
        return parameter_is_invalid(
            value,
            "RedriveAllowPolicy",
            f"Amazon SQS can't create the redrive allow policy. {reason}",
        )

    if permission != "byQueue":
        if sources is not None:
            raise invalid(
                "To specify one or more source queue ARNs, you must set redrivePermission "
                "to byQueue."
            )
        return permission, []
    if not sources:
        raise invalid(
            "When you specify the byQueue permission type, you must also specify one or more "
            "sourceQueueArns values."
        )
    if len(sources) > MAX_SOURCE_QUEUES:
        raise invalid(
            f"The maximum number of source queue ARNs you can specify is {MAX_SOURCE_QUEUES}."
        )
    return permission, list(sources)


def check_fifo_throughput(settings: dict[str, str]) -> None:
    """A FIFO queue's effective high-throughput settings: a per-message-group throughput
    limit needs per-message-group deduplication."""
    if (
        settings.get("FifoThroughputLimit") == "perMessageGroupId"
        and settings.get("DeduplicationScope") != "messageGroup"
    ):
        raise invalid_attribute_value(
            "FifoThroughputLimit",
            "The perMessageGroupId value is allowed only when the value for "
            "DeduplicationScope is messageGroup.",
        )
