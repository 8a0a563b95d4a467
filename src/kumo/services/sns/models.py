"""SNS's records: topics, subscriptions and published messages."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from kumo.services.sns.errors import invalid_parameter, not_found

__all__ = [
    "PENDING",
    "PROTOCOLS",
    "Publication",
    "Subscription",
    "Topic",
    "check_topic_name",
    "missing_subscription",
    "missing_topic",
    "parse_topic_arn",
]

PENDING = "PendingConfirmation"
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

PROTOCOLS = frozenset(
    {"http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"}
)


def check_topic_name(name: str, attributes: dict[str, str]) -> None:
    fifo = attributes.get("FifoTopic", "false").lower() == "true"
    stem = name.removesuffix(".fifo") if fifo else name
    if not _TOPIC_NAME.match(stem) or len(name) > 256:
        raise invalid_parameter("Topic Name")
    if fifo != name.endswith(".fifo"):
        raise invalid_parameter(
            "Fifo Topic names must end with .fifo and must be made up of only uppercase and "
            "lowercase ASCII letters, numbers, underscores, and hyphens, and must be between "
            "1 and 256 characters long."
        )


def parse_topic_arn(arn: str) -> tuple[str, str, str]:
    """The region, account and name of a topic ARN."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns" or not parts[5]:
        raise invalid_parameter("TopicArn")
    return parts[3], parts[4], parts[5]


@dataclass
class Topic:
    arn: str
    account: str
    region: str
    name: str
    attributes: dict[str, str]
    tags: dict[str, str]

    @property
    def fifo(self) -> bool:
        return self.name.endswith(".fifo")

    def setting(self, name: str) -> str:
        return self.attributes.get(name, "")

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Topic:
        return cls(**data)


@dataclass
class Subscription:
    arn: str
    topic_arn: str
    owner: str
    protocol: str
    endpoint: str
    attributes: dict[str, str]
    confirmed: bool
    # the confirmation token of a pending subscription (ConfirmSubscription presents it)
    token: str = ""

    @classmethod
    def new(
        cls, topic_arn: str, owner: str, protocol: str, endpoint: str, attributes: dict[str, str]
    ) -> Subscription:
        # AWS confirms queue, function and SMS subscriptions at once; HTTP and email
        # subscriptions wait for their endpoint to confirm
        confirmed = protocol not in ("http", "https", "email", "email-json")
        return cls(
            arn=f"{topic_arn}:{uuid.uuid4()}",
            topic_arn=topic_arn,
            owner=owner,
            protocol=protocol,
            endpoint=endpoint,
            attributes=attributes,
            confirmed=confirmed,
            token="" if confirmed else secrets.token_hex(64),
        )

    @property
    def listed_arn(self) -> str:
        """The ARN as listings show it: ``PendingConfirmation`` until confirmed."""
        return self.arn if self.confirmed else PENDING

    @property
    def redrive(self) -> str | None:
        return self.attributes.get("RedrivePolicy") or None

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery", "false").lower() == "true"

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Subscription:
        return cls(**data)


Attributes = dict[str, dict[str, Any]]


@dataclass
class Publication:
    """One published message, as every subscriber's delivery is built from it."""

    id: str
    topic_arn: str
    message: str
    subject: str | None
    attributes: Attributes  # wire form (binary values as bytes)
    per_protocol: dict[str, str] = field(default_factory=dict)  # MessageStructure=json
    group: str | None = None
    dedup_id: str | None = None
    seq: int = 0
    timestamp: str = ""  # ISO-8601 UTC with milliseconds, as AWS writes it
    # signatures made for this message by (version, message text): the signed fields are the
    # same for every subscriber getting the same text, so one RSA signature serves them all
    signatures: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    @property
    def sequence_number(self) -> str:
        return f"{self.seq:020d}"

    def message_for(self, protocol: str) -> str:
        return self.per_protocol.get(protocol, self.message)


def missing_topic() -> Exception:
    return not_found("Topic does not exist")


def missing_subscription() -> Exception:
    return not_found("Subscription does not exist")
