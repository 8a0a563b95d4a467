"""Fan-out: what each subscriber of a topic receives for one published message.

Everything here runs inside the publish's transaction. An SQS subscriber's message is
enqueued directly (through :func:`kumo.services.sqs.store.deliver`); an HTTP/HTTPS
subscriber's POST and an email/SMS/mobile push message become durable records that the
delivery loop and the inspection endpoint read (a push message is the text for the
endpoint's platform). Lambda and Firehose subscriptions are kept but not delivered here.

The notification document is built as AWS builds it: ``Type``, ``MessageId``,
``SequenceNumber`` (FIFO), ``TopicArn``, ``Subject`` (when set), ``Message``, ``Timestamp``,
``SignatureVersion``, ``Signature``, ``SigningCertURL``, ``UnsubscribeURL`` and
``MessageAttributes``, written with AWS's ``"Name" : value`` layout.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from kumo.services.sns import filters
from kumo.services.sns import store as db
from kumo.services.sns.attributes import dead_letter_arn
from kumo.services.sns.models import Attributes, Publication, Subscription, Topic
from kumo.services.sns.signing import Signer
from kumo.services.sqs import store as sqs_store
from kumo.services.sqs.models import now_ms
from kumo.storage.base import Tx

__all__ = [
    "Deliveries",
    "Links",
    "confirmation_request",
    "fan_out",
    "notification",
    "render",
    "request_confirmation",
    "timestamp",
]

USER_AGENT = "Amazon Simple Notification Service Agent"


@dataclass(frozen=True)
class Links:
    """How messages point back at kumo: its endpoint and the signing certificate."""

    endpoint: str
    signer: Signer

    @property
    def cert_url(self) -> str:
        return f"{self.endpoint}/_kumo/sns/{self.signer.cert_name}"

    def unsubscribe_url(self, subscription_arn: str) -> str:
        arn = quote(subscription_arn, safe=":")
        return f"{self.endpoint}/?Action=Unsubscribe&SubscriptionArn={arn}"

    def subscribe_url(self, topic_arn: str, token: str) -> str:
        arn = quote(topic_arn, safe=":")
        return f"{self.endpoint}/?Action=ConfirmSubscription&TopicArn={arn}&Token={token}"


@dataclass
class Deliveries:
    """What one fan-out did, for the caller to act on after its commit."""

    queues: list[str] = field(default_factory=list)  # SQS queue ids that got a message
    http: int = 0  # HTTP deliveries scheduled


def timestamp() -> str:
    """Now, as SNS writes times: ISO-8601 UTC with milliseconds."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def render(document: dict[str, Any]) -> str:
    """A message document in AWS's layout (two-space indent, ``"Name" : value``)."""
    return json.dumps(document, indent=2, separators=(",", " : "), ensure_ascii=False)


def _attribute_value(value: dict[str, Any]) -> str:
    if value.get("BinaryValue") is not None:
        return base64.b64encode(bytes(value["BinaryValue"])).decode("ascii")
    return str(value.get("StringValue", ""))


def notification(
    publication: Publication, subscription: Subscription, links: Links, version: str
) -> dict[str, Any]:
    """The signed notification document a subscriber of ``subscription`` receives."""
    document: dict[str, Any] = {"Type": "Notification", "MessageId": publication.id}
    if publication.group is not None:
        document["SequenceNumber"] = publication.sequence_number
    document["TopicArn"] = publication.topic_arn
    if publication.subject is not None:
        document["Subject"] = publication.subject
    document["Message"] = publication.message_for(subscription.protocol)
    document["Timestamp"] = publication.timestamp
    document["SignatureVersion"] = version
    signed = (version, document["Message"])
    if signed not in publication.signatures:
        publication.signatures[signed] = links.signer.sign(document, version)
    document["Signature"] = publication.signatures[signed]
    document["SigningCertURL"] = links.cert_url
    document["UnsubscribeURL"] = links.unsubscribe_url(subscription.arn)
    if publication.attributes:
        document["MessageAttributes"] = {
            name: {"Type": value["DataType"], "Value": _attribute_value(value)}
            for name, value in publication.attributes.items()
        }
    return document


def confirmation_request(
    subscription: Subscription, links: Links, timestamp: str, version: str
) -> dict[str, Any]:
    """The SubscriptionConfirmation document sent to a new HTTP/HTTPS subscriber."""
    url = links.subscribe_url(subscription.topic_arn, subscription.token)
    document: dict[str, Any] = {
        "Type": "SubscriptionConfirmation",
        "MessageId": str(uuid.uuid4()),
        "Token": subscription.token,
        "TopicArn": subscription.topic_arn,
        "Message": (
            f"You have chosen to subscribe to the topic {subscription.topic_arn}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message."
        ),
        "SubscribeURL": url,
        "Timestamp": timestamp,
        "SignatureVersion": version,
    }
    document["Signature"] = links.signer.sign(document, version)
    document["SigningCertURL"] = links.cert_url
    return document


def request_confirmation(
    tx: Tx, topic: Topic, subscription: Subscription, links: Links, *, seq: int
) -> None:
    """Send ``subscription``'s confirmation request: a POST to an HTTP/HTTPS endpoint, or
    (email) a message recorded with its token, which the user presents to confirm."""
    version = topic.setting("SignatureVersion") or "1"
    document = confirmation_request(subscription, links, timestamp(), version)
    if subscription.protocol in ("http", "https"):
        record = http_record(
            subscription,
            topic,
            "SubscriptionConfirmation",
            document["MessageId"],
            render(document),
            raw=False,
            due=now_ms(),
        )
        db.add_http(tx, record)
        return
    db.record_sent(
        tx,
        seq,
        {
            "protocol": subscription.protocol,
            "endpoint": subscription.endpoint,
            "subscription_arn": subscription.arn,
            "topic_arn": topic.arn,
            "message_id": document["MessageId"],
            "type": "SubscriptionConfirmation",
            "token": subscription.token,
            "subject": "AWS Notification - Subscription Confirmation",
            "message": render(document),
            "timestamp": document["Timestamp"],
        },
    )


def _raw_attributes(attributes: Attributes) -> Attributes:
    """Message attributes as SQS carries them for a raw delivery."""
    out: Attributes = {}
    for name, value in attributes.items():
        if value.get("BinaryValue") is not None:
            out[name] = {"DataType": value["DataType"], "BinaryValue": value["BinaryValue"]}
        else:
            out[name] = {"DataType": value["DataType"], "StringValue": value["StringValue"]}
    return out


def _passes(subscription: Subscription, publication: Publication) -> bool:
    text = subscription.attributes.get("FilterPolicy")
    if not text:
        return True
    scope = subscription.attributes.get("FilterPolicyScope") or filters.ATTRIBUTES
    body = publication.message_for(subscription.protocol)
    return filters.matches(json.loads(text), scope, publication.attributes, body)


def _content_type(subscription_policy: str | None, topic: Topic) -> str:
    """The Content-Type of HTTP deliveries: the subscription's ``requestPolicy``, else the
    topic's ``http.defaultRequestPolicy``, else AWS's ``text/plain; charset=UTF-8``."""
    for text, path in (
        (subscription_policy, ("requestPolicy",)),
        (topic.setting("DeliveryPolicy"), ("http", "defaultRequestPolicy")),
    ):
        try:
            section: Any = json.loads(text) if text else None
        except ValueError:
            continue
        for name in path:
            section = section.get(name) if isinstance(section, dict) else None
        value = section.get("headerContentType") if isinstance(section, dict) else None
        if isinstance(value, str) and value:
            return value
    return "text/plain; charset=UTF-8"


def http_record(
    subscription: Subscription,
    topic: Topic,
    message_type: str,
    message_id: str,
    body: str,
    *,
    raw: bool,
    due: int,
) -> dict[str, Any]:
    """A durable HTTP delivery: the POST to make and the retry policy it follows."""
    policy = subscription.attributes.get("DeliveryPolicy") or topic.setting("DeliveryPolicy")
    headers = {
        "Content-Type": _content_type(subscription.attributes.get("DeliveryPolicy"), topic),
        "User-Agent": USER_AGENT,
        "x-amz-sns-message-type": message_type,
        "x-amz-sns-message-id": message_id,
        "x-amz-sns-topic-arn": topic.arn,
    }
    if message_type == "Notification":
        headers["x-amz-sns-subscription-arn"] = subscription.arn
    if raw:
        headers["x-amz-sns-rawdelivery"] = "true"
    return {
        "id": uuid.uuid4().hex,
        "due": due,
        "attempt": 0,
        "url": subscription.endpoint,
        "subscription": subscription.arn,
        "headers": headers,
        "body": body,
        "policy": policy,
        "dead_letter": dead_letter_arn(subscription.redrive),
        "group": None,
    }


def fan_out(
    tx: Tx,
    topic: Topic,
    publication: Publication,
    links: Links,
    *,
    now: int,
    next_seq: Callable[[], int],
) -> Deliveries:
    """Deliver ``publication`` to the topic's confirmed subscribers whose filter policy it
    passes; a subscriber's SQS queue missing (or elsewhere) is skipped, as AWS drops it."""
    done = Deliveries()
    version = topic.setting("SignatureVersion") or "1"
    for subscription in db.topic_subscriptions(tx, topic.arn, None):
        if not subscription.confirmed or not _passes(subscription, publication):
            continue
        protocol = subscription.protocol
        if protocol == "sqs":
            if subscription.raw:
                body = publication.message_for("sqs")
                attributes = _raw_attributes(publication.attributes)
            else:
                body = render(notification(publication, subscription, links, version))
                attributes = {}
            queue_id = None
            # a queue that is gone (or refuses the message) sends it to the subscription's
            # dead-letter queue, when it has one; otherwise the message is dropped, as in AWS
            for target in (subscription.endpoint, dead_letter_arn(subscription.redrive)):
                if target is None or queue_id is not None:
                    continue
                queue_id = sqs_store.deliver(
                    tx,
                    target,
                    body,
                    attributes,
                    group=publication.group,
                    dedup_id=publication.dedup_id,
                    sender=topic.account,
                    seq=next_seq(),
                )
            if queue_id is not None and queue_id not in done.queues:
                done.queues.append(queue_id)
        elif protocol in ("http", "https"):
            if subscription.raw:
                body = publication.message_for(protocol)
            else:
                body = render(notification(publication, subscription, links, version))
            record = http_record(
                subscription,
                topic,
                "Notification",
                publication.id,
                body,
                raw=subscription.raw,
                due=now,
            )
            db.add_http(tx, record)
            done.http += 1
        elif protocol == "application":
            # a gone or disabled endpoint gets nothing; the device gets its platform's text
            platform = db.push_platform(tx, subscription.endpoint)
            if platform is not None:
                message = publication.message_for(platform)
                db.record_sent(tx, next_seq(), _sent(subscription, topic, publication, message))
        elif protocol in ("email", "email-json", "sms"):
            if protocol == "email-json":
                body = render(notification(publication, subscription, links, version))
            else:
                body = publication.message_for(protocol)
            db.record_sent(tx, next_seq(), _sent(subscription, topic, publication, body))
    return done


def _sent(
    subscription: Subscription, topic: Topic, publication: Publication, message: str
) -> dict[str, Any]:
    """The outbox record of one message to an email, SMS or mobile-push subscriber."""
    return {
        "protocol": subscription.protocol,
        "endpoint": subscription.endpoint,
        "subscription_arn": subscription.arn,
        "topic_arn": topic.arn,
        "message_id": publication.id,
        "subject": publication.subject,
        "message": message,
        "timestamp": publication.timestamp,
    }
