"""Versioning: version ids, and how a write or a delete changes a key's versions.

Each key has at most one current version in ``s3.objects`` and its noncurrent versions in
``s3.versions`` (see :mod:`kumo.services.s3.store`). A version's ``rank`` orders them
newest first: 16 hex digits counting down from the top with time, each new version of a
key ranking below the one it replaces. A version id written while versioning is Enabled is
its rank followed by 16 random hex digits, so a version is found by id with one lookup;
otherwise the version id is ``"null"`` and a new null version replaces the old one.

Every function here runs inside one transaction and returns the blob ids no record names
any more, for the caller to delete once the transaction committed.
"""

from __future__ import annotations

import re
import time
import uuid

from kumo.aws.errors import ServiceError
from kumo.services.s3 import store as db
from kumo.services.s3.errors import invalid_argument, no_such_key
from kumo.services.s3.models import Bucket, S3Object
from kumo.services.s3.wire import http_date
from kumo.storage.base import Tx

__all__ = [
    "NULL",
    "check_version_id",
    "delete_current",
    "delete_version",
    "find_version",
    "read_version",
    "save_version",
    "write_version",
]

NULL = "null"
_TOP = (1 << 64) - 1
_VERSION_ID = re.compile(r"^[0-9a-f]{32}$")


def check_version_id(version_id: str) -> None:
    """``InvalidArgument`` for a version id S3 could never have issued."""
    if not valid_version_id(version_id):
        raise invalid_argument("Invalid version id specified", "versionId", version_id)


def no_such_version(key: str, version_id: str) -> ServiceError:
    return ServiceError(
        "The specified version does not exist.",
        code="NoSuchVersion",
        status=404,
        Key=key,
        VersionId=version_id,
    )


def _new_rank(current: S3Object | None) -> str:
    fresh = _TOP - time.time_ns()
    if current is not None and current.rank:
        # never at or above the version it replaces, even within one clock tick
        fresh = min(fresh, int(current.rank, 16) - 1)
    return f"{fresh:016x}"


def _blobs(obj: S3Object | None) -> list[str]:
    return [obj.blob] if obj is not None and obj.blob else []


def write_version(tx: Tx, bucket: Bucket, obj: S3Object) -> list[str]:
    """Make ``obj`` (an object or a delete marker) the key's current version.

    Enabled: it gets a new version id and the current version becomes noncurrent. Otherwise
    it is the null version and replaces any null version the key had.
    """
    current = db.get_object(tx, bucket.name, obj.key)
    obj.rank = _new_rank(current)
    garbage: list[str] = []
    if bucket.versioning == "Enabled":
        obj.version_id = obj.rank + uuid.uuid4().hex[:16]
        if current is not None:
            db.put_noncurrent(tx, bucket.name, current)
    else:
        obj.version_id = NULL
        if current is not None:
            if current.version_id == NULL:
                garbage += _blobs(current)
            else:
                db.put_noncurrent(tx, bucket.name, current)
        if bucket.versioning == "Suspended":
            for old in db.noncurrent(tx, bucket.name, obj.key):
                if old.version_id == NULL:
                    db.delete_noncurrent(tx, bucket.name, old)
                    garbage += _blobs(old)
    db.put_object(tx, bucket.name, obj)
    return garbage


def delete_current(tx: Tx, bucket: Bucket, key: str) -> tuple[S3Object | None, list[str]]:
    """DeleteObject without a version id: (what it removed or the marker it added, garbage).

    An unversioned bucket loses the object; a versioned one gets a delete marker as the
    key's current version (even when the key had no version at all, as S3 does).
    """
    if bucket.versioning is None:
        current = db.get_object(tx, bucket.name, key)
        if current is None:
            return None, []
        db.delete_object(tx, bucket.name, key)
        return current, _blobs(current)
    marker = S3Object(
        key=key,
        blob="",
        size=0,
        etag="",
        last_modified=round(time.time(), 3),
        delete_marker=True,
    )
    return marker, write_version(tx, bucket, marker)


def find_version(tx: Tx, bucket: str, key: str, version_id: str) -> tuple[S3Object, bool] | None:
    """The version ``version_id`` of ``key`` and whether it is the current one."""
    current = db.get_object(tx, bucket, key)
    if current is not None and current.version_id == version_id:
        return current, True
    if version_id == NULL:
        for old in db.noncurrent(tx, bucket, key):
            if old.version_id == NULL:
                return old, False
        return None
    ranked = db.get_noncurrent(tx, bucket, key, version_id[:16])
    if ranked is not None and ranked.version_id == version_id:
        return ranked, False
    return None


def delete_version(
    tx: Tx, bucket: str, key: str, version_id: str
) -> tuple[S3Object | None, list[str]]:
    """Remove one version for good (None if there is no such version); the next newest
    becomes current when the current one goes."""
    found = find_version(tx, bucket, key, version_id)
    if found is None:
        return None, []
    obj, is_current = found
    if is_current:
        db.delete_object(tx, bucket, key)
        newest = next(db.noncurrent(tx, bucket, key), None)
        if newest is not None:
            db.delete_noncurrent(tx, bucket, newest)
            db.put_object(tx, bucket, newest)
    else:
        db.delete_noncurrent(tx, bucket, obj)
    return obj, _blobs(obj)


def save_version(tx: Tx, bucket: str, obj: S3Object) -> None:
    """Store a changed version (new tags) where it is, current or noncurrent."""
    current = db.get_object(tx, bucket, obj.key)
    if current is not None and current.version_id == obj.version_id:
        db.put_object(tx, bucket, obj)
    else:
        db.put_noncurrent(tx, bucket, obj)


def read_version(
    tx: Tx, bucket: str, key: str, version_id: str | None, method: str = "GET"
) -> tuple[Bucket, S3Object]:
    """The bucket and the object version a request names, with S3's errors.

    The current version that is a delete marker is NoSuchKey (with ``x-amz-delete-marker``);
    a delete marker named by version id is MethodNotAllowed (405), as S3 answers both.
    """
    found_bucket = db.require_bucket(tx, bucket)
    if version_id is None:
        obj = db.get_object(tx, bucket, key)
        if obj is None:
            raise no_such_key(key)
        if obj.delete_marker:
            error = no_such_key(key)
            error.headers.update(
                {"x-amz-delete-marker": "true", "x-amz-version-id": obj.version_id}
            )
            raise error
        return found_bucket, obj
    check_version_id(version_id)
    found = find_version(tx, bucket, key, version_id)
    if found is None:
        raise no_such_version(key, version_id)
    obj = found[0]
    if obj.delete_marker:
        raise ServiceError(
            "The specified method is not allowed against this resource.",
            code="MethodNotAllowed",
            status=405,
            headers={
                "x-amz-delete-marker": "true",
                "x-amz-version-id": obj.version_id,
                "Last-Modified": http_date(obj.last_modified),
                "Allow": "DELETE",
            },
            Method=method,
            ResourceType="DeleteMarker",
        )
    return found_bucket, obj


def valid_version_id(version_id: str) -> bool:
    return version_id == NULL or _VERSION_ID.match(version_id) is not None
