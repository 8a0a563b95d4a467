"""Queue attributes: which exist, their defaults, and the checks AWS applies when set.

Values are kept as the strings the wire carries. Computed attributes (counts, timestamps,
the ARN) are read-only and filled in by the provider.
"""

from __future__ import annotations

import json
from typing import Any

from kumo.services.sqs.errors import (
    invalid_attribute_name,
    invalid_attribute_value,
    parameter_is_invalid,
)

__all__ = [
    "DEFAULTS",
    "FIFO_CHOICES",
    "FIFO_DEFAULTS",
    "RANGES",
    "SETTABLE",
    "check_attributes",
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
        elif name in ("Policy", "RedriveAllowPolicy") and value != "":
            try:
                json.loads(value)
            except ValueError:
                raise invalid_attribute_value(name) from None
        checked[name] = value
    return checked


def redrive_policy(value: str) -> tuple[str, int]:
    """The dead-letter queue ARN and maxReceiveCount of a RedrivePolicy document."""
    try:
        doc: Any = json.loads(value)
    except ValueError:
        raise invalid_attribute_value("RedrivePolicy") from None
    if not isinstance(doc, dict):
        raise invalid_attribute_value("RedrivePolicy")
    target = doc.get("deadLetterTargetArn")
    count = doc.get("maxReceiveCount")
    if not isinstance(target, str) or count is None:
        raise parameter_is_invalid(
            value,
            "RedrivePolicy",
            "Redrive policy is not a valid JSON map or is missing deadLetterTargetArn "
            "or maxReceiveCount.",
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
