"""Messages in and out: a send checked and turned into a record, records turned into the
SendMessage and ReceiveMessage output shapes."""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

from kumo.services.sqs import messages as msgs
from kumo.services.sqs.errors import invalid_parameter, missing_parameter, parameter_is_invalid
from kumo.services.sqs.models import Message, Queue, now_ms

__all__ = ["SYSTEM_ATTRIBUTES", "check_receive", "new_message", "received_output", "sent_output"]

Output = dict[str, Any]

SYSTEM_ATTRIBUTES = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "MessageGroupId",
    "MessageDeduplicationId",
    "SequenceNumber",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)
# the message system attributes a sender may set
SENDABLE_SYSTEM_ATTRIBUTES = ("AWSTraceHeader",)


def new_message(
    queue: Queue,
    body: str,
    delay_seconds: int | None,
    attributes: dict[str, dict[str, Any]] | None,
    group: str | None,
    dedup_id: str | None,
    *,
    sender: str,
    seq: int,
    system_attributes: dict[str, dict[str, Any]] | None = None,
) -> Message:
    """A new message, checked as SendMessage checks it."""
    attributes = attributes or {}
    extra = _system_extra(system_attributes or {})
    if queue.fifo:
        if delay_seconds is not None:
            raise parameter_is_invalid(
                delay_seconds,
                "DelaySeconds",
                "The request include parameter that is not valid for this queue type.",
            )
        if not group:
            raise missing_parameter("MessageGroupId")
        if dedup_id is None:
            if queue.setting("ContentBasedDeduplication") != "true":
                raise invalid_parameter(
                    "The queue should either have ContentBasedDeduplication enabled or "
                    "MessageDeduplicationId provided explicitly"
                )
            dedup_id = hashlib.sha256(body.encode("utf-8")).hexdigest()
    elif dedup_id is not None:
        raise parameter_is_invalid(
            dedup_id,
            "MessageDeduplicationId",
            "The request include parameter that is not valid for this queue type",
        )
    msgs.check_body(body)
    msgs.check_message_attributes(attributes)
    limit = queue.int_setting("MaximumMessageSize")
    if msgs.message_size(body, attributes) > limit:
        raise invalid_parameter(
            "One or more parameters are invalid. Reason: Message must be shorter than "
            f"{limit} bytes."
        )
    delay = queue.int_setting("DelaySeconds") if delay_seconds is None else delay_seconds
    msgs.check_delay(delay)
    sent = now_ms()
    return Message(
        id=str(uuid.uuid4()),
        body=body,
        attributes=msgs.to_record(attributes),
        md5_body=msgs.body_md5(body),
        md5_attributes=msgs.attributes_md5(attributes),
        sender=sender,
        sent=sent,
        visible_at=sent + delay * 1000,
        seq=seq,
        delayed=delay > 0,
        group=group,
        dedup_id=dedup_id,
        fifo=queue.fifo,
        extra=extra,
    )


def _system_extra(system: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Message system attributes (AWSTraceHeader) checked, as the message keeps them."""
    if not system:
        return {}
    for name, value in system.items():
        if name not in SENDABLE_SYSTEM_ATTRIBUTES:
            raise invalid_parameter(f"Message system attribute name '{name}' is invalid.")
        if value.get("DataType") != "String" or not value.get("StringValue"):
            raise invalid_parameter(
                f"Message system attribute '{name}' must be of type String with a value."
            )
    return {
        "system": msgs.to_record(system),
        "md5_system": msgs.attributes_md5(system),
    }


_ATTEMPT_ID = re.compile(r"^[A-Za-z0-9!-/:-@\[-`{-~]{1,128}$")


def check_receive(
    max_number_of_messages: int | None,
    wait_time_seconds: int | None,
    visibility_timeout: int | None,
    attempt_id: str | None,
) -> int:
    """ReceiveMessage's parameters checked as AWS checks them; returns how many to take."""
    limit = 1 if max_number_of_messages is None else max_number_of_messages
    if not 1 <= limit <= 10:
        raise parameter_is_invalid(
            limit, "MaxNumberOfMessages", "Must be between 1 and 10, if provided."
        )
    if wait_time_seconds is not None and not 0 <= wait_time_seconds <= 20:
        raise parameter_is_invalid(
            wait_time_seconds, "WaitTimeSeconds", "Must be >= 0 and <= 20, if provided."
        )
    if visibility_timeout is not None and not 0 <= visibility_timeout <= 43200:
        raise parameter_is_invalid(
            visibility_timeout, "VisibilityTimeout", "Must be >= 0 and <= 43200, if provided."
        )
    if attempt_id is not None and not _ATTEMPT_ID.match(attempt_id):
        raise parameter_is_invalid(
            attempt_id,
            "ReceiveRequestAttemptId",
            "Must be 1 to 128 alphanumeric or punctuation characters.",
        )
    return limit


def sent_output(message: Message) -> Output:
    """SendMessage's output (and a SendMessageBatch entry's) for ``message``."""
    out: Output = {"MessageId": message.id, "MD5OfMessageBody": message.md5_body}
    if message.md5_attributes:
        out["MD5OfMessageAttributes"] = message.md5_attributes
    if message.extra.get("md5_system"):
        out["MD5OfMessageSystemAttributes"] = message.extra["md5_system"]
    if message.fifo:
        out["SequenceNumber"] = message.sequence_number
    return out


def received_output(
    message: Message, handle: str, system: set[str], attribute_names: list[str] | None
) -> Output:
    """A received message in ReceiveMessage's output shape."""
    out: Output = {
        "MessageId": message.id,
        "ReceiptHandle": handle,
        "MD5OfBody": message.md5_body,
        "Body": message.body,
    }
    values = {
        "SenderId": message.sender,
        "SentTimestamp": str(message.sent),
        "ApproximateReceiveCount": str(message.receive_count),
        "ApproximateFirstReceiveTimestamp": str(message.first_receive or message.sent),
    }
    if message.group is not None:
        values["MessageGroupId"] = message.group
    if message.fifo:
        values["SequenceNumber"] = message.sequence_number
        if message.dedup_id is not None:
            values["MessageDeduplicationId"] = message.dedup_id
    trace = message.extra.get("system", {}).get("AWSTraceHeader")
    if trace is not None:
        values["AWSTraceHeader"] = trace["StringValue"]
    if message.extra.get("dead_letter_source"):
        values["DeadLetterQueueSourceArn"] = message.extra["dead_letter_source"]
    chosen = {k: v for k, v in values.items() if k in system}
    if chosen:
        out["Attributes"] = chosen
    attributes = msgs.select_attributes(msgs.from_record(message.attributes), attribute_names)
    if attributes:
        out["MessageAttributes"] = attributes
        out["MD5OfMessageAttributes"] = msgs.attributes_md5(attributes)
    return out
