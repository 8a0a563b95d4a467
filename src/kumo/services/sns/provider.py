"""The SNS provider: topics, subscriptions and publishing, one method per operation.

A publish writes its message to every SQS subscriber in the publish's own transaction (see
:mod:`kumo.services.sns.publishing`); HTTP/HTTPS deliveries are durable records the
background loop of :mod:`kumo.services.sns.http` posts; email and SMS deliveries are kept
for inspection under ``/_kumo/sns/messages``. Topic permissions, SMS settings and mobile
push applications are bound in :mod:`kumo.services.sns.account_ops`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.base import Provider, ServiceDeps, operation
from kumo.services.sns import paging, platform, sms
from kumo.services.sns import store as db
from kumo.services.sns.account_ops import AccountOperations
from kumo.services.sns.attributes import (
    SUBSCRIPTION_ATTRIBUTES,
    check_subscription_attributes,
    check_topic_attributes,
    subscription_attributes,
    topic_attributes,
)
from kumo.services.sns.delivery import request_confirmation
from kumo.services.sns.errors import invalid_parameter
from kumo.services.sns.http import HttpDelivery
from kumo.services.sns.models import (
    Publication,
    Subscription,
    Topic,
    check_topic_name,
    parse_topic_arn,
)
from kumo.services.sns.publishing import (
    Published,
    Publisher,
    check_batch,
    new_publication,
    sms_record,
)
from kumo.services.sns.subscribing import check_endpoint
from kumo.storage.base import Tx

__all__ = ["SnsProvider"]

Output = dict[str, Any]

MAX_TAGS = 50
# a failed batch entry reports the error's wire code
_BATCH_CODES = {
    "InvalidParameterException": "InvalidParameter",
    "InvalidParameterValueException": "ParameterValueInvalid",
    "NotFoundException": "NotFound",
}


class SnsProvider(AccountOperations, Provider):
    """Amazon Simple Notification Service: standard and FIFO topics."""

    service = "sns"

    def __init__(self, deps: ServiceDeps) -> None:
        super().__init__(deps)
        self.publisher = Publisher(self.store, self.settings)
        self.http = HttpDelivery(self.store)

    async def start(self) -> None:
        # make (or load) the signing key now rather than in the first publish's transaction
        await asyncio.to_thread(self.publisher.signing.signer)
        await self.http.start()

    async def stop(self) -> None:
        await self.http.stop()

    # -- helpers -------------------------------------------------------------------------

    def _endpoint(self, ctx: RequestContext) -> str:
        host = ctx.request.host
        return f"{ctx.request.scheme}://{host}" if host else self.settings.endpoint

    def _topic(self, arn: str) -> Topic:
        parse_topic_arn(arn)
        return self.store.read(lambda tx: db.require_topic(tx, arn))

    # -- topics --------------------------------------------------------------------------

    @operation("CreateTopic")
    def create_topic(
        self,
        ctx: RequestContext,
        name: str,
        attributes: dict[str, str] | None = None,
        tags: list[dict[str, str]] | None = None,
        data_protection_policy: str | None = None,
    ) -> Output:
        attributes = dict(attributes or {})
        if data_protection_policy is not None:
            attributes["DataProtectionPolicy"] = data_protection_policy
        check_topic_name(name, attributes)
        fifo = name.endswith(".fifo")
        wanted = check_topic_attributes(attributes, fifo=fifo, creating=True)
        wanted.pop("FifoTopic", None)
        wanted_tags = self._tags(tags or [])
        arn = f"arn:aws:sns:{ctx.region}:{ctx.account_id}:{name}"

        def create(tx: Tx) -> None:
            existing = db.get_topic(tx, arn)
            if existing is not None:
                if any(existing.attributes.get(k, "") != v for k, v in wanted.items()):
                    raise invalid_parameter(
                        "Attributes Reason: Topic already exists with different attributes"
                    )
                if wanted_tags and any(existing.tags.get(k) != v for k, v in wanted_tags.items()):
                    raise invalid_parameter("Tags Reason: Topic already exists with different tags")
                return
            topic = Topic(arn, ctx.account_id, ctx.region, name, wanted, wanted_tags)
            db.put_topic(tx, topic)

        self.store.write(create)
        return {"TopicArn": arn}

    @operation("DeleteTopic")
    def delete_topic(self, ctx: RequestContext, topic_arn: str) -> Output:
        parse_topic_arn(topic_arn)

        def delete(tx: Tx) -> None:
            topic = db.get_topic(tx, topic_arn)
            # deleting a topic that does not exist is not an error
            if topic is not None:
                db.delete_topic(tx, topic)

        self.store.write(delete)
        return {}

    @operation("GetTopicAttributes")
    def get_topic_attributes(self, ctx: RequestContext, topic_arn: str) -> Output:
        parse_topic_arn(topic_arn)

        def read(tx: Tx) -> dict[str, str]:
            topic = db.require_topic(tx, topic_arn)
            confirmed = pending = 0
            for subscription in db.topic_subscriptions(tx, topic_arn, None):
                if subscription.confirmed:
                    confirmed += 1
                else:
                    pending += 1
            return topic_attributes(topic, confirmed, pending)

        return {"Attributes": self.store.read(read)}

    @operation("SetTopicAttributes")
    def set_topic_attributes(
        self,
        ctx: RequestContext,
        topic_arn: str,
        attribute_name: str,
        attribute_value: str | None = None,
    ) -> Output:
        parse_topic_arn(topic_arn)

        def update(tx: Tx) -> None:
            topic = db.require_topic(tx, topic_arn)
            wanted = check_topic_attributes(
                {attribute_name: attribute_value or ""}, fifo=topic.fifo, creating=False
            )
            topic.attributes.update(wanted)
            db.put_topic(tx, topic)

        self.store.write(update)
        return {}

    @operation("ListTopics")
    def list_topics(self, ctx: RequestContext, next_token: str | None = None) -> Output:
        after = paging.after(next_token)

        def page(tx: Tx) -> list[Topic]:
            found: list[Topic] = []
            for topic in db.list_topics(tx, ctx.region, ctx.account_id, after):
                found.append(topic)
                if len(found) > paging.PAGE:
                    break
            return found

        topics, token = paging.split(self.store.read(page), lambda t: t.arn)
        out: Output = {"Topics": [{"TopicArn": t.arn} for t in topics]}
        if token:
            out["NextToken"] = token
        return out

    # -- tags ----------------------------------------------------------------------------

    @staticmethod
    def _tags(tags: list[dict[str, str]]) -> dict[str, str]:
        out: dict[str, str] = {}
        for tag in tags:
            tag_key = tag.get("Key", "")
            if not tag_key or len(tag_key) > 128 or len(tag.get("Value", "")) > 256:
                raise invalid_parameter("Tags")
            out[tag_key] = tag.get("Value", "")
        return out

    def _tagged(self, arn: str) -> Topic:
        def read(tx: Tx) -> Topic:
            topic = db.get_topic(tx, arn)
            if topic is None:
                raise ServiceError(
                    "Resource does not exist", code="ResourceNotFoundException", status=404
                )
            return topic

        return self.store.read(read)

    @operation("TagResource")
    def tag_resource(
        self, ctx: RequestContext, resource_arn: str, tags: list[dict[str, str]]
    ) -> Output:
        wanted = self._tags(tags)

        def tag(tx: Tx) -> None:
            topic = db.get_topic(tx, resource_arn)
            if topic is None:
                raise ServiceError(
                    "Resource does not exist", code="ResourceNotFoundException", status=404
                )
            merged = {**topic.tags, **wanted}
            if len(merged) > MAX_TAGS:
                raise ServiceError(
                    "Could not complete request: tag quota of per resource exceeded",
                    code="TagLimitExceededException",
                    status=400,
                )
            topic.tags = merged
            db.put_topic(tx, topic)

        self.store.write(tag)
        return {}

    @operation("UntagResource")
    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> Output:
        def untag(tx: Tx) -> None:
            topic = db.get_topic(tx, resource_arn)
            if topic is None:
                raise ServiceError(
                    "Resource does not exist", code="ResourceNotFoundException", status=404
                )
            for tag_key in tag_keys:
                topic.tags.pop(tag_key, None)
            db.put_topic(tx, topic)

        self.store.write(untag)
        return {}

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str) -> Output:
        topic = self._tagged(resource_arn)
        return {"Tags": [{"Key": k, "Value": v} for k, v in topic.tags.items()]}

    # -- subscriptions -------------------------------------------------------------------

    @operation("Subscribe")
    def subscribe(
        self,
        ctx: RequestContext,
        topic_arn: str,
        protocol: str,
        endpoint: str | None = None,
        attributes: dict[str, str] | None = None,
        return_subscription_arn: bool | None = None,
    ) -> Output:
        parse_topic_arn(topic_arn)
        endpoint = endpoint or ""
        wanted = check_subscription_attributes(
            attributes or {}, protocol=protocol, subscribing=True
        )
        links = self.publisher.links(self._endpoint(ctx))

        def subscribe(tx: Tx) -> Subscription:
            topic = db.require_topic(tx, topic_arn)
            check_endpoint(topic, protocol, endpoint)
            for existing in db.topic_subscriptions(tx, topic_arn, None):
                if existing.protocol != protocol or existing.endpoint != endpoint:
                    continue
                if any(existing.attributes.get(k, "") != v for k, v in wanted.items()):
                    raise invalid_parameter(
                        "Attributes Reason: Subscription already exists with different attributes"
                    )
                if not existing.confirmed:
                    seq = self.publisher.hub.sequence.next()
                    request_confirmation(tx, topic, existing, links, seq=seq)
                return existing
            subscription = Subscription.new(topic_arn, ctx.account_id, protocol, endpoint, wanted)
            db.put_subscription(tx, subscription)
            if not subscription.confirmed:
                request_confirmation(
                    tx, topic, subscription, links, seq=self.publisher.hub.sequence.next()
                )
            return subscription

        subscription = self.store.write(subscribe)
        if subscription.protocol in ("http", "https") and not subscription.confirmed:
            self.http.wake()
        if subscription.confirmed or return_subscription_arn:
            return {"SubscriptionArn": subscription.arn}
        return {"SubscriptionArn": "pending confirmation"}

    @operation("ConfirmSubscription")
    def confirm_subscription(
        self,
        ctx: RequestContext,
        topic_arn: str,
        token: str,
        authenticate_on_unsubscribe: str | None = None,
    ) -> Output:
        parse_topic_arn(topic_arn)

        def confirm(tx: Tx) -> str:
            db.require_topic(tx, topic_arn)
            subscription = db.find_by_token(tx, token)
            if subscription is None or subscription.topic_arn != topic_arn:
                raise invalid_parameter("Token")
            if not subscription.confirmed:
                subscription.confirmed = True
                db.put_subscription(tx, subscription)
            return subscription.arn

        return {"SubscriptionArn": self.store.write(confirm)}

    @operation("Unsubscribe")
    def unsubscribe(self, ctx: RequestContext, subscription_arn: str) -> Output:
        parts = subscription_arn.split(":")
        if len(parts) != 7 or parts[:3] != ["arn", "aws", "sns"]:
            raise invalid_parameter("SubscriptionArn")

        def delete(tx: Tx) -> None:
            subscription = db.get_subscription(tx, subscription_arn)
            if subscription is not None:
                db.delete_subscription(tx, subscription)

        self.store.write(delete)
        return {}

    @operation("GetSubscriptionAttributes")
    def get_subscription_attributes(self, ctx: RequestContext, subscription_arn: str) -> Output:
        subscription = self.store.read(lambda tx: db.require_subscription(tx, subscription_arn))
        return {"Attributes": subscription_attributes(subscription)}

    @operation("SetSubscriptionAttributes")
    def set_subscription_attributes(
        self,
        ctx: RequestContext,
        subscription_arn: str,
        attribute_name: str,
        attribute_value: str | None = None,
    ) -> Output:
        if attribute_name not in SUBSCRIPTION_ATTRIBUTES:
            raise invalid_parameter("AttributeName")

        def update(tx: Tx) -> None:
            subscription = db.require_subscription(tx, subscription_arn)
            wanted = check_subscription_attributes(
                {attribute_name: attribute_value or ""},
                subscription.attributes,
                protocol=subscription.protocol,
            )
            subscription.attributes.update(wanted)
            db.put_subscription(tx, subscription)

        self.store.write(update)
        return {}

    @staticmethod
    def _listed(subscription: Subscription) -> Output:
        return {
            "SubscriptionArn": subscription.listed_arn,
            "Owner": subscription.owner,
            "Protocol": subscription.protocol,
            "Endpoint": subscription.endpoint,
            "TopicArn": subscription.topic_arn,
        }

    @operation("ListSubscriptions")
    def list_subscriptions(self, ctx: RequestContext, next_token: str | None = None) -> Output:
        after = paging.after(next_token)

        def page(tx: Tx) -> list[Subscription]:
            found: list[Subscription] = []
            for subscription in db.list_subscriptions(tx, ctx.region, ctx.account_id, after):
                found.append(subscription)
                if len(found) > paging.PAGE:
                    break
            return found

        subscriptions, token = paging.split(self.store.read(page), lambda s: s.arn)
        out: Output = {"Subscriptions": [self._listed(s) for s in subscriptions]}
        if token:
            out["NextToken"] = token
        return out

    @operation("ListSubscriptionsByTopic")
    def list_subscriptions_by_topic(
        self, ctx: RequestContext, topic_arn: str, next_token: str | None = None
    ) -> Output:
        parse_topic_arn(topic_arn)
        after = paging.after(next_token)

        def page(tx: Tx) -> list[Subscription]:
            db.require_topic(tx, topic_arn)
            found: list[Subscription] = []
            for subscription in db.topic_subscriptions(tx, topic_arn, after):
                found.append(subscription)
                if len(found) > paging.PAGE:
                    break
            return found

        subscriptions, token = paging.split(self.store.read(page), lambda s: s.arn)
        out: Output = {"Subscriptions": [self._listed(s) for s in subscriptions]}
        if token:
            out["NextToken"] = token
        return out

    # -- publishing ----------------------------------------------------------------------

    def _publish(self, ctx: RequestContext, topic: Topic, batch: list[Publication]) -> list[Any]:
        """Deliver ``batch`` in one transaction; returns each entry's Published."""
        endpoint = self._endpoint(ctx)
        for publication in batch:
            self.publisher.presign(topic, publication)

        def publish(tx: Tx) -> list[Published]:
            current = db.require_topic(tx, topic.arn)
            return [self.publisher.deliver_in_tx(tx, current, p, endpoint=endpoint) for p in batch]

        results = self.store.write(publish)
        for published in results:
            self.publisher.after_commit(published)
            if published.http:
                self.http.wake()
        return results

    @operation("Publish")
    def publish(
        self,
        ctx: RequestContext,
        message: str,
        topic_arn: str | None = None,
        target_arn: str | None = None,
        phone_number: str | None = None,
        subject: str | None = None,
        message_structure: str | None = None,
        message_attributes: dict[str, dict[str, Any]] | None = None,
        message_deduplication_id: str | None = None,
        message_group_id: str | None = None,
    ) -> Output:
        if phone_number is not None and not (topic_arn or target_arn):
            record = sms_record(phone_number, message)
            seq = self.publisher.hub.sequence.next()

            def send(tx: Tx) -> None:
                # AWS accepts an SMS to an opted-out number but does not deliver it
                if not sms.is_opted_out(tx, ctx.account_id, phone_number):
                    db.record_sent(tx, seq, record)

            self.store.write(send)
            return {"MessageId": record["message_id"]}
        if target_arn and not topic_arn and platform.is_endpoint_arn(target_arn):
            seq = self.publisher.hub.sequence.next()
            return platform.publish_to_endpoint(
                self.store,
                ctx,
                seq,
                target_arn,
                message,
                subject,
                message_structure,
                message_attributes,
            )
        arn = topic_arn or target_arn
        if not arn:
            raise invalid_parameter("TopicArn or TargetArn Reason: no value for required parameter")
        if topic_arn and target_arn:
            raise invalid_parameter("TopicArn Reason: Only one of TopicArn or TargetArn is allowed")
        topic = self._topic(arn)
        publication = new_publication(
            topic,
            message,
            subject,
            message_structure,
            message_attributes,
            message_group_id,
            message_deduplication_id,
            0,
        )
        (published,) = self._publish(ctx, topic, [publication])
        out: Output = {"MessageId": published.message_id}
        if published.sequence_number is not None:
            out["SequenceNumber"] = published.sequence_number
        return out

    @operation("PublishBatch")
    def publish_batch(
        self,
        ctx: RequestContext,
        topic_arn: str,
        publish_batch_request_entries: list[dict[str, Any]],
    ) -> Output:
        entries = publish_batch_request_entries
        check_batch(entries)
        topic = self._topic(topic_arn)
        accepted: list[tuple[str, Publication]] = []
        failed: list[Output] = []
        for entry in entries:
            try:
                publication = new_publication(
                    topic,
                    entry.get("Message", ""),
                    entry.get("Subject"),
                    entry.get("MessageStructure"),
                    entry.get("MessageAttributes"),
                    entry.get("MessageGroupId"),
                    entry.get("MessageDeduplicationId"),
                    0,
                )
            except ServiceError as err:
                failed.append(
                    {
                        "Id": entry["Id"],
                        "Code": _BATCH_CODES.get(err.code, err.code),
                        "Message": err.message,
                        "SenderFault": True,
                    }
                )
                continue
            accepted.append((entry["Id"], publication))
        successful: list[Output] = []
        if accepted:
            results = self._publish(ctx, topic, [p for _, p in accepted])
            for (entry_id, _), published in zip(accepted, results, strict=True):
                item: Output = {"Id": entry_id, "MessageId": published.message_id}
                if published.sequence_number is not None:
                    item["SequenceNumber"] = published.sequence_number
                successful.append(item)
        return {"Successful": successful, "Failed": failed}
