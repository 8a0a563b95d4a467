"""S3's tables: buckets by name (global per kumo), objects by (bucket, key).

Object keys are stored as ``str`` parts, which :mod:`kumo.storage.keys` encodes as UTF-8, so
key order is S3's byte order and ``Prefix=`` is a range scan. Functions here take a
transaction; the provider chooses read or write and handles the blob files around it.
"""

from __future__ import annotations

from collections.abc import Iterator

from kumo.services.s3.errors import no_such_bucket, no_such_key
from kumo.services.s3.models import Bucket, S3Object
from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = [
    "BUCKETS",
    "OBJECTS",
    "delete_object",
    "get_object",
    "has_objects",
    "list_buckets",
    "put_bucket",
    "put_object",
    "require_bucket",
    "require_object",
]

BUCKETS = "s3.buckets"
OBJECTS = "s3.objects"


def get_bucket(tx: Tx, name: str) -> Bucket | None:
    data = tx.get(BUCKETS, key(name))
    return Bucket.from_record(data) if data is not None else None


def require_bucket(tx: Tx, name: str) -> Bucket:
    bucket = get_bucket(tx, name)
    if bucket is None:
        raise no_such_bucket(name)
    return bucket


def put_bucket(tx: Tx, bucket: Bucket) -> None:
    tx.put(BUCKETS, key(bucket.name), bucket.to_record())


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
    require_bucket(tx, bucket)
    obj = get_object(tx, bucket, object_key)
    if obj is None:
        raise no_such_key(object_key)
    return obj


def put_object(tx: Tx, bucket: str, obj: S3Object) -> str | None:
    """Store ``obj``; the blob id of the object it replaced, for the caller to delete."""
    old = get_object(tx, bucket, obj.key)
    tx.put(OBJECTS, key(bucket, obj.key), obj.to_record())
    return old.blob if old is not None and old.blob != obj.blob else None


def delete_object(tx: Tx, bucket: str, object_key: str) -> str | None:
    """Remove the object; its blob id (to delete after commit), None if there was none."""
    old = get_object(tx, bucket, object_key)
    if old is None:
        return None
    tx.delete(OBJECTS, key(bucket, object_key))
    return old.blob


def scan_objects(
    tx: Tx, bucket: str, *, prefix: bytes, start: bytes | None
) -> Iterator[tuple[bytes, S3Object]]:
    for k, v in tx.scan(OBJECTS, prefix=prefix, start=start):
        yield k, S3Object.from_record(v)
