"""Bucket event notifications: the configuration S3 stores and validates, and the records.

Put/GetBucketNotificationConfiguration keep the document on the bucket record (with the
``Id`` S3 generates for a configuration given none). Every object change calls
:func:`notify` inside the transaction that makes the change; for each configuration whose
events and key filters match, it writes one record to the outbox:

topic ``s3.notification``, payload::

    {
      "bucket": "<bucket name>",
      "key": "<object key, not encoded>",
      "target": {"type": "sqs" | "sns" | "lambda" | "eventbridge",
                 "arn": "<destination ARN; "" for eventbridge>",
                 "id": "<configuration Id; "" for eventbridge>"},
      "record": <the S3 event record exactly as S3 delivers it inside {"Records": [...]}>
    }

The record is eventVersion 2.1 with eventName without the ``s3:`` prefix (e.g.
``ObjectCreated:Put``), the key URL-encoded as S3 encodes it and a per-key increasing
``sequencer``. Delivery (the triggers room) reads this topic; nothing here sends anything.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.s3 import store as db
from kumo.services.s3.host import Host, Output
from kumo.services.s3.models import Bucket, S3Object
from kumo.storage.base import Tx

__all__ = [
    "TOPIC",
    "Actor",
    "actor_of",
    "get_bucket_notification_configuration",
    "notify",
    "put_bucket_notification_configuration",
]

TOPIC = "s3.notification"
_TOP = (1 << 64) - 1

# The event types S3 accepts in a notification configuration.
EVENTS = frozenset(
    {
        "s3:ReducedRedundancyLostObject",
        "s3:ObjectCreated:*",
        "s3:ObjectCreated:Put",
        "s3:ObjectCreated:Post",
        "s3:ObjectCreated:Copy",
        "s3:ObjectCreated:CompleteMultipartUpload",
        "s3:ObjectRemoved:*",
        "s3:ObjectRemoved:Delete",
        "s3:ObjectRemoved:DeleteMarkerCreated",
        "s3:ObjectRestore:*",
        "s3:ObjectRestore:Post",
        "s3:ObjectRestore:Completed",
        "s3:ObjectRestore:Delete",
        "s3:Replication:*",
        "s3:Replication:OperationFailedReplication",
        "s3:Replication:OperationNotTracked",
        "s3:Replication:OperationMissedThreshold",
        "s3:Replication:OperationReplicatedAfterThreshold",
        "s3:LifecycleTransition",
        "s3:IntelligentTiering",
        "s3:ObjectAcl:Put",
        "s3:LifecycleExpiration:*",
        "s3:LifecycleExpiration:Delete",
        "s3:LifecycleExpiration:DeleteMarkerCreated",
        "s3:ObjectTagging:*",
        "s3:ObjectTagging:Put",
        "s3:ObjectTagging:Delete",
    }
)

# configuration list -> (ARN member, target type, the ARN's service)
_KINDS = {
    "QueueConfigurations": ("QueueArn", "sqs", "sqs"),
    "TopicConfigurations": ("TopicArn", "sns", "sns"),
    "LambdaFunctionConfigurations": ("LambdaFunctionArn", "lambda", "lambda"),
}
_ARN = re.compile(r"^arn:aws[a-z-]*:(?P<service>[a-z0-9-]+):[a-z0-9-]+:\d{12}:(?P<rest>.+)$")


@dataclass(frozen=True)
class Actor:
    """Who caused an event, as the record's userIdentity and request fields name them."""

    principal_id: str
    source_ip: str
    request_id: str


def actor_of(ctx: RequestContext) -> Actor:
    principal = ctx.principal
    who = (principal.user_id if principal is not None else "") or ctx.account_id
    client = ctx.request.client
    return Actor(
        principal_id=f"AWS:{who}",
        source_ip=client[0] if client else "127.0.0.1",
        request_id=ctx.request_id,
    )


def lifecycle_actor() -> Actor:
    """Lifecycle expirations are S3's own doing."""
    return Actor("s3.amazonaws.com", "s3.amazonaws.com", uuid.uuid4().hex[:16].upper())


# -- the operations ----------------------------------------------------------------------------


def put_bucket_notification_configuration(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    notification_configuration: dict[str, Any],
    skip_destination_validation: bool | None = None,
) -> Output:
    config = _validated(notification_configuration)
    db.update_bucket(s3.store, bucket, lambda b: b.configs.__setitem__("notification", config))
    return {}


def get_bucket_notification_configuration(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    found = s3.store.read(lambda tx: db.require_bucket(tx, bucket))
    return dict(found.configs.get("notification") or {})


def _invalid(message: str, name: str, value: str) -> ServiceError:
    return ServiceError(message, code="InvalidArgument", ArgumentName=name, ArgumentValue=value)


def _validated(doc: dict[str, Any]) -> dict[str, Any]:
    """The configuration as stored (Ids filled in), or S3's InvalidArgument."""
    out: dict[str, Any] = {}
    rules: list[tuple[set[str], str, str]] = []  # (events, prefix, suffix) per configuration
    for kind, (arn_member, _, service) in _KINDS.items():
        configs = []
        for item in doc.get(kind) or []:
            arn = str(item.get(arn_member) or "")
            found = _ARN.match(arn)
            if found is None or found.group("service") != service:
                raise _invalid(
                    "Unable to validate the following destination configurations",
                    arn,
                    "The destination ARN is not well formed",
                )
            events = list(item.get("Events") or [])
            for event in events:
                if event not in EVENTS:
                    raise _invalid("The event is not supported for notifications", "Event", event)
            prefix, suffix = _filter(item.get("Filter"))
            rules.append((set(events), prefix, suffix))
            entry: dict[str, Any] = {
                "Id": item.get("Id") or _new_id(),
                arn_member: arn,
                "Events": events,
            }
            if item.get("Filter") is not None:
                # S3 returns the rule names capitalized, however they were sent
                filter_rules = [
                    {"Name": str(r.get("Name") or "").capitalize(), "Value": r.get("Value", "")}
                    for r in (item["Filter"].get("Key") or {}).get("FilterRules") or []
                ]
                entry["Filter"] = {"Key": {"FilterRules": filter_rules}}
            configs.append(entry)
        if configs:
            out[kind] = configs
    _check_overlaps(rules)
    if doc.get("EventBridgeConfiguration") is not None:
        out["EventBridgeConfiguration"] = {}
    return out


def _new_id() -> str:
    # S3 names an unnamed configuration with an opaque base64 token
    return base64.b64encode(uuid.uuid4().hex.encode()).decode().rstrip("=")


def _filter(doc: dict[str, Any] | None) -> tuple[str, str]:
    """The (prefix, suffix) of a configuration's key filter."""
    prefix: str | None = None
    suffix: str | None = None
    for rule in ((doc or {}).get("Key") or {}).get("FilterRules") or []:
        name = str(rule.get("Name") or "").lower()
        value = str(rule.get("Value") or "")
        if name == "prefix":
            if prefix is not None:
                raise _invalid(
                    "Cannot specify more than one prefix rule in a filter.", "FilterRule", name
                )
            prefix = value
        elif name == "suffix":
            if suffix is not None:
                raise _invalid(
                    "Cannot specify more than one suffix rule in a filter.", "FilterRule", name
                )
            suffix = value
        else:
            raise _invalid(
                "filter rule name must be either prefix or suffix", "FilterRule", str(rule)
            )
    return prefix or "", suffix or ""


def _events_overlap(a: set[str], b: set[str]) -> bool:
    for x in a:
        for y in b:
            if x == y or (x.endswith("*") and y.startswith(x[:-1])):
                return True
            if y.endswith("*") and x.startswith(y[:-1]):
                return True
    return False


def _check_overlaps(rules: list[tuple[set[str], str, str]]) -> None:
    """Two configurations for a common event type may not both match one key."""
    for i, (events_a, prefix_a, suffix_a) in enumerate(rules):
        for events_b, prefix_b, suffix_b in rules[i + 1 :]:
            if not _events_overlap(events_a, events_b):
                continue
            prefixes = prefix_a.startswith(prefix_b) or prefix_b.startswith(prefix_a)
            suffixes = suffix_a.endswith(suffix_b) or suffix_b.endswith(suffix_a)
            if prefixes and suffixes:
                raise _invalid(
                    "Configuration is ambiguously defined. Cannot have overlapping suffixes in "
                    "two rules if the prefixes are overlapping for the same event type.",
                    "Event",
                    ", ".join(sorted(events_a & events_b) or sorted(events_a)),
                )


# -- records -----------------------------------------------------------------------------------


def _matches(config: dict[str, Any], event: str, key: str) -> bool:
    family = event.split(":", 1)[0]
    wanted = config.get("Events") or []
    if f"s3:{event}" not in wanted and f"s3:{family}:*" not in wanted:
        return False
    prefix, suffix = _filter(config.get("Filter"))
    return key.startswith(prefix) and key.endswith(suffix)


def notify(
    tx: Tx,
    bucket: Bucket,
    event: str,
    obj: S3Object,
    actor: Actor,
) -> None:
    """Write the outbox records of ``event`` (``ObjectCreated:Put``) on ``obj``, one per
    matching configuration, in the caller's transaction."""
    config = bucket.configs.get("notification")
    if not config:
        return
    targets: list[tuple[str, str, str]] = []
    for kind, (arn_member, target_type, _) in _KINDS.items():
        for item in config.get(kind) or []:
            if _matches(item, event, obj.key):
                targets.append((target_type, item[arn_member], item["Id"]))
    if "EventBridgeConfiguration" in config:
        targets.append(("eventbridge", "", ""))
    for target_type, arn, config_id in targets:
        record = _record(bucket, event, obj, actor, config_id)
        tx.emit(
            TOPIC,
            {
                "bucket": bucket.name,
                "key": obj.key,
                "target": {"type": target_type, "arn": arn, "id": config_id},
                "record": record,
            },
        )


def _record(
    bucket: Bucket,
    event: str,
    obj: S3Object,
    actor: Actor,
    config_id: str,
) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    entry: dict[str, Any] = {"key": quote_plus(obj.key, safe="/")}
    if event.startswith(("ObjectCreated", "ObjectTagging", "ObjectAcl")):
        if event.startswith("ObjectCreated"):
            entry["size"] = obj.size
        entry["eTag"] = obj.etag.strip('"')
    if bucket.versioning is not None:
        entry["versionId"] = obj.version_id
    # increasing per key: a version's rank counts down with time (see versions.py)
    written = _TOP - int(obj.rank, 16) if obj.rank else 0
    entry["sequencer"] = f"{max(written, time.time_ns()):018X}"
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": bucket.region,
        "eventTime": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "eventName": event,
        "userIdentity": {"principalId": actor.principal_id},
        "requestParameters": {"sourceIPAddress": actor.source_ip},
        "responseElements": {
            "x-amz-request-id": actor.request_id,
            "x-amz-id-2": base64.b64encode(actor.request_id.encode() * 2).decode(),
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": config_id,
            "bucket": {
                "name": bucket.name,
                "ownerIdentity": {"principalId": bucket.account_id},
                "arn": f"arn:aws:s3:::{bucket.name}",
            },
            "object": entry,
        },
    }
