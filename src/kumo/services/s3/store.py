"""S3's tables: buckets by name (global per kumo), objects by (bucket, key).

``s3.objects`` holds each key's current version (which may be a delete marker);
``s3.versions`` holds the noncurrent versions of versioned buckets by (bucket, key, rank),
newest first within a key. A key has noncurrent versions only while it has a current one.

Object keys are stored as ``str`` parts, which :mod:`kumo.storage.keys` encodes as UTF-8, so
key order is S3's byte order and ``Prefix=`` is a range scan. Functions here take a
transaction; the provider chooses read or write and handles the blob files around it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kumo.services.s3.errors import no_such_bucket, no_such_key
from kumo.services.s3.models import Bucket, S3Object
from kumo.storage.base import Store, Tx
from kumo.storage.keys import key

__all__ = [
    "BUCKETS",
    "OBJECTS",
    "VERSIONS",
    "cached_bucket",
    "delete_object",
    "get_object",
    "has_objects",
    "list_buckets",
    "noncurrent",
    "put_bucket",
    "put_noncurrent",
    "put_object",
    "require_bucket",
    "require_object",
    "update_bucket",
]

BUCKETS = "s3.buckets"
OBJECTS = "s3.objects"
VERSIONS = "s3.versions"


def get_bucket(tx: Tx, name: str) -> Bucket | None:
    data = tx.get(BUCKETS, key(name))
    return Bucket.from_record(data) if data is not None else None


def require_bucket(tx: Tx, name: str) -> Bucket:
    bucket = get_bucket(tx, name)
    if bucket is None:
        raise no_such_bucket(name)
    return bucket


def cached_bucket(store: Store, name: str) -> Bucket:
    """:func:`require_bucket` outside a transaction, kept in memory while no bucket changes."""
    data = store.get_cached(BUCKETS, key(name))
    if data is None:
        raise no_such_bucket(name)
    return Bucket.from_record(data)


def put_bucket(tx: Tx, bucket: Bucket) -> None:
    tx.put(BUCKETS, key(bucket.name), bucket.to_record())


def update_bucket(store: Store, name: str, change: Callable[[Bucket], Any]) -> None:
    """Apply ``change`` to the bucket record in one transaction (NoSuchBucket if none)."""

    def update(tx: Tx) -> None:
        bucket = require_bucket(tx, name)
        change(bucket)
        put_bucket(tx, bucket)

    store.write(update)


def delete_bucket(tx: Tx, name: str) -> None:
    tx.delete(BUCKETS, key(name))


def list_buckets(tx: Tx, account_id: str) -> list[Bucket]:
    buckets = (Bucket.from_record(v) for _, v in tx.scan(BUCKETS))
    return [b for b in buckets if b.account_id == account_id]


def has_objects(tx: Tx, bucket: str) -> bool:
    return any(True for _ in tx.scan(OBJECTS, prefix=key(bucket), limit=1))


def get_object(tx: Tx, bucket: str, object_key: str) -> S3Object | None:
    data = tx.get(OBJECTS, key(bucket, object_key))
    return S3Object.from_record(data) if data is not None else None


def require_object(tx: Tx, bucket: str, object_key: str) -> S3Object:
    """The key's current version; NoSuchKey when none or a delete marker."""
    require_bucket(tx, bucket)
    obj = get_object(tx, bucket, object_key)
    if obj is None or obj.delete_marker:
        raise no_such_key(object_key)
    return obj


def put_object(tx: Tx, bucket: str, obj: S3Object) -> None:
    """Store ``obj`` as its key's current version (versioning rules are the caller's)."""
    tx.put(OBJECTS, key(bucket, obj.key), obj.to_record())


def delete_object(tx: Tx, bucket: str, object_key: str) -> None:
    tx.delete(OBJECTS, key(bucket, object_key))


def scan_objects(
    tx: Tx, bucket: str, *, prefix: bytes, start: bytes | None
) -> Iterator[tuple[bytes, S3Object]]:
    for k, v in tx.scan(OBJECTS, prefix=prefix, start=start):
        yield k, S3Object.from_record(v)


def noncurrent(tx: Tx, bucket: str, object_key: str) -> Iterator[S3Object]:
    """The key's noncurrent versions, newest first."""
    for _, v in tx.scan(VERSIONS, prefix=key(bucket, object_key)):
        yield S3Object.from_record(v)


def put_noncurrent(tx: Tx, bucket: str, obj: S3Object) -> None:
    tx.put(VERSIONS, key(bucket, obj.key, obj.rank), obj.to_record())


def get_noncurrent(tx: Tx, bucket: str, object_key: str, rank: str) -> S3Object | None:
    data = tx.get(VERSIONS, key(bucket, object_key, rank))
    return S3Object.from_record(data) if data is not None else None


def delete_noncurrent(tx: Tx, bucket: str, obj: S3Object) -> None:
    tx.delete(VERSIONS, key(bucket, obj.key, obj.rank))
