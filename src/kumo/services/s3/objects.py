"""Object operations: put, get, head, delete (one and many), copy, and object tagging.

What reads share lives in :mod:`~kumo.services.s3.object_read`, what writes of a new object
take from their request in :mod:`~kumo.services.s3.object_write`.

A write streams the body into a blob and commits it before the record that names it, and
deletes a replaced blob only after the record stopped naming it, so a crash never exposes a
partial object (at worst it leaves an unreferenced blob for the collector).
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from kumo.aws.auth import DecodedPayload
from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.s3 import encryption, versions
from kumo.services.s3 import store as db
from kumo.services.s3.bodies import RangeReader, check_upload_size, write_body
from kumo.services.s3.conditions import (
    check_conditions,
    check_write_conditions,
    precondition_failed,
)
from kumo.services.s3.errors import malformed_xml, no_such_key
from kumo.services.s3.host import Host, Output
from kumo.services.s3.listing import MAX_KEYS
from kumo.services.s3.models import (
    OBJECT_TAG_LIMIT,
    Bucket,
    S3Object,
    check_storage_class,
    check_tags,
)
from kumo.services.s3.notifications import Actor, actor_of, notify
from kumo.services.s3.object_read import (
    Preconditions,
    check_read,
    describe,
    read_copy_source,
)
from kumo.services.s3.object_write import (
    grants_and_sse,
    object_acl,
    payload_checksums,
    request_tags,
)
from kumo.services.s3.wire import checksum_members, parse_copy_source, timestamp
from kumo.storage.base import Tx

__all__ = [
    "Change",
    "check_key",
    "commit_object",
    "copy_object",
    "delete_object",
    "delete_object_tagging",
    "delete_objects",
    "get_object",
    "get_object_tagging",
    "head_object",
    "object_acl",
    "put_object",
    "put_object_tagging",
]

Tags = list[dict[str, str]]

# attempts to open an object's blob when a concurrent overwrite removes it in between; each
# retry reads the newer record, so only a key rewritten faster than one read can exhaust them
_OPEN_ATTEMPTS = 100


def put_object(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    key: str,
    body: BinaryIO | None = None,
    content_type: str | None = None,
    content_encoding: str | None = None,
    content_language: str | None = None,
    content_disposition: str | None = None,
    cache_control: str | None = None,
    expires: dt.datetime | None = None,
    metadata: dict[str, str] | None = None,
    storage_class: str | None = None,
    tagging: str | None = None,
    acl: str | None = None,
    website_redirect_location: str | None = None,
    if_match: str | None = None,
    if_none_match: str | None = None,
    server_side_encryption: str | None = None,
    ssekms_key_id: str | None = None,
    bucket_key_enabled: bool | None = None,
    sse_customer_algorithm: str | None = None,
    sse_customer_key: str | None = None,
    sse_customer_key_md5: str | None = None,
) -> Output:
    check_key(key)
    check_write_conditions(if_none_match)
    check_upload_size(ctx.request)
    storage_class = check_storage_class(storage_class)
    check_redirect_location(website_redirect_location)
    tags = request_tags(tagging)
    found = db.cached_bucket(s3.store, bucket)
    grants = object_acl(found, acl)
    # an SSE-C key wins over the other encryption headers, which are then not checked
    sse = encryption.customer_key(
        sse_customer_algorithm, sse_customer_key, sse_customer_key_md5
    ) or encryption.choose(found, server_side_encryption, ssekms_key_id, bucket_key_enabled)
    payload: DecodedPayload | None = ctx.notes.get("payload")
    if payload is not None:
        content_encoding = payload.content_encoding
    checksums = payload_checksums(ctx)
    stored = write_body(s3.store.blobs, body)
    obj = S3Object(
        key=key,
        blob=stored.blob,
        size=stored.size,
        etag=stored.etag,
        last_modified=round(time.time(), 3),
        content_type=content_type or "binary/octet-stream",
        content_encoding=content_encoding,
        content_language=content_language,
        content_disposition=content_disposition,
        cache_control=cache_control,
        expires=expires.timestamp() if expires is not None else None,
        metadata=metadata or {},
        storage_class=storage_class,
        tags=tags,
        checksums=checksums,
        acl=grants,
        website_redirect=website_redirect_location,
        sse=sse,
    )
    change = Change("ObjectCreated:Put", actor_of(ctx))
    versioned = commit_object(
        s3, bucket, obj, change, if_match=if_match, if_none_match=if_none_match
    )
    return {
        "ETag": obj.etag,
        "Size": obj.size,
        "VersionId": obj.version_id if versioned else None,
        **checksum_members(checksums),
        **encryption.members(obj),
    }


@dataclass(frozen=True)
class Change:
    """The notification event an object write causes, and who caused it."""

    event: str  # "ObjectCreated:Put"
    actor: Actor


def commit_object(
    s3: Host,
    bucket: str,
    obj: S3Object,
    change: Change,
    *,
    if_match: str | None = None,
    if_none_match: str | None = None,
    before: Callable[[Tx], list[str]] | None = None,
) -> bool:
    """Make ``obj`` (whose blob is committed) the key's current version; drop the blobs
    it replaced. ``before`` runs first in the same transaction (completing an upload) and
    returns blobs to drop too. Whether the bucket has versioning configured (so responses
    name the version id); on failure the new blob is deleted.
    """

    def commit(tx: Tx) -> tuple[bool, list[str]]:
        found = db.require_bucket(tx, bucket)
        garbage = before(tx) if before is not None else []
        current = db.get_object(tx, bucket, obj.key)
        if current is not None and current.delete_marker:
            current = None
        if if_none_match is not None and current is not None:
            raise precondition_failed("If-None-Match")
        if if_match is not None:
            if current is None:
                raise no_such_key(obj.key)
            check_conditions(current, if_match=if_match)
        garbage += versions.write_version(tx, found, obj)
        notify(tx, found, change.event, obj, change.actor)
        return found.versioning is not None, garbage

    try:
        versioned, garbage = s3.store.write(commit)
    except BaseException:
        s3.store.blobs.delete(obj.blob)
        raise
    for blob in garbage:
        s3.store.blobs.delete(blob)
    return versioned


def get_object(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    key: str,
    range: str | None = None,  # the member's name shadows the builtin here
    if_match: str | None = None,
    if_none_match: str | None = None,
    if_modified_since: dt.datetime | None = None,
    if_unmodified_since: dt.datetime | None = None,
    checksum_mode: str | None = None,
    response_cache_control: str | None = None,
    response_content_disposition: str | None = None,
    response_content_encoding: str | None = None,
    response_content_language: str | None = None,
    response_content_type: str | None = None,
    response_expires: dt.datetime | None = None,
    version_id: str | None = None,
    part_number: int | None = None,
    sse_customer_algorithm: str | None = None,
    sse_customer_key: str | None = None,
    sse_customer_key_md5: str | None = None,
) -> Output:
    conditions = Preconditions(if_match, if_none_match, if_modified_since, if_unmodified_since)
    customer = encryption.customer_key(
        sse_customer_algorithm, sse_customer_key, sse_customer_key_md5
    )
    overrides = {
        "CacheControl": response_cache_control,
        "ContentDisposition": response_content_disposition,
        "ContentEncoding": response_content_encoding,
        "ContentLanguage": response_content_language,
        "ContentType": response_content_type,
    }
    for _ in itertools.repeat(None, _OPEN_ATTEMPTS):
        found, obj = s3.store.read(lambda tx: versions.read_version(tx, bucket, key, version_id))
        window = check_read(obj, customer, conditions, range, part_number)
        try:
            file = s3.store.blobs.open(obj.blob)
        except FileNotFoundError:
            continue  # overwritten or deleted since the read: read the record again
        out = describe(found, obj, window, checksum_mode, part_number, overrides)
        if response_expires is not None:
            out["Expires"] = response_expires
        if window is None:
            out["Body"] = file
        else:
            out["Body"] = RangeReader(file, window[0], window[1] - window[0] + 1)
            ctx.response_status = 206
        return out
    if version_id is not None:
        raise versions.no_such_version(key, version_id)
    raise no_such_key(key)


def head_object(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    key: str,
    range: str | None = None,  # the member's name shadows the builtin here
    if_match: str | None = None,
    if_none_match: str | None = None,
    if_modified_since: dt.datetime | None = None,
    if_unmodified_since: dt.datetime | None = None,
    checksum_mode: str | None = None,
    version_id: str | None = None,
    part_number: int | None = None,
    sse_customer_algorithm: str | None = None,
    sse_customer_key: str | None = None,
    sse_customer_key_md5: str | None = None,
) -> Output:
    conditions = Preconditions(if_match, if_none_match, if_modified_since, if_unmodified_since)
    customer = encryption.customer_key(
        sse_customer_algorithm, sse_customer_key, sse_customer_key_md5
    )
    found, obj = s3.store.read(
        lambda tx: versions.read_version(tx, bucket, key, version_id, "HEAD")
    )
    window = check_read(obj, customer, conditions, range, part_number)
    if part_number is not None:
        ctx.response_status = 206
    return describe(found, obj, window, checksum_mode, part_number, {})


def delete_object(
    s3: Host, ctx: RequestContext, bucket: str, key: str, version_id: str | None = None
) -> Output:
    # S3 answers 204 for a version id that names nothing, well-formed or not
    actor = actor_of(ctx)

    def delete(tx: Tx) -> tuple[Output, list[str]]:
        return _delete_one(tx, db.require_bucket(tx, bucket), key, version_id, actor)

    out, garbage = s3.store.write(delete)
    for blob in garbage:
        s3.store.blobs.delete(blob)
    ctx.response_status = 204
    return out


def _delete_one(
    tx: Tx, bucket: Bucket, key: str, version_id: str | None, actor: Actor
) -> tuple[Output, list[str]]:
    """Delete a key or one of its versions; the DeleteObject output and blobs to drop."""
    if version_id is not None:
        removed, garbage = versions.delete_version(tx, bucket.name, key, version_id)
        if removed is not None:
            notify(tx, bucket, "ObjectRemoved:Delete", removed, actor)
        marker = removed is not None and removed.delete_marker
        return {"VersionId": version_id, "DeleteMarker": marker or None}, garbage
    removed, garbage = versions.delete_current(tx, bucket, key)
    if removed is None:
        return {}, garbage
    if not removed.delete_marker:
        notify(tx, bucket, "ObjectRemoved:Delete", removed, actor)
        return {}, garbage
    notify(tx, bucket, "ObjectRemoved:DeleteMarkerCreated", removed, actor)
    return {"DeleteMarker": True, "VersionId": removed.version_id}, garbage


def delete_objects(s3: Host, ctx: RequestContext, bucket: str, delete: dict[str, Any]) -> Output:
    items = delete.get("Objects") or []
    if not items or len(items) > MAX_KEYS:
        raise malformed_xml()

    actor = actor_of(ctx)

    def delete_all(tx: Tx) -> tuple[list[Output], list[str]]:
        found = db.require_bucket(tx, bucket)
        deleted: list[Output] = []
        garbage: list[str] = []
        for item in items:
            key, version_id = item["Key"], item.get("VersionId")
            out, dropped = _delete_one(tx, found, key, version_id, actor)
            garbage += dropped
            entry: Output = {"Key": key}
            if version_id is not None:
                entry["VersionId"] = version_id
            if out.get("DeleteMarker"):
                entry["DeleteMarker"] = True
                entry["DeleteMarkerVersionId"] = out["VersionId"]
            deleted.append(entry)
        return deleted, garbage

    deleted, garbage = s3.store.write(delete_all)
    for blob in garbage:
        s3.store.blobs.delete(blob)
    if delete.get("Quiet"):
        # quiet mode reports only the keys that failed, and a key that names nothing is
        # deleted all the same
        return {}
    return {"Deleted": deleted}


def copy_object(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    key: str,
    copy_source: str,
    metadata_directive: str | None = None,
    tagging_directive: str | None = None,
    content_type: str | None = None,
    content_encoding: str | None = None,
    content_language: str | None = None,
    content_disposition: str | None = None,
    cache_control: str | None = None,
    expires: dt.datetime | None = None,
    metadata: dict[str, str] | None = None,
    storage_class: str | None = None,
    tagging: str | None = None,
    acl: str | None = None,
    website_redirect_location: str | None = None,
    copy_source_if_match: str | None = None,
    copy_source_if_none_match: str | None = None,
    copy_source_if_modified_since: dt.datetime | None = None,
    copy_source_if_unmodified_since: dt.datetime | None = None,
    server_side_encryption: str | None = None,
    ssekms_key_id: str | None = None,
    bucket_key_enabled: bool | None = None,
) -> Output:
    check_key(key)
    check_redirect_location(website_redirect_location)
    new_class = check_storage_class(storage_class)
    src = parse_copy_source(copy_source)
    conditions = Preconditions(
        copy_source_if_match,
        copy_source_if_none_match,
        copy_source_if_modified_since,
        copy_source_if_unmodified_since,
    )
    target = s3.store.read(lambda tx: db.require_bucket(tx, bucket))
    # a copy is encrypted as the request or the target bucket says, not as its source
    grants, sse = grants_and_sse(
        target, acl, server_side_encryption, ssekms_key_id, bucket_key_enabled
    )
    source = read_copy_source(s3, src, conditions)
    replace = metadata_directive == "REPLACE"
    same = (src.bucket, src.key) == (bucket, key) and src.version_id is None
    changes = (
        replace
        or storage_class is not None
        or website_redirect_location is not None
        or server_side_encryption is not None
    )
    if same and not changes:
        raise ServiceError(
            "This copy request is illegal because it is trying to copy an object to "
            "itself without changing the object's metadata, storage class, website "
            "redirect location or encryption attributes.",
            code="InvalidRequest",
        )
    try:
        with s3.store.blobs.open(source.blob) as file:
            stored = write_body(s3.store.blobs, file)
    except FileNotFoundError:
        raise no_such_key(src.key) from None
    copy = S3Object.from_record(source.to_record())
    copy.key, copy.blob, copy.last_modified = key, stored.blob, round(time.time(), 3)
    if replace:
        copy.content_type = content_type or "binary/octet-stream"
        copy.content_encoding = content_encoding
        copy.content_language = content_language
        copy.content_disposition = content_disposition
        copy.cache_control = cache_control
        copy.expires = expires.timestamp() if expires is not None else None
        copy.metadata = metadata or {}
    if tagging_directive == "REPLACE":
        copy.tags = request_tags(tagging)
    copy.storage_class = new_class
    copy.part_sizes, copy.part_checksums = [], []
    copy.acl = grants
    copy.sse = sse
    # the redirect is not copied: S3 keeps it only when the request sets it again
    copy.website_redirect = website_redirect_location
    versioned = commit_object(s3, bucket, copy, Change("ObjectCreated:Copy", actor_of(ctx)))
    result = {"ETag": copy.etag, "LastModified": timestamp(copy.last_modified)}
    checksums = checksum_members(copy.checksums, copy.checksum_type)
    source_versioned = source.version_id != versions.NULL or src.version_id is not None
    return {
        "CopyObjectResult": {**result, **checksums},
        "VersionId": copy.version_id if versioned else None,
        "CopySourceVersionId": source.version_id if source_versioned else None,
        **encryption.members(copy),
    }


def put_object_tagging(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    key: str,
    tagging: dict[str, Any],
    version_id: str | None = None,
) -> Output:
    tags = check_tags(tagging.get("TagSet") or [], OBJECT_TAG_LIMIT)
    return _retag(s3, bucket, key, version_id, tags, Change("ObjectTagging:Put", actor_of(ctx)))


def get_object_tagging(
    s3: Host, ctx: RequestContext, bucket: str, key: str, version_id: str | None = None
) -> Output:
    found, obj = s3.store.read(lambda tx: versions.read_version(tx, bucket, key, version_id))
    out: Output = {"TagSet": obj.tags}
    if found.versioning is not None:
        out["VersionId"] = obj.version_id
    return out


def delete_object_tagging(
    s3: Host, ctx: RequestContext, bucket: str, key: str, version_id: str | None = None
) -> Output:
    out = _retag(s3, bucket, key, version_id, [], Change("ObjectTagging:Delete", actor_of(ctx)))
    ctx.response_status = 204
    return out


def _retag(
    s3: Host, bucket: str, key: str, version_id: str | None, tags: Tags, change: Change
) -> Output:
    def retag(tx: Tx) -> Output:
        found, obj = versions.read_version(tx, bucket, key, version_id, "PUT")
        obj.tags = tags
        versions.save_version(tx, bucket, obj)
        notify(tx, found, change.event, obj, change.actor)
        return {"VersionId": obj.version_id} if found.versioning is not None else {}

    return s3.store.write(retag)


def check_redirect_location(location: str | None) -> None:
    if location is not None and not location.startswith(("/", "http://", "https://")):
        raise ServiceError(
            "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.",
            code="InvalidRedirectLocation",
        )


def check_key(key: str) -> None:
    if len(key.encode("utf-8", "surrogatepass")) > 1024:
        raise ServiceError("Your key is too long", code="KeyTooLongError", MaxSizeAllowed="1024")
