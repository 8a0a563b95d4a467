"""Subscribe's checks: the protocol, the endpoint each protocol accepts, and which topic
kinds a queue may subscribe to — with AWS's messages."""

from __future__ import annotations

import re

from kumo.aws.errors import ServiceError
from kumo.services.sns.errors import invalid_parameter
from kumo.services.sns.models import PROTOCOLS, Topic

__all__ = ["check_endpoint"]

_E164 = re.compile(r"^\+?[1-9]\d{1,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ARN_OF = {
    "sqs": ("sqs", "SQS endpoint ARN"),
    "lambda": ("lambda", "Lambda endpoint ARN"),
    "firehose": ("firehose", "Firehose endpoint ARN"),
    "application": ("sns", "Application endpoint arn invalid"),
}


def _is_arn(value: str, service: str) -> bool:
    parts = value.split(":")
    return len(parts) >= 6 and parts[0] == "arn" and parts[2] == service and all(parts[3:6])


def check_endpoint(topic: Topic, protocol: str, endpoint: str) -> None:
    """Raise AWS's InvalidParameter when ``endpoint`` does not fit ``protocol``."""
    if protocol not in PROTOCOLS:
        raise invalid_parameter(f"Amazon SNS does not support this protocol string: {protocol}")
    if protocol in _ARN_OF:
        service, what = _ARN_OF[protocol]
        if not _is_arn(endpoint, service):
            raise invalid_parameter(what)
    elif protocol in ("http", "https"):
        if not endpoint.lower().startswith(f"{protocol}://") or len(endpoint) <= len(protocol) + 3:
            raise invalid_parameter("Endpoint must match the specified protocol")
    elif protocol in ("email", "email-json"):
        if not _EMAIL.match(endpoint):
            raise invalid_parameter("Email address")
    elif protocol == "sms" and not _E164.match(endpoint.replace("-", "").replace(" ", "")):
        raise ServiceError(
            f"Invalid SMS endpoint: {endpoint}", code="InvalidParameterException", status=400
        )
    if protocol == "sqs" and endpoint.endswith(".fifo") and not topic.fifo:
        raise invalid_parameter(
            "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to "
            "standard SNS topics"
        )
