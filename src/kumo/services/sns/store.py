"""SNS's tables, and the transactions on them.

``sns.topics`` holds topics by ARN and ``sns.subscriptions`` subscriptions by ARN; both ARNs
begin ``arn:aws:sns:<region>:<account>:``, so listing a region's topics or subscriptions is
a prefix scan. ``sns.by_topic`` indexes subscriptions by ``(topic ARN, subscription ARN)``.
``sns.tokens`` finds a pending subscription by its confirmation token. ``sns.dedup``
remembers FIFO topics' deduplication ids for five minutes.

Deliveries that leave kumo are durable records written with the publish: ``sns.http`` holds
HTTP/HTTPS POSTs by ``(due time, id)`` until the endpoint took them (see
:mod:`kumo.services.sns.http`), and ``sns.sent`` keeps what went to email, email-json and
SMS endpoints, in publish order, for inspection.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kumo.services.sns.models import Subscription, Topic, missing_subscription, missing_topic
from kumo.storage.base import Tx
from kumo.storage.keys import key, key_prefix

__all__ = [
    "HTTP",
    "SENT",
    "add_http",
    "delete_subscription",
    "delete_topic",
    "due_http",
    "find_by_token",
    "get_subscription",
    "get_topic",
    "list_subscriptions",
    "list_topics",
    "next_http_due",
    "push_platform",
    "put_subscription",
    "put_topic",
    "record_sent",
    "remember_dedup",
    "remove_http",
    "require_subscription",
    "require_topic",
    "sent_messages",
    "topic_subscriptions",
]

TOPICS = "sns.topics"
SUBSCRIPTIONS = "sns.subscriptions"
BY_TOPIC = "sns.by_topic"
DEDUP = "sns.dedup"
TOKENS = "sns.tokens"
HTTP = "sns.http"
SENT = "sns.sent"
# mobile push applications and endpoints (see :mod:`kumo.services.sns.platform`)
APPS = "sns.apps"
ENDPOINTS = "sns.endpoints"
DEDUP_INTERVAL_MS = 5 * 60 * 1000


def arn_prefix(region: str, account: str) -> str:
    return f"arn:aws:sns:{region}:{account}:"


# -- topics --------------------------------------------------------------------------------


def get_topic(tx: Tx, arn: str) -> Topic | None:
    data = tx.get(TOPICS, key(arn))
    return Topic.from_record(data) if data is not None else None


def require_topic(tx: Tx, arn: str) -> Topic:
    topic = get_topic(tx, arn)
    if topic is None:
        raise missing_topic()
    return topic


def put_topic(tx: Tx, topic: Topic) -> None:
    tx.put(TOPICS, key(topic.arn), topic.to_record())


def list_topics(tx: Tx, region: str, account: str, after: str | None) -> Iterator[Topic]:
    start = key(after) + b"\x00" if after else None
    for _, data in tx.scan(TOPICS, prefix=key_prefix(arn_prefix(region, account)), start=start):
        yield Topic.from_record(data)


def delete_topic(tx: Tx, topic: Topic) -> None:
    tx.delete(TOPICS, key(topic.arn))
    for subscription in list(topic_subscriptions(tx, topic.arn, None)):
        delete_subscription(tx, subscription)
    for k, _ in list(tx.scan(DEDUP, prefix=key(topic.arn))):
        tx.delete(DEDUP, k)


def remember_dedup(
    tx: Tx, topic_arn: str, dedup_id: str, message_id: str, seq: int, now: int
) -> tuple[str, int] | None:
    """The id and sequence of the message published earlier with ``dedup_id`` within five
    minutes, or None after remembering ``message_id`` under it."""
    k = key(topic_arn, dedup_id)
    seen = tx.get(DEDUP, k)
    if seen is not None and seen["expires"] > now:
        return str(seen["message_id"]), int(seen["seq"])
    tx.put(DEDUP, k, {"expires": now + DEDUP_INTERVAL_MS, "message_id": message_id, "seq": seq})
    return None


# -- subscriptions -------------------------------------------------------------------------


def get_subscription(tx: Tx, arn: str) -> Subscription | None:
    data = tx.get(SUBSCRIPTIONS, key(arn))
    return Subscription.from_record(data) if data is not None else None


def require_subscription(tx: Tx, arn: str) -> Subscription:
    subscription = get_subscription(tx, arn)
    if subscription is None:
        raise missing_subscription()
    return subscription


def put_subscription(tx: Tx, subscription: Subscription) -> None:
    tx.put(SUBSCRIPTIONS, key(subscription.arn), subscription.to_record())
    tx.put(BY_TOPIC, key(subscription.topic_arn, subscription.arn), subscription.arn)
    if subscription.token:
        # kept after confirmation: confirming again answers the same ARN, as in AWS
        tx.put(TOKENS, key(subscription.token), subscription.arn)


def delete_subscription(tx: Tx, subscription: Subscription) -> None:
    tx.delete(SUBSCRIPTIONS, key(subscription.arn))
    tx.delete(BY_TOPIC, key(subscription.topic_arn, subscription.arn))
    if subscription.token:
        tx.delete(TOKENS, key(subscription.token))


def find_by_token(tx: Tx, token: str) -> Subscription | None:
    arn = tx.get(TOKENS, key(token))
    return get_subscription(tx, arn) if arn is not None else None


def list_subscriptions(
    tx: Tx, region: str, account: str, after: str | None
) -> Iterator[Subscription]:
    start = key(after) + b"\x00" if after else None
    prefix = key_prefix(arn_prefix(region, account))
    for _, data in tx.scan(SUBSCRIPTIONS, prefix=prefix, start=start):
        yield Subscription.from_record(data)


def topic_subscriptions(tx: Tx, topic_arn: str, after: str | None) -> Iterator[Subscription]:
    start = key(topic_arn, after) + b"\x00" if after else None
    for _, arn in tx.scan(BY_TOPIC, prefix=key(topic_arn), start=start):
        subscription = get_subscription(tx, arn)
        if subscription is not None:
            yield subscription


# -- deliveries ----------------------------------------------------------------------------


def add_http(tx: Tx, record: dict[str, Any]) -> None:
    """Schedule an HTTP delivery (``record`` has ``id`` and ``due`` in epoch ms)."""
    tx.put(HTTP, key(record["due"], record["id"]), record)


def remove_http(tx: Tx, record: dict[str, Any]) -> bool:
    return tx.delete(HTTP, key(record["due"], record["id"]))


def due_http(tx: Tx, now: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` HTTP deliveries due at ``now``, earliest first."""
    rows = tx.scan(HTTP, start=key(0), end=key(now + 1), limit=limit)
    return [record for _, record in rows]


def next_http_due(tx: Tx) -> int | None:
    """When the earliest HTTP delivery is due (epoch ms), or None when there is none."""
    for _, record in tx.scan(HTTP, limit=1):
        return int(record["due"])
    return None


def record_sent(tx: Tx, seq: int, record: dict[str, Any]) -> None:
    tx.put(SENT, key(seq), record)


def sent_messages(tx: Tx) -> list[dict[str, Any]]:
    return [record for _, record in tx.scan(SENT)]


def push_platform(tx: Tx, endpoint_arn: str) -> str | None:
    """The platform (``GCM``, ``APNS``...) of an enabled mobile push endpoint; None when the
    endpoint is gone or disabled."""
    endpoint = tx.get(ENDPOINTS, key(endpoint_arn))
    if endpoint is None or endpoint["attributes"].get("Enabled", "true").lower() != "true":
        return None
    app = tx.get(APPS, key(endpoint["app_arn"]))
    return str(app["platform"]) if app is not None else None
