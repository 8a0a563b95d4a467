"""SQS's records: queues and the messages in them, as JSON records for the store.

A message's ``visible_at`` (epoch milliseconds) is when it may next be received: its send
time plus delay, or the end of its current visibility timeout. ``token`` names its latest
receive; a receipt handle carries it, so only the latest receive's handle acts on it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from kumo.services.sqs.attributes import DEFAULTS, FIFO_DEFAULTS, KMS_DEFAULTS
from kumo.services.sqs.errors import invalid_parameter, no_such_queue

__all__ = [
    "Message",
    "Queue",
    "ReceiptHandle",
    "check_queue_name",
    "now_ms",
    "parse_queue_arn",
    "parse_queue_url",
]

_QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def check_queue_name(name: str, attributes: dict[str, str]) -> None:
    """The queue name rules, and that a FIFO queue is both named and declared so."""
    fifo = attributes.get("FifoQueue", "false").lower() == "true"
    named_fifo = name.endswith(".fifo")
    stem = name.removesuffix(".fifo") if fifo else name
    bad = fifo != named_fifo or not _QUEUE_NAME.match(stem) or len(name) > 80
    if (fifo or named_fifo) and bad:
        raise invalid_parameter(
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, "
            "or underscores, must end with .fifo suffix and be 1 to 80 in length."
        )
    if not _QUEUE_NAME.match(stem) or len(name) > 80:
        raise invalid_parameter(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )


def parse_queue_url(url: str) -> tuple[str, str]:
    """The account and queue name in a queue URL (path or ``sqs.<region>`` host form)."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if len(parts) < 2:
        raise no_such_queue()
    return parts[-2], parts[-1]


def parse_queue_arn(arn: str) -> tuple[str, str] | None:
    """The account and queue name of an SQS queue ARN, or None."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs":
        return None
    return parts[4], parts[5]


@dataclass
class Queue:
    id: str
    account: str
    region: str
    name: str
    attributes: dict[str, str]
    tags: dict[str, str]
    created: int  # epoch seconds
    modified: int
    purged_at: int = 0  # epoch ms of the last PurgeQueue

    @classmethod
    def new(
        cls,
        account: str,
        region: str,
        name: str,
        attributes: dict[str, str],
        tags: dict[str, str],
    ) -> Queue:
        now = int(time.time())
        return cls(
            id=uuid.uuid4().hex,
            account=account,
            region=region,
            name=name,
            attributes=attributes,
            tags=tags,
            created=now,
            modified=now,
        )

    @property
    def arn(self) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{self.name}"

    @property
    def fifo(self) -> bool:
        return self.name.endswith(".fifo")

    @property
    def defaults(self) -> dict[str, str]:
        defaults = {**DEFAULTS, **FIFO_DEFAULTS} if self.fifo else DEFAULTS
        if self.attributes.get("KmsMasterKeyId"):
            defaults = {**defaults, **KMS_DEFAULTS}
        return defaults

    def setting(self, name: str) -> str:
        return self.attributes.get(name, self.defaults.get(name, ""))

    def int_setting(self, name: str) -> int:
        return int(self.setting(name))

    @property
    def redrive(self) -> tuple[str, int] | None:
        """The dead-letter queue ARN and maxReceiveCount, when a RedrivePolicy is set."""
        value = self.attributes.get("RedrivePolicy")
        if not value:
            return None
        # checked when it was set (see attributes.redrive_policy): read, not re-checked
        doc = json.loads(value)
        return str(doc["deadLetterTargetArn"]), int(doc["maxReceiveCount"])

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Queue:
        return cls(**data)


@dataclass
class Message:
    id: str
    body: str
    attributes: dict[str, dict[str, Any]]  # record form (binary values base64)
    md5_body: str
    md5_attributes: str | None
    sender: str
    sent: int  # epoch ms
    visible_at: int
    seq: int
    delayed: bool
    receive_count: int = 0
    first_receive: int | None = None
    token: str | None = None
    # FIFO queues: messages of a group are delivered in order, one batch in flight at a time
    group: str | None = None
    dedup_id: str | None = None
    fifo: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sequence_number(self) -> str:
        return f"{self.seq:020d}"

    def to_record(self) -> dict[str, Any]:
        # its fields are plain JSON values, so a shallow copy is the record; asdict deep-copies
        # them, which showed in profiles of every write
        return dict(vars(self))

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Message:
        return cls(**data)


@dataclass(frozen=True)
class ReceiptHandle:
    """What a receipt handle names: one receive of one message of one queue."""

    queue_id: str
    message_id: str
    token: str

    def encode(self) -> str:
        raw = f"{self.queue_id}:{self.message_id}:{self.token}".encode()
        return base64.urlsafe_b64encode(raw).decode("ascii")

    @classmethod
    def decode(cls, handle: str) -> ReceiptHandle | None:
        try:
            raw = base64.urlsafe_b64decode(handle.encode("ascii")).decode("ascii")
        except (binascii.Error, UnicodeError, ValueError):
            return None
        parts = raw.split(":")
        if len(parts) != 3 or not all(parts):
            return None
        return cls(*parts)
