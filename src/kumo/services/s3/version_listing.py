"""ListObjectVersions: every version and delete marker, by key then newest first.

The page walks the current versions (``s3.objects``) in key order under ``Prefix`` and,
after each, that key's noncurrent versions (``s3.versions``, newest first); a key rolling up
into a common prefix jumps the scan past the whole prefix, as ListObjects does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kumo.aws.context import RequestContext
from kumo.services.s3 import store as db
from kumo.services.s3.errors import invalid_argument
from kumo.services.s3.host import Host, Output
from kumo.services.s3.listing import Encoder, check_max_keys, key_encoder
from kumo.services.s3.models import S3Object, owner
from kumo.services.s3.versions import check_version_id, find_version
from kumo.services.s3.wire import checksum_algorithms, timestamp
from kumo.storage.base import Tx
from kumo.storage.keys import key, key_prefix, prefix_end

__all__ = ["list_object_versions"]


@dataclass
class VersionPage:
    # (version, is latest) in listing order
    versions: list[tuple[S3Object, bool]] = field(default_factory=list)
    common_prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    # where the next page starts: the last key (or common prefix) and version id
    next_key: str | None = None
    next_version: str | None = None


def list_object_versions(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    delimiter: str | None = None,
    encoding_type: str | None = None,
    key_marker: str | None = None,
    max_keys: int | None = None,
    prefix: str | None = None,
    version_id_marker: str | None = None,
) -> Output:
    limit = check_max_keys(max_keys)
    enc = key_encoder(encoding_type)
    if version_id_marker:
        if not key_marker:
            raise invalid_argument(
                "A version-id marker cannot be specified without a key marker.",
                "version-id-marker",
                version_id_marker,
            )
        check_version_id(version_id_marker)

    def read(tx: Tx) -> VersionPage:
        found = db.require_bucket(tx, bucket)
        return _page(
            tx,
            found.name,
            prefix=prefix or "",
            delimiter=delimiter,
            key_marker=key_marker or None,
            version_marker=version_id_marker or None,
            limit=limit,
        )

    page = s3.store.read(read)
    who = owner(ctx.account_id)
    out: Output = {
        "Name": bucket,
        "Prefix": enc(prefix or ""),
        "Delimiter": enc(delimiter) if delimiter else None,
        "KeyMarker": enc(key_marker or ""),
        "VersionIdMarker": version_id_marker or "",
        "MaxKeys": limit,
        "IsTruncated": page.truncated,
        "EncodingType": encoding_type,
        "Versions": [
            _version(o, latest, enc, who) for o, latest in page.versions if not o.delete_marker
        ]
        or None,
        "DeleteMarkers": [
            _marker(o, latest, enc, who) for o, latest in page.versions if o.delete_marker
        ]
        or None,
        "CommonPrefixes": [{"Prefix": enc(p)} for p in page.common_prefixes] or None,
    }
    if page.truncated and page.next_key is not None:
        out["NextKeyMarker"] = enc(page.next_key)
        if page.next_version is not None:
            out["NextVersionIdMarker"] = page.next_version
    return out


def _version(obj: S3Object, latest: bool, enc: Encoder, who: dict[str, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ETag": obj.etag,
        "Size": obj.size,
        "StorageClass": obj.storage_class,
        "Key": enc(obj.key),
        "VersionId": obj.version_id,
        "IsLatest": latest,
        "LastModified": timestamp(obj.last_modified),
        "Owner": who,
    }
    if obj.checksums:
        entry["ChecksumAlgorithm"] = checksum_algorithms(obj.checksums)
        entry["ChecksumType"] = obj.checksum_type
    return entry


def _marker(obj: S3Object, latest: bool, enc: Encoder, who: dict[str, str]) -> dict[str, Any]:
    return {
        "Owner": who,
        "Key": enc(obj.key),
        "VersionId": obj.version_id,
        "IsLatest": latest,
        "LastModified": timestamp(obj.last_modified),
    }


def _key_versions(tx: Tx, bucket: str, current: S3Object) -> Iterator[tuple[S3Object, bool]]:
    yield current, True
    for old in db.noncurrent(tx, bucket, current.key):
        yield old, False


def _page(
    tx: Tx,
    bucket: str,
    *,
    prefix: str,
    delimiter: str | None,
    key_marker: str | None,
    version_marker: str | None,
    limit: int,
) -> VersionPage:
    page = VersionPage()
    start: bytes | None = None
    # versions of the marker key at or before this one were listed on an earlier page
    skip_through: S3Object | None = None
    if key_marker is not None:
        if version_marker is not None:
            start = key(bucket, key_marker)
            found = find_version(tx, bucket, key_marker, version_marker)
            if found is None:
                start = prefix_end(key(bucket, key_marker))
            else:
                skip_through = found[0]
        else:
            start = prefix_end(key(bucket, key_marker))
    under = key_prefix(bucket, prefix)
    count = 0
    while True:
        jump: bytes | None = None
        for _, current in db.scan_objects(tx, bucket, prefix=under, start=start):
            common = _common_prefix(current.key, prefix, delimiter)
            if common is not None:
                jump = prefix_end(key_prefix(bucket, common))
                if key_marker is not None and common <= key_marker:
                    break
                if count >= limit:
                    page.truncated = True
                    return page
                page.common_prefixes.append(common)
                page.next_key, page.next_version = common, None
                count += 1
                break
            entries = _key_versions(tx, bucket, current)
            if skip_through is not None and current.key == skip_through.key:
                entries = _after(entries, skip_through)
            for obj, latest in entries:
                if count >= limit:
                    page.truncated = True
                    return page
                page.versions.append((obj, latest))
                page.next_key, page.next_version = obj.key, obj.version_id
                count += 1
        if jump is None:
            return page
        start = jump


def _after(
    entries: Iterator[tuple[S3Object, bool]], marker: S3Object
) -> Iterator[tuple[S3Object, bool]]:
    passed = False
    for obj, latest in entries:
        if passed:
            yield obj, latest
        elif obj.version_id == marker.version_id:
            passed = True


def _common_prefix(name: str, prefix: str, delimiter: str | None) -> str | None:
    if not delimiter:
        return None
    found = name.find(delimiter, len(prefix))
    return name[: found + len(delimiter)] if found >= 0 else None
