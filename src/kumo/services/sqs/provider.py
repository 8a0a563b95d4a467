"""The SQS provider: one method per operation, standard and FIFO queues.

Queue URLs are built from the Host the client used, so they work whichever name the client
reached kumo by; a queue URL is resolved by its last two path segments (account, name).
ReceiveMessage is ``async``: a long poll awaits the queue's arrival event (see
:mod:`kumo.services.sqs.waiters`) instead of holding a thread.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.base import Provider, ServiceDeps, operation
from kumo.services.sqs import messages as msgs
from kumo.services.sqs import moves, permissions
from kumo.services.sqs import store as db
from kumo.services.sqs.attributes import FIFO_DEFAULTS, check_attributes, check_fifo_throughput
from kumo.services.sqs.background import Background
from kumo.services.sqs.batches import check_entries, run_entries
from kumo.services.sqs.errors import (
    invalid_attribute_value,
    invalid_parameter,
    invalid_receipt_handle,
    parameter_is_invalid,
)
from kumo.services.sqs.models import (
    Message,
    Queue,
    ReceiptHandle,
    check_queue_name,
    now_ms,
    parse_queue_url,
)
from kumo.services.sqs.redrive import check_redrive
from kumo.services.sqs.sending import (
    SYSTEM_ATTRIBUTES,
    check_receive,
    new_message,
    received_output,
    sent_output,
)
from kumo.services.sqs.waiters import QueueHub
from kumo.storage.base import Tx

__all__ = ["SqsProvider"]

Output = dict[str, Any]
T = TypeVar("T")

PURGE_INTERVAL_MS = 60_000


class SqsProvider(Provider):
    """Amazon Simple Queue Service: standard and FIFO queues."""

    service = "sqs"

    def __init__(self, deps: ServiceDeps) -> None:
        super().__init__(deps)
        hub = QueueHub.for_store(self.store)
        self.waiters = hub.waiters
        self._seq = hub.sequence
        self.background = Background(self.store, hub)

    async def start(self) -> None:
        await self.background.start()

    async def stop(self) -> None:
        await self.background.stop()

    # -- helpers -------------------------------------------------------------------------

    def _url(self, ctx: RequestContext, queue: Queue) -> str:
        host = ctx.request.host
        base = f"{ctx.request.scheme}://{host}" if host else self.settings.endpoint
        return f"{base}/{queue.account}/{queue.name}"

    def _queue(self, queue_url: str) -> Queue:
        account, name = parse_queue_url(queue_url)
        return db.cached_queue(self.store, account, name)

    async def _awrite(self, fn: Callable[[Tx], T]) -> T:
        # with fsync a commit waits on the disk: keep it off the event loop
        if self.settings.fsync:
            return await self.store.awrite(fn)
        return self.store.write(fn)

    # -- queues --------------------------------------------------------------------------

    add_permission = operation("AddPermission")(permissions.add_permission)
    remove_permission = operation("RemovePermission")(permissions.remove_permission)

    @operation("CreateQueue")
    def create_queue(
        self,
        ctx: RequestContext,
        queue_name: str,
        attributes: dict[str, str] | None = None,
        tags: dict[str, str] | None = None,
    ) -> Output:
        check_queue_name(queue_name, attributes or {})
        fifo = queue_name.endswith(".fifo")
        wanted = check_attributes(attributes or {}, fifo=fifo)
        if fifo:
            check_fifo_throughput({**FIFO_DEFAULTS, **wanted})
        source_arn = f"arn:aws:sqs:{ctx.region}:{ctx.account_id}:{queue_name}"

        def create(tx: Tx) -> Queue:
            existing = db.get_queue(tx, ctx.account_id, queue_name)
            if existing is not None:
                for name, value in wanted.items():
                    if existing.setting(name) != value:
                        raise ServiceError(
                            "A queue already exists with the same name and a different "
                            f"value for attribute {name}",
                            code="QueueNameExists",
                            status=400,
                        )
                return existing
            check_redrive(tx, wanted, fifo=fifo, source_arn=source_arn)
            queue = Queue.new(ctx.account_id, ctx.region, queue_name, wanted, dict(tags or {}))
            db.put_queue(tx, queue)
            return queue

        queue = self.store.write(create)
        return {"QueueUrl": self._url(ctx, queue)}

    @operation("GetQueueUrl")
    def get_queue_url(
        self, ctx: RequestContext, queue_name: str, queue_owner_aws_account_id: str | None = None
    ) -> Output:
        account = queue_owner_aws_account_id or ctx.account_id
        queue = self.store.read(lambda tx: db.require_queue(tx, account, queue_name))
        return {"QueueUrl": self._url(ctx, queue)}

    @operation("ListQueues")
    def list_queues(
        self,
        ctx: RequestContext,
        queue_name_prefix: str | None = None,
        next_token: str | None = None,
        max_results: int | None = None,
    ) -> Output:
        if max_results is not None and not 1 <= max_results <= 1000:
            raise parameter_is_invalid(
                max_results, "MaxResults", "MaxResults must be an integer between 1 and 1000."
            )
        after = None
        if next_token:
            try:
                after = base64.urlsafe_b64decode(next_token.encode()).decode()
            except (ValueError, UnicodeError):
                raise invalid_parameter("Invalid NextToken value.") from None
        limit = max_results or 1000

        def page(tx: Tx) -> list[Queue]:
            found: list[Queue] = []
            for queue in db.list_queues(tx, ctx.account_id, queue_name_prefix or "", after):
                found.append(queue)
                if len(found) > limit:
                    break
            return found

        queues = self.store.read(page)
        out: Output = {}
        if queues:
            out["QueueUrls"] = [self._url(ctx, q) for q in queues[:limit]]
        if max_results is not None and len(queues) > limit:
            last = queues[limit - 1].name
            out["NextToken"] = base64.urlsafe_b64encode(last.encode()).decode()
        return out

    @operation("ListDeadLetterSourceQueues")
    def list_dead_letter_source_queues(
        self,
        ctx: RequestContext,
        queue_url: str,
        next_token: str | None = None,
        max_results: int | None = None,
    ) -> Output:
        if max_results is not None and not 1 <= max_results <= 1000:
            raise parameter_is_invalid(
                max_results, "MaxResults", "MaxResults must be an integer between 1 and 1000."
            )
        account, name = parse_queue_url(queue_url)

        def sources(tx: Tx) -> list[Queue]:
            target = db.require_queue(tx, account, name).arn
            return [
                q
                for q in db.list_queues(tx, account, "", None)
                if q.redrive is not None and q.redrive[0] == target
            ]

        queues = self.store.read(sources)
        start = 0
        if next_token:
            try:
                start = int(base64.urlsafe_b64decode(next_token.encode()).decode())
            except (ValueError, UnicodeError):
                raise invalid_parameter("Invalid NextToken value.") from None
        limit = max_results or 1000
        page = queues[start : start + limit]
        out: Output = {"queueUrls": [self._url(ctx, q) for q in page]}
        if max_results is not None and start + limit < len(queues):
            out["NextToken"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
        return out

    @operation("DeleteQueue")
    def delete_queue(self, ctx: RequestContext, queue_url: str) -> Output:
        account, name = parse_queue_url(queue_url)
        self.store.write(lambda tx: db.delete_queue(tx, db.require_queue(tx, account, name)))
        return {}

    @operation("GetQueueAttributes")
    def get_queue_attributes(
        self, ctx: RequestContext, queue_url: str, attribute_names: list[str] | None = None
    ) -> Output:
        account, name = parse_queue_url(queue_url)
        names = attribute_names or []
        if not names:
            return {}

        def read(tx: Tx) -> tuple[Queue, tuple[int, int, int]]:
            queue = db.require_queue(tx, account, name)
            return queue, db.counts(tx, queue.id, now_ms())

        queue, (visible, in_flight, delayed) = self.store.read(read)
        values = {
            "QueueArn": queue.arn,
            "ApproximateNumberOfMessages": str(visible),
            "ApproximateNumberOfMessagesNotVisible": str(in_flight),
            "ApproximateNumberOfMessagesDelayed": str(delayed),
            "CreatedTimestamp": str(queue.created),
            "LastModifiedTimestamp": str(queue.modified),
            **queue.defaults,
            **{k: v for k, v in queue.attributes.items() if v != ""},
        }
        if "All" not in names:
            values = {k: v for k, v in values.items() if k in names}
        return {"Attributes": values} if values else {}

    @operation("SetQueueAttributes")
    def set_queue_attributes(
        self, ctx: RequestContext, queue_url: str, attributes: dict[str, str]
    ) -> Output:
        account, name = parse_queue_url(queue_url)
        wanted = check_attributes(attributes, fifo=name.endswith(".fifo"))

        def update(tx: Tx) -> None:
            queue = db.require_queue(tx, account, name)
            check_redrive(tx, wanted, fifo=queue.fifo, source_arn=queue.arn)
            if queue.fifo:
                check_fifo_throughput({**queue.defaults, **queue.attributes, **wanted})
            queue.attributes.update(wanted)
            queue.modified = int(time.time())
            db.put_queue(tx, queue)

        self.store.write(update)
        return {}

    @operation("PurgeQueue")
    def purge_queue(self, ctx: RequestContext, queue_url: str) -> Output:
        account, name = parse_queue_url(queue_url)

        def purge(tx: Tx) -> None:
            queue = db.require_queue(tx, account, name)
            now = now_ms()
            if queue.purged_at and now - queue.purged_at < PURGE_INTERVAL_MS:
                raise ServiceError(
                    f"Only one PurgeQueue operation on {name} is allowed every 60 seconds.",
                    code="PurgeQueueInProgress",
                    status=403,
                )
            queue.purged_at = now
            db.put_queue(tx, queue)
            db.purge(tx, queue)

        self.store.write(purge)
        return {}

    @operation("TagQueue")
    def tag_queue(self, ctx: RequestContext, queue_url: str, tags: dict[str, str]) -> Output:
        account, name = parse_queue_url(queue_url)

        def tag(tx: Tx) -> None:
            queue = db.require_queue(tx, account, name)
            queue.tags.update(tags)
            db.put_queue(tx, queue)

        self.store.write(tag)
        return {}

    @operation("UntagQueue")
    def untag_queue(self, ctx: RequestContext, queue_url: str, tag_keys: list[str]) -> Output:
        account, name = parse_queue_url(queue_url)

        def untag(tx: Tx) -> None:
            queue = db.require_queue(tx, account, name)
            for tag_key in tag_keys:
                queue.tags.pop(tag_key, None)
            db.put_queue(tx, queue)

        self.store.write(untag)
        return {}

    @operation("ListQueueTags")
    def list_queue_tags(self, ctx: RequestContext, queue_url: str) -> Output:
        queue = self._queue(queue_url)
        return {"Tags": dict(queue.tags)} if queue.tags else {}

    # -- sending -------------------------------------------------------------------------

    def _enqueue(self, queue: Queue, batch: list[Message]) -> list[Message]:
        """Store ``batch``; returns what each send produced (for a FIFO duplicate, the
        message first sent with its deduplication id)."""

        def put(tx: Tx) -> list[Message]:
            current = db.require_queue(tx, queue.account, queue.name)
            now = now_ms()
            produced: list[Message] = []
            for message in batch:
                earlier = db.deduplicated(tx, current, message, now) if current.fifo else None
                if earlier is not None:
                    produced.append(earlier)
                    continue
                db.add_message(tx, current.id, message)
                produced.append(message)
            return produced

        produced = self.store.write(put)
        self.waiters.notify(queue.id)
        return produced

    @operation("SendMessage")
    def send_message(
        self,
        ctx: RequestContext,
        queue_url: str,
        message_body: str,
        delay_seconds: int | None = None,
        message_attributes: dict[str, dict[str, Any]] | None = None,
        message_system_attributes: dict[str, Any] | None = None,
        message_deduplication_id: str | None = None,
        message_group_id: str | None = None,
    ) -> Output:
        queue = self._queue(queue_url)
        message = new_message(
            queue,
            message_body,
            delay_seconds,
            message_attributes,
            message_group_id,
            message_deduplication_id,
            sender=ctx.access_key_id or ctx.account_id,
            seq=self._seq.next(),
            system_attributes=message_system_attributes,
        )
        return sent_output(self._enqueue(queue, [message])[0])

    @operation("SendMessageBatch")
    def send_message_batch(
        self, ctx: RequestContext, queue_url: str, entries: list[dict[str, Any]]
    ) -> Output:
        queue = self._queue(queue_url)
        check_entries(entries, "SendMessageBatchRequestEntry")
        limit = queue.int_setting("MaximumMessageSize")
        total = sum(
            msgs.message_size(e.get("MessageBody", ""), e.get("MessageAttributes") or {})
            for e in entries
        )
        if total > limit:
            raise ServiceError(
                f"Batch requests cannot be longer than {limit} bytes. You have sent {total} bytes.",
                code="BatchRequestTooLong",
                status=400,
            )
        accepted: list[tuple[str, Message]] = []

        def prepare(entry: dict[str, Any]) -> Output:
            message = new_message(
                queue,
                entry.get("MessageBody", ""),
                entry.get("DelaySeconds"),
                entry.get("MessageAttributes"),
                entry.get("MessageGroupId"),
                entry.get("MessageDeduplicationId"),
                sender=ctx.access_key_id or ctx.account_id,
                seq=self._seq.next(),
                system_attributes=entry.get("MessageSystemAttributes"),
            )
            accepted.append((entry["Id"], message))
            return {}

        result = run_entries(entries, prepare)
        if accepted:
            produced = self._enqueue(queue, [m for _, m in accepted])
            sent = {
                entry_id: sent_output(m)
                for (entry_id, _), m in zip(accepted, produced, strict=True)
            }
            result["Successful"] = [{"Id": e["Id"], **sent[e["Id"]]} for e in result["Successful"]]
        return result

    # -- receiving -----------------------------------------------------------------------

    @operation("ReceiveMessage")
    async def receive_message(
        self,
        ctx: RequestContext,
        queue_url: str,
        attribute_names: list[str] | None = None,
        message_system_attribute_names: list[str] | None = None,
        message_attribute_names: list[str] | None = None,
        max_number_of_messages: int | None = None,
        visibility_timeout: int | None = None,
        wait_time_seconds: int | None = None,
        receive_request_attempt_id: str | None = None,
    ) -> Output:
        limit = check_receive(
            max_number_of_messages,
            wait_time_seconds,
            visibility_timeout,
            receive_request_attempt_id,
        )
        account, name = parse_queue_url(queue_url)
        queue = self.store.read(lambda tx: db.require_queue(tx, account, name))
        wait = (
            queue.int_setting("ReceiveMessageWaitTimeSeconds")
            if wait_time_seconds is None
            else wait_time_seconds
        )
        visibility = (
            queue.int_setting("VisibilityTimeout")
            if visibility_timeout is None
            else visibility_timeout
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            arrival = self.waiters.event(queue.id)
            result = await self._awrite(
                lambda tx: db.receive(
                    tx,
                    db.require_queue(tx, account, name),
                    now_ms(),
                    limit,
                    visibility,
                    receive_request_attempt_id,
                )
            )
            for woken in result.woken:
                self.waiters.notify(woken)
            remaining = deadline - loop.time()
            if result.messages or remaining <= 0:
                break
            if result.next_visible is not None:
                remaining = min(remaining, max(0.01, (result.next_visible - now_ms()) / 1000))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrival.wait(), remaining)
        system = set(attribute_names or ()) | set(message_system_attribute_names or ())
        wanted = set(SYSTEM_ATTRIBUTES) if "All" in system else system
        out = [
            received_output(message, handle, wanted, message_attribute_names)
            for message, handle in result.messages
        ]
        return {"Messages": out} if out else {}

    # -- deleting and visibility ---------------------------------------------------------

    def _handle(self, queue: Queue, receipt_handle: str) -> ReceiptHandle:
        handle = ReceiptHandle.decode(receipt_handle)
        if handle is None or handle.queue_id != queue.id:
            raise invalid_receipt_handle(receipt_handle)
        return handle

    def _delete(self, queue: Queue, receipt_handle: str) -> None:
        handle = self._handle(queue, receipt_handle)

        def delete(tx: Tx) -> None:
            message = db.get_message(tx, queue.id, handle.message_id)
            # an older receive's handle succeeds but leaves the message, as in AWS
            if message is not None and message.token == handle.token:
                db.remove_message(tx, queue.id, message)

        self.store.write(delete)

    def _change_visibility(self, queue: Queue, receipt_handle: str, timeout: int) -> None:
        if not 0 <= timeout <= 43200:
            raise parameter_is_invalid(
                timeout, "VisibilityTimeout", "Must be between 0 and 43200, if provided."
            )
        handle = self._handle(queue, receipt_handle)

        def change(tx: Tx) -> None:
            now = now_ms()
            message = db.get_message(tx, queue.id, handle.message_id)
            if message is None or message.token != handle.token or message.visible_at <= now:
                raise parameter_is_invalid(
                    receipt_handle,
                    "ReceiptHandle",
                    "Message does not exist or is not available for visibility timeout change.",
                )
            db.move(tx, queue.id, message, now + timeout * 1000)

        self.store.write(change)
        if timeout == 0:
            self.waiters.notify(queue.id)

    @operation("DeleteMessage")
    def delete_message(self, ctx: RequestContext, queue_url: str, receipt_handle: str) -> Output:
        self._delete(self._queue(queue_url), receipt_handle)
        return {}

    @operation("DeleteMessageBatch")
    def delete_message_batch(
        self, ctx: RequestContext, queue_url: str, entries: list[dict[str, Any]]
    ) -> Output:
        queue = self._queue(queue_url)
        check_entries(entries, "DeleteMessageBatchRequestEntry")

        def delete(entry: dict[str, Any]) -> Output:
            self._delete(queue, entry.get("ReceiptHandle", ""))
            return {}

        return run_entries(entries, delete)

    @operation("ChangeMessageVisibility")
    def change_message_visibility(
        self, ctx: RequestContext, queue_url: str, receipt_handle: str, visibility_timeout: int
    ) -> Output:
        self._change_visibility(self._queue(queue_url), receipt_handle, visibility_timeout)
        return {}

    @operation("ChangeMessageVisibilityBatch")
    def change_message_visibility_batch(
        self, ctx: RequestContext, queue_url: str, entries: list[dict[str, Any]]
    ) -> Output:
        queue = self._queue(queue_url)
        check_entries(entries, "ChangeMessageVisibilityBatchRequestEntry")

        def change(entry: dict[str, Any]) -> Output:
            timeout = entry.get("VisibilityTimeout")
            if timeout is None:
                raise invalid_attribute_value("VisibilityTimeout")
            self._change_visibility(queue, entry.get("ReceiptHandle", ""), int(timeout))
            return {}

        return run_entries(entries, change)

    # -- message move tasks --------------------------------------------------------------

    @operation("StartMessageMoveTask")
    def start_message_move_task(
        self,
        ctx: RequestContext,
        source_arn: str,
        destination_arn: str | None = None,
        max_number_of_messages_per_second: int | None = None,
    ) -> Output:
        task = self.store.write(
            lambda tx: moves.start(
                tx, source_arn, destination_arn, max_number_of_messages_per_second, now_ms()
            )
        )
        return {"TaskHandle": task.handle}

    @operation("ListMessageMoveTasks")
    def list_message_move_tasks(
        self, ctx: RequestContext, source_arn: str, max_results: int | None = None
    ) -> Output:
        limit = 1 if max_results is None else max_results
        if not 1 <= limit <= 10:
            raise parameter_is_invalid(limit, "MaxResults", "Must be between 1 and 10.")
        tasks = self.store.read(lambda tx: moves.list_tasks(tx, source_arn, limit))
        return {"Results": [task.output() for task in tasks]}

    @operation("CancelMessageMoveTask")
    def cancel_message_move_task(self, ctx: RequestContext, task_handle: str) -> Output:
        task = self.store.write(lambda tx: moves.cancel(tx, task_handle))
        return {"ApproximateNumberOfMessagesMoved": task.moved}
