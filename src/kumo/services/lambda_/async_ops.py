"""The asynchronous part of the Lambda provider: the event queue's worker, where outcomes
go (destinations and dead-letter queues), and the Put/Get/Update/Delete/List
FunctionEventInvokeConfig operations."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.base import ServiceDeps, operation
from kumo.services.lambda_ import store as db
from kumo.services.lambda_.async_queue import (
    AfterCommit,
    AsyncEvent,
    AsyncQueue,
    enqueue,
    new_event,
)
from kumo.services.lambda_.base import LambdaBase
from kumo.services.lambda_.errors import invalid_parameter, resource_not_found
from kumo.services.lambda_.functions import page
from kumo.services.lambda_.models import LATEST, FunctionRef
from kumo.storage.base import Tx

__all__ = ["AsyncOps"]

log = logging.getLogger("kumo.lambda")

Output = dict[str, Any]

_DESTINATION = re.compile(r"^arn:aws[a-zA-Z-]*:(sqs|sns|lambda|events|s3):")


class AsyncOps(LambdaBase):
    """The async queue and its settings."""

    def __init__(self, deps: ServiceDeps) -> None:
        super().__init__(deps)
        self.queue = AsyncQueue(self.store, self.invoker.invoke, self._deliver)

    async def start(self) -> None:
        self.queue.start()

    async def stop(self) -> None:
        await self.queue.stop()

    async def _enqueue(self, ref: FunctionRef, body: bytes, trace_id: str | None) -> None:
        """Accept an event: durable before the caller hears 202."""

        def accept(tx: Tx) -> None:
            db.resolve(tx, ref)
            enqueue(tx, new_event(ref, ref.qualified_arn, body, trace_id))

        await self.store.awrite(accept)
        self.queue.wake()

    # -- destinations --------------------------------------------------------------------

    def _deliver(
        self, tx: Tx, target: str, record: dict[str, Any], event: AsyncEvent
    ) -> AfterCommit | None:
        """Send an async outcome to SQS, SNS or another function inside ``tx``."""
        service = target.split(":")[2] if target.count(":") >= 5 else ""
        dead_letter = bool(record.pop("deadLetter", False))
        body = event.body.decode("utf-8", "replace") if dead_letter else json.dumps(record)
        attributes: dict[str, dict[str, Any]] = {}
        if dead_letter:
            attributes = {
                "RequestID": {"DataType": "String", "StringValue": event.id},
                "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                "ErrorMessage": {
                    "DataType": "String",
                    "StringValue": record.get("errorMessage") or "Unhandled",
                },
            }
        if service == "sqs":
            return self._to_queue(tx, target, body, attributes, event.account_id)
        if service == "sns":
            return self._to_topic(tx, target, body, attributes)
        if service == "lambda":
            target_ref = self._ref_from_arn(target)
            try:
                db.resolve(tx, target_ref)
            except ServiceError:
                log.warning("lambda destination %s does not exist; record dropped", target)
                return None
            enqueue(tx, new_event(target_ref, target, body.encode(), event.trace_id))
            return self.queue.wake
        log.warning("lambda destination %s is not supported; record dropped", target)
        return None

    def _ref_from_arn(self, arn: str) -> FunctionRef:
        parts = arn.split(":")
        return self._ref_parts(parts[4], parts[3], ":".join(parts[6:]))

    def _ref_parts(self, account: str, region: str, name: str) -> FunctionRef:
        from kumo.services.lambda_.models import parse_function_name

        return parse_function_name(name, account, region)

    def _to_queue(
        self, tx: Tx, arn: str, body: str, attributes: dict[str, Any], sender: str
    ) -> AfterCommit | None:
        from kumo.services.sqs import store as sqs_store
        from kumo.services.sqs.waiters import QueueHub

        hub = QueueHub.for_store(self.store)
        queue_id = sqs_store.deliver(
            tx,
            arn,
            body,
            attributes,
            group=None,
            dedup_id=None,
            sender=sender,
            seq=hub.sequence.next(),
        )
        if queue_id is None:
            log.warning("lambda destination queue %s refused the record", arn)
            return None
        return lambda: hub.waiters.notify(queue_id)

    def _to_topic(
        self, tx: Tx, arn: str, body: str, attributes: dict[str, Any]
    ) -> AfterCommit | None:
        try:
            from kumo.services.sns.publishing import Publisher
        except ImportError:
            log.warning("SNS is not available; destination %s dropped", arn)
            return None
        publisher = Publisher(self.store, self.settings)
        try:
            published = publisher.publish_in_tx(tx, arn, body, attributes=attributes or None)
        except ServiceError as exc:
            log.warning("lambda destination topic %s refused the record: %s", arn, exc)
            return None
        return lambda: publisher.after_commit(published)

    # -- async settings ------------------------------------------------------------------

    def _config_ref(
        self, ctx: RequestContext, function_name: str, qualifier: str | None
    ) -> FunctionRef:
        ref = self._ref(ctx, function_name, qualifier)
        self.store.read(lambda tx: db.resolve(tx, ref))
        return FunctionRef(ref.account_id, ref.region, ref.name, ref.qualifier or LATEST)

    def _config_out(self, ref: FunctionRef, config: dict[str, Any]) -> Output:
        out: Output = {
            "LastModified": dt.datetime.fromtimestamp(config["LastModified"], dt.UTC),
            "FunctionArn": ref.qualified_arn,
            "DestinationConfig": config.get("DestinationConfig")
            or {"OnSuccess": {}, "OnFailure": {}},
        }
        for name in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
            if config.get(name) is not None:
                out[name] = config[name]
        return out

    def _put_config(
        self,
        ctx: RequestContext,
        function_name: str,
        qualifier: str | None,
        values: dict[str, Any],
        merge: bool,
    ) -> Output:
        ref = self._config_ref(ctx, function_name, qualifier)
        destinations = values.get("DestinationConfig")
        for side in ("OnSuccess", "OnFailure"):
            target = ((destinations or {}).get(side) or {}).get("Destination")
            if target and not _DESTINATION.match(target):
                raise invalid_parameter(
                    f"The provided destination config {side} Destination is invalid: {target}"
                )

        def put(tx: Tx) -> dict[str, Any]:
            current = db.get_item(tx, db.EVENT_CONFIGS, ref, ref.qualifier or LATEST)
            if merge and current is None:
                raise _no_event_config(ref)
            config = dict(current or {}) if merge else {}
            for name, value in values.items():
                if value is not None:
                    config[name] = value
            config["LastModified"] = dt.datetime.now(dt.UTC).timestamp()
            db.put_item(tx, db.EVENT_CONFIGS, ref, ref.qualifier or LATEST, config)
            return config

        return self._config_out(ref, self.store.write(put))

    @operation("PutFunctionEventInvokeConfig")
    def put_function_event_invoke_config(
        self,
        ctx: RequestContext,
        function_name: str,
        qualifier: str | None = None,
        maximum_retry_attempts: int | None = None,
        maximum_event_age_in_seconds: int | None = None,
        destination_config: dict[str, Any] | None = None,
    ) -> Output:
        values = {
            "MaximumRetryAttempts": maximum_retry_attempts,
            "MaximumEventAgeInSeconds": maximum_event_age_in_seconds,
            "DestinationConfig": destination_config,
        }
        return self._put_config(ctx, function_name, qualifier, values, merge=False)

    @operation("UpdateFunctionEventInvokeConfig")
    def update_function_event_invoke_config(
        self,
        ctx: RequestContext,
        function_name: str,
        qualifier: str | None = None,
        maximum_retry_attempts: int | None = None,
        maximum_event_age_in_seconds: int | None = None,
        destination_config: dict[str, Any] | None = None,
    ) -> Output:
        values = {
            "MaximumRetryAttempts": maximum_retry_attempts,
            "MaximumEventAgeInSeconds": maximum_event_age_in_seconds,
            "DestinationConfig": destination_config,
        }
        return self._put_config(ctx, function_name, qualifier, values, merge=True)

    @operation("GetFunctionEventInvokeConfig")
    def get_function_event_invoke_config(
        self, ctx: RequestContext, function_name: str, qualifier: str | None = None
    ) -> Output:
        ref = self._config_ref(ctx, function_name, qualifier)
        config = self.store.read(
            lambda tx: db.get_item(tx, db.EVENT_CONFIGS, ref, ref.qualifier or LATEST)
        )
        if config is None:
            raise _no_event_config(ref)
        return self._config_out(ref, config)

    @operation("DeleteFunctionEventInvokeConfig")
    def delete_function_event_invoke_config(
        self, ctx: RequestContext, function_name: str, qualifier: str | None = None
    ) -> Output:
        ref = self._config_ref(ctx, function_name, qualifier)
        deleted = self.store.write(
            lambda tx: db.delete_item(tx, db.EVENT_CONFIGS, ref, ref.qualifier or LATEST)
        )
        if not deleted:
            raise _no_event_config(ref)
        return {}

    @operation("ListFunctionEventInvokeConfigs")
    def list_function_event_invoke_configs(
        self,
        ctx: RequestContext,
        function_name: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        ref = self._config_ref(ctx, function_name, None)
        items = self.store.read(lambda tx: list(db.list_items(tx, db.EVENT_CONFIGS, ref)))
        chunk, nxt = page(items, marker, max_items)
        out: Output = {
            "FunctionEventInvokeConfigs": [
                self._config_out(
                    FunctionRef(ref.account_id, ref.region, ref.name, qualifier), config
                )
                for qualifier, config in chunk
            ]
        }
        if nxt is not None:
            out["NextMarker"] = nxt
        return out


def _no_event_config(ref: FunctionRef) -> ServiceError:
    return resource_not_found(f"The function {ref.qualified_arn} doesn't have an EventInvokeConfig")
