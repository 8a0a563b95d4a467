"""Publishing: a message checked as Publish checks it, and published to a topic inside a
transaction — the provider's own, or another service's.

Other services (Lambda destinations, S3 notifications) publish with
:meth:`Publisher.publish_in_tx` inside their own write transaction, so the message is
durable exactly when their write is, then call :meth:`Publisher.after_commit` to wake the
receivers of the SQS queues it reached::

    publisher = Publisher(store, settings)
    published = store.write(lambda tx: publisher.publish_in_tx(tx, topic_arn, "hello"))
    publisher.after_commit(published)
    published.message_id

Inside the transaction the message reaches every confirmed subscriber its filter policy lets
through: SQS queues get it at once, HTTP/HTTPS endpoints get a durable delivery record the
SNS provider's loop posts, email/SMS and mobile push endpoints get a record in the
inspectable outbox. Lambda and Firehose subscriptions are not delivered to here. A missing topic
raises ``NotFound`` and a message Publish would refuse raises its ``InvalidParameter``, both
aborting the caller's transaction unless caught inside it.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kumo.aws.errors import ServiceError
from kumo.services.sns import store as db
from kumo.services.sns.delivery import Links, fan_out, timestamp
from kumo.services.sns.errors import invalid_parameter, invalid_parameter_value
from kumo.services.sns.models import Attributes, Publication, Topic
from kumo.services.sns.signing import Signing
from kumo.services.sqs.models import now_ms
from kumo.services.sqs.waiters import QueueHub
from kumo.storage.base import Tx

if TYPE_CHECKING:
    from kumo.config import Settings
    from kumo.storage.base import Store

__all__ = [
    "MAX_MESSAGE_BYTES",
    "Published",
    "Publisher",
    "check_attributes",
    "check_batch",
    "new_publication",
    "sms_record",
]

MAX_MESSAGE_BYTES = 256 * 1024
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_PHONE = re.compile(r"^\+?[1-9]\d{1,14}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def _check_name(name: str) -> None:
    if len(name.encode("utf-8")) > 256:
        raise invalid_parameter_value(
            "Length of message attribute name must be less than 256 bytes."
        )
    if name.startswith("."):
        raise invalid_parameter_value(
            "Invalid message attribute name starting with character '.' was found."
        )
    if name.endswith("."):
        raise invalid_parameter_value(
            "Invalid message attribute name ending with character '.' was found."
        )
    for char in name:
        if not (char.isascii() and (char.isalnum() or char in "-_.")):
            raise invalid_parameter_value(
                f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in the message "
                "attribute name. Can only include alphanumeric characters, hyphens, "
                "underscores, or dots."
            )
    if ".." in name:
        raise invalid_parameter_value(
            "Message attribute name can not have successive '.' character."
        )


def check_attributes(attributes: Attributes) -> None:
    """Message attributes as Publish checks them (types String, String.Array, Number and
    Binary, with custom suffixes), with AWS's messages."""
    for name, value in attributes.items():
        _check_name(name)
        data_type = value.get("DataType", "")
        base = data_type.split(".", 1)[0]
        if base not in ("String", "Number", "Binary"):
            raise invalid_parameter_value(
                f"The message attribute '{name}' has an invalid message attribute type, the set "
                "of supported type prefixes is Binary, Number, and String."
            )
        field = "BinaryValue" if base == "Binary" else "StringValue"
        empty = invalid_parameter_value(
            f"The message attribute '{name}' must contain non-empty message attribute value "
            f"for message attribute type '{data_type}'."
        )
        if "BinaryValue" not in value and "StringValue" not in value:
            raise empty
        if field not in value:
            raise invalid_parameter_value(
                f"The message attribute '{name}' with type '{data_type}' must use field "
                f"'{field.removesuffix('Value')}'."
            )
        if not value[field]:
            raise empty
        text = value.get("StringValue")
        if base == "Number" and not _NUMBER.match(str(text)):
            raise invalid_parameter_value(
                f"An error occurred while parsing the value of message attribute '{name}': "
                f"Could not cast message attribute '{name}' value to number."
            )
        if data_type == "String.Array":
            try:
                parsed = json.loads(str(text))
            except ValueError:
                parsed = None
            if not isinstance(parsed, list):
                raise invalid_parameter_value(
                    f"The message attribute '{name}' with type 'String.Array' has an invalid "
                    "value: must be a JSON array."
                )


def _size(message: str, attributes: Attributes) -> int:
    size = len(message.encode("utf-8"))
    for name, value in attributes.items():
        size += len(name.encode("utf-8")) + len(value["DataType"].encode("utf-8"))
        if value.get("BinaryValue") is not None:
            size += len(bytes(value["BinaryValue"]))
        else:
            size += len(str(value.get("StringValue", "")).encode("utf-8"))
    return size


def new_publication(
    topic: Topic,
    message: str,
    subject: str | None,
    structure: str | None,
    attributes: Attributes | None,
    group: str | None,
    dedup_id: str | None,
    seq: int,
) -> Publication:
    """A publish request checked as AWS checks it."""
    attributes = dict(attributes or {})
    if not message:
        raise invalid_parameter("Empty message")
    if subject is not None and (
        not subject or len(subject) > 100 or any(c in subject for c in "\r\n")
    ):
        raise invalid_parameter("Subject")
    check_attributes(attributes)
    if _size(message, attributes) > MAX_MESSAGE_BYTES:
        raise invalid_parameter("Message too long")
    per_protocol: dict[str, str] = {}
    if structure is not None:
        if structure != "json":
            raise invalid_parameter("MessageStructure")
        per_protocol = _structured(message)
        message = per_protocol["default"]
    if topic.fifo:
        if not group:
            raise invalid_parameter("The MessageGroupId parameter is required for FIFO topics")
        if not dedup_id:
            if topic.setting("ContentBasedDeduplication") != "true":
                raise invalid_parameter(
                    "The topic should either have ContentBasedDeduplication enabled or "
                    "MessageDeduplicationId provided explicitly"
                )
            dedup_id = hashlib.sha256(message.encode("utf-8")).hexdigest()
    elif dedup_id is not None:
        raise invalid_parameter(
            "MessageDeduplicationId Reason: The request includes MessageDeduplicationId "
            "parameter that is not valid for this topic type"
        )
    return Publication(
        id=str(uuid.uuid4()),
        topic_arn=topic.arn,
        message=message,
        subject=subject,
        attributes=attributes,
        per_protocol=per_protocol,
        group=group if topic.fifo else None,
        dedup_id=dedup_id,
        seq=seq,
        timestamp=timestamp(),
    )


def _structured(message: str) -> dict[str, str]:
    try:
        parsed = json.loads(message)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise invalid_parameter("Message Structure - JSON message body failed to parse")
    if "default" not in parsed:
        raise invalid_parameter("Message Structure - No default entry in JSON message body")
    return parsed


def check_batch(entries: list[dict[str, Any]]) -> None:
    """PublishBatch's checks on the whole request, with AWS's errors."""

    def error(code: str, message: str) -> ServiceError:
        return ServiceError(message, code=code, status=400)

    if not entries:
        raise error("EmptyBatchRequest", "The batch request doesn't contain any entries.")
    if len(entries) > 10:
        raise error(
            "TooManyEntriesInBatchRequest",
            "The batch request contains more entries than permissible.",
        )
    ids = [entry.get("Id", "") for entry in entries]
    if len(set(ids)) != len(ids):
        raise error(
            "BatchEntryIdsNotDistinct",
            "Two or more batch entries in the request have the same Id.",
        )
    if not all(_BATCH_ID.match(i) for i in ids):
        raise error(
            "InvalidBatchEntryId",
            "The Id of a batch entry in a batch request doesn't abide by the specification.",
        )
    total = sum(
        _size(entry.get("Message", ""), entry.get("MessageAttributes") or {}) for entry in entries
    )
    if total > MAX_MESSAGE_BYTES:
        raise error(
            "BatchRequestTooLong",
            "The length of all the messages put together is more than the limit.",
        )


def sms_record(phone_number: str, message: str) -> dict[str, Any]:
    """A direct SMS (Publish with PhoneNumber), checked, as the outbox of sent messages
    keeps it."""
    if not _PHONE.match(phone_number.replace("-", "").replace(" ", "")):
        raise invalid_parameter("PhoneNumber Reason: input incorrectly formatted")
    if not message:
        raise invalid_parameter("Empty message")
    if len(message.encode("utf-8")) > MAX_MESSAGE_BYTES:
        raise invalid_parameter("Message too long")
    return {
        "protocol": "sms",
        "endpoint": phone_number,
        "subscription_arn": None,
        "topic_arn": None,
        "message_id": str(uuid.uuid4()),
        "subject": None,
        "message": message,
        "timestamp": timestamp(),
    }


@dataclass
class Published:
    """The outcome of one publish."""

    message_id: str
    sequence_number: str | None = None  # FIFO topics
    # SQS queues that got the message, woken by :meth:`Publisher.after_commit`
    queues: list[str] = field(default_factory=list)
    http: int = 0  # HTTP deliveries scheduled


class Publisher:
    """Publishes to topics inside a caller's transaction (see the module docstring)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.settings = settings
        self.hub = QueueHub.for_store(store)
        self.signing = Signing.for_data_dir(settings.data_dir)

    def links(self, endpoint: str | None = None) -> Links:
        """How messages point back at kumo (``endpoint``: the URL the caller reached it by)."""
        return Links(endpoint or self.settings.endpoint, self.signing.signer())

    def publish_in_tx(
        self,
        tx: Tx,
        topic_arn: str,
        message: str,
        *,
        subject: str | None = None,
        attributes: dict[str, dict[str, Any]] | None = None,
        group_id: str | None = None,
        dedup_id: str | None = None,
        structure: str | None = None,
        endpoint: str | None = None,
    ) -> Published:
        """Publish ``message`` to ``topic_arn`` inside ``tx``; checked as Publish checks it.

        Raises ``NotFound`` when the topic does not exist, ``InvalidParameter`` for a message
        Publish would refuse. A FIFO duplicate (same deduplication id within five minutes)
        returns the first message's id and reaches no subscriber again.
        """
        topic = db.require_topic(tx, topic_arn)
        publication = new_publication(
            topic, message, subject, structure, attributes, group_id, dedup_id, 0
        )
        return self.deliver_in_tx(tx, topic, publication, endpoint=endpoint)

    def deliver_in_tx(
        self, tx: Tx, topic: Topic, publication: Publication, *, endpoint: str | None = None
    ) -> Published:
        """Deliver a checked ``publication`` of ``topic`` inside ``tx``."""
        now = now_ms()
        if topic.fifo:
            assert publication.dedup_id is not None
            publication.seq = self.hub.sequence.next()
            earlier = db.remember_dedup(
                tx, topic.arn, publication.dedup_id, publication.id, publication.seq, now
            )
            if earlier is not None:
                return Published(earlier[0], f"{earlier[1]:020d}")
        done = fan_out(
            tx, topic, publication, self.links(endpoint), now=now, next_seq=self.hub.sequence.next
        )
        return Published(
            message_id=publication.id,
            sequence_number=publication.sequence_number if topic.fifo else None,
            queues=done.queues,
            http=done.http,
        )

    def presign(self, topic: Topic, publication: Publication) -> None:
        """Sign ``publication``'s notification ahead of its transaction, so the RSA work is
        not done while holding the store's write lock (what ``notification`` signs does not
        depend on the subscriber)."""
        version = topic.setting("SignatureVersion") or "1"
        texts = {publication.message, *publication.per_protocol.values()}
        signer = self.signing.signer()
        for text in texts:
            document = {
                "Type": "Notification",
                "MessageId": publication.id,
                "TopicArn": publication.topic_arn,
                "Message": text,
                "Timestamp": publication.timestamp,
            }
            if publication.subject is not None:
                document["Subject"] = publication.subject
            publication.signatures[(version, text)] = signer.sign(document, version)

    def after_commit(self, published: Published) -> None:
        """Wake the receivers long-polling the queues ``published`` reached."""
        for queue_id in published.queues:
            self.hub.waiters.notify(queue_id)
