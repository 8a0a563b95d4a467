"""Bucket lifecycle: the configuration S3 validates and stores, and the sweep applying it.

The sweep (:func:`sweep`, run by the provider every ``KUMO_S3_LIFECYCLE_INTERVAL`` seconds,
default 3600) applies, for every enabled rule whose filter matches:

- ``Expiration`` (Days or Date) of current versions: the object is deleted in an
  unversioned bucket, gets a delete marker in a versioned one; ``ExpiredObjectDeleteMarker``
  removes a delete marker left with no other version;
- ``NoncurrentVersionExpiration``: noncurrent versions are deleted ``NoncurrentDays`` after
  they became noncurrent, keeping ``NewerNoncurrentVersions`` of them;
- ``AbortIncompleteMultipartUpload``: uploads started ``DaysAfterInitiation`` days ago are
  aborted.

As on S3, "N days after" is the time plus N days rounded up to the next midnight UTC. Each
expiration writes its ``LifecycleExpiration:*`` notification in the same transaction.
Transitions are stored and returned but not applied (kumo has one storage class tier).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.s3 import store as db
from kumo.services.s3 import uploads, versions
from kumo.services.s3.errors import malformed_xml
from kumo.services.s3.host import Host, Output
from kumo.services.s3.models import Bucket, S3Object
from kumo.services.s3.notifications import lifecycle_actor, notify
from kumo.storage.base import Store, Tx
from kumo.storage.keys import key

__all__ = [
    "DEFAULT_INTERVAL",
    "SweepResult",
    "delete_bucket_lifecycle",
    "get_bucket_lifecycle_configuration",
    "put_bucket_lifecycle_configuration",
    "sweep",
]

DEFAULT_INTERVAL = 3600.0
_DAY = 86400
_MIN_OBJECT_SIZE = "all_storage_classes_128K"
_BATCH = 500  # keys examined per transaction


def _invalid(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidArgument")


def _positive(value: Any, message: str) -> None:
    if value is None or int(value) <= 0:
        raise _invalid(message)


def _check_rule(rule: dict[str, Any]) -> dict[str, Any]:
    if rule.get("Status") not in ("Enabled", "Disabled"):
        raise malformed_xml()
    if len(rule.get("ID") or "") > 255:
        raise _invalid("ID length should not exceed allowed limit of 255")
    if ("Prefix" in rule) == ("Filter" in rule):
        raise malformed_xml()
    actions = (
        "Expiration",
        "Transitions",
        "NoncurrentVersionTransitions",
        "NoncurrentVersionExpiration",
        "AbortIncompleteMultipartUpload",
    )
    if not any(rule.get(a) for a in actions):
        raise ServiceError(
            "At least one action needs to be specified in a rule", code="InvalidRequest"
        )
    expiration = rule.get("Expiration")
    if expiration:
        given = [k for k in ("Days", "Date", "ExpiredObjectDeleteMarker") if k in expiration]
        if len(given) != 1:
            raise malformed_xml()
        if "Days" in expiration:
            _positive(expiration["Days"], "'Days' for Expiration action must be a positive integer")
        if "Date" in expiration:
            date = _as_datetime(expiration["Date"])
            if (date.hour, date.minute, date.second, date.microsecond) != (0, 0, 0, 0):
                raise _invalid("'Date' must be at midnight GMT")
    noncurrent = rule.get("NoncurrentVersionExpiration")
    if noncurrent:
        _positive(
            noncurrent.get("NoncurrentDays"),
            "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
        )
    abort = rule.get("AbortIncompleteMultipartUpload")
    if abort:
        _positive(
            abort.get("DaysAfterInitiation"),
            "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a "
            "positive integer",
        )
        if _tags(rule):
            raise ServiceError(
                "AbortIncompleteMultipartUpload cannot be specified with Tags.",
                code="InvalidRequest",
            )
    stored = {k: v for k, v in rule.items() if v is not None}
    if expiration and "Date" in expiration:
        stored["Expiration"] = {"Date": _as_datetime(expiration["Date"]).isoformat()}
    return stored


def _as_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def put_bucket_lifecycle_configuration(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    lifecycle_configuration: dict[str, Any] | None = None,
) -> Output:
    rules = (lifecycle_configuration or {}).get("Rules") or []
    if not rules or len(rules) > 1000:
        raise malformed_xml()
    stored = [_check_rule(rule) for rule in rules]
    ids = [r["ID"] for r in stored if r.get("ID")]
    if len(ids) != len(set(ids)):
        raise _invalid("Rule ID must be unique. Found same ID for more than one rule")
    db.update_bucket(s3.store, bucket, lambda b: b.configs.__setitem__("lifecycle", stored))
    return {"TransitionDefaultMinimumObjectSize": _MIN_OBJECT_SIZE}


def get_bucket_lifecycle_configuration(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    found = s3.store.read(lambda tx: db.require_bucket(tx, bucket))
    rules = found.configs.get("lifecycle")
    if not rules:
        raise ServiceError(
            "The lifecycle configuration does not exist",
            code="NoSuchLifecycleConfiguration",
            status=404,
            BucketName=bucket,
        )
    out_rules = []
    for rule in rules:
        copy = dict(rule)
        if "Date" in (copy.get("Expiration") or {}):
            copy["Expiration"] = {"Date": _as_datetime(copy["Expiration"]["Date"])}
        out_rules.append(copy)
    return {"Rules": out_rules, "TransitionDefaultMinimumObjectSize": _MIN_OBJECT_SIZE}


def delete_bucket_lifecycle(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    db.update_bucket(s3.store, bucket, lambda b: b.configs.pop("lifecycle", None))
    ctx.response_status = 204
    return {}


# -- filters -----------------------------------------------------------------------------------


def _filter(rule: dict[str, Any]) -> dict[str, Any]:
    if "Prefix" in rule:
        return {"Prefix": rule["Prefix"] or ""}
    doc = dict(rule.get("Filter") or {})
    both = doc.pop("And", None)
    if both:
        doc.update(both)
    return doc


def _tags(rule: dict[str, Any]) -> list[dict[str, str]]:
    doc = _filter(rule)
    tags = list(doc.get("Tags") or [])
    if doc.get("Tag"):
        tags.append(doc["Tag"])
    return tags


def _prefix(rule: dict[str, Any]) -> str:
    return str(_filter(rule).get("Prefix") or "")


def _matches(rule: dict[str, Any], obj: S3Object) -> bool:
    doc = _filter(rule)
    if not obj.key.startswith(str(doc.get("Prefix") or "")):
        return False
    if "ObjectSizeGreaterThan" in doc and not obj.size > int(doc["ObjectSizeGreaterThan"]):
        return False
    if "ObjectSizeLessThan" in doc and not obj.size < int(doc["ObjectSizeLessThan"]):
        return False
    have = {(t["Key"], t["Value"]) for t in obj.tags}
    return all((t["Key"], t.get("Value", "")) in have for t in _tags(rule))


def _due(since: float, days: int) -> float:
    """``since`` plus ``days``, rounded up to the next midnight UTC (S3's rounding)."""
    return math.ceil((since + days * _DAY) / _DAY) * _DAY


# -- the sweep ---------------------------------------------------------------------------------


@dataclass
class SweepResult:
    expired: list[tuple[str, str]] = field(default_factory=list)  # (bucket, key) current
    markers_added: list[tuple[str, str]] = field(default_factory=list)
    markers_removed: list[tuple[str, str]] = field(default_factory=list)
    noncurrent_deleted: list[tuple[str, str, str]] = field(default_factory=list)
    aborted: list[tuple[str, str, str]] = field(default_factory=list)  # (bucket, key, upload)
    garbage: list[str] = field(default_factory=list)

    def merge(self, other: SweepResult) -> None:
        self.expired += other.expired
        self.markers_added += other.markers_added
        self.markers_removed += other.markers_removed
        self.noncurrent_deleted += other.noncurrent_deleted
        self.aborted += other.aborted
        self.garbage += other.garbage


def sweep(store: Store, now: float) -> SweepResult:
    """Apply every bucket's lifecycle rules as of ``now`` (epoch seconds); drop freed blobs."""
    result = SweepResult()
    names = store.read(
        lambda tx: [
            b["name"] for _, b in tx.scan(db.BUCKETS) if (b.get("configs") or {}).get("lifecycle")
        ]
    )
    for name in names:
        _sweep_objects(store, name, now, result)
        _sweep_uploads(store, name, now, result)
    for blob in result.garbage:
        store.blobs.delete(blob)
    return result


def _enabled(bucket: Bucket) -> list[dict[str, Any]]:
    return [r for r in bucket.configs.get("lifecycle") or [] if r.get("Status") == "Enabled"]


def _sweep_objects(store: Store, name: str, now: float, result: SweepResult) -> None:
    after: str | None = None
    while True:
        # a write function may run twice: it reports into a result of its own
        def batch(tx: Tx, after: str | None = after) -> tuple[str | None, SweepResult]:
            local = SweepResult()
            bucket = db.get_bucket(tx, name)
            if bucket is None:
                return None, local
            rules = _enabled(bucket)
            start = key(name, after) + b"\x00" if after is not None else None
            rows = db.scan_objects(tx, name, prefix=key(name), start=start)
            for count, (_, current) in enumerate(rows, start=1):
                _apply(tx, bucket, rules, current, now, local)
                if count >= _BATCH:
                    return current.key, local
            return None, local

        after, done = store.write(batch)
        result.merge(done)
        if after is None:
            return


def _key_versions(tx: Tx, bucket: str, current: S3Object) -> Iterator[tuple[S3Object, float]]:
    """Each noncurrent version with the time it became noncurrent (its successor's write)."""
    successor = current
    for old in list(db.noncurrent(tx, bucket, current.key)):
        yield old, successor.last_modified
        successor = old


def _apply(
    tx: Tx,
    bucket: Bucket,
    rules: list[dict[str, Any]],
    current: S3Object,
    now: float,
    result: SweepResult,
) -> None:
    actor = lifecycle_actor()
    name = bucket.name
    # noncurrent versions first: they do not depend on what happens to the current one
    for rule in rules:
        action = rule.get("NoncurrentVersionExpiration")
        if not action or not current.key.startswith(_prefix(rule)):
            continue
        keep = int(action.get("NewerNoncurrentVersions") or 0)
        for index, (old, since) in enumerate(list(_key_versions(tx, name, current))):
            if index < keep or (not old.delete_marker and not _matches(rule, old)):
                continue
            if now >= _due(since, int(action["NoncurrentDays"])):
                removed, garbage = versions.delete_version(tx, name, old.key, old.version_id)
                if removed is not None:
                    result.noncurrent_deleted.append((name, old.key, old.version_id))
                    result.garbage += garbage
                    notify(tx, bucket, "LifecycleExpiration:Delete", removed, actor)
    fresh = db.get_object(tx, name, current.key)
    if fresh is None:
        return
    for rule in rules:
        expiration = rule.get("Expiration")
        if not expiration:
            continue
        if fresh.delete_marker:
            lone = next(db.noncurrent(tx, name, fresh.key), None) is None
            if (
                expiration.get("ExpiredObjectDeleteMarker")
                and lone
                and fresh.key.startswith(_prefix(rule))
            ):
                versions.delete_version(tx, name, fresh.key, fresh.version_id)
                result.markers_removed.append((name, fresh.key))
                notify(tx, bucket, "LifecycleExpiration:Delete", fresh, actor)
                return
            continue
        if not _matches(rule, fresh):
            continue
        if "Days" in expiration:
            due = _due(fresh.last_modified, int(expiration["Days"]))
        elif "Date" in expiration:
            due = _as_datetime(expiration["Date"]).timestamp()
        else:
            continue
        if now < due:
            continue
        removed, garbage = versions.delete_current(tx, bucket, fresh.key)
        result.garbage += garbage
        if removed is not None and removed.delete_marker:
            result.markers_added.append((name, fresh.key))
            notify(tx, bucket, "LifecycleExpiration:DeleteMarkerCreated", removed, actor)
        elif removed is not None:
            result.expired.append((name, fresh.key))
            notify(tx, bucket, "LifecycleExpiration:Delete", removed, actor)
        return


def _sweep_uploads(store: Store, name: str, now: float, result: SweepResult) -> None:
    def abort(tx: Tx) -> SweepResult:
        local = SweepResult()
        bucket = db.get_bucket(tx, name)
        if bucket is None:
            return local
        for rule in _enabled(bucket):
            action = rule.get("AbortIncompleteMultipartUpload")
            if not action:
                continue
            days = int(action["DaysAfterInitiation"])
            for upload in list(uploads.scan_uploads(tx, name, _prefix(rule), None)):
                if now >= _due(upload.initiated, days):
                    local.garbage += uploads.delete_upload(tx, upload)
                    local.aborted.append((name, upload.key, upload.upload_id))
        return local

    result.merge(store.write(abort))
