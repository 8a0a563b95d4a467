"""Multipart upload operations: create, upload part (and part copy), complete, abort, list.

The records and S3's rules for completing live in :mod:`kumo.services.s3.uploads`.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, BinaryIO

from kumo.aws.auth import checksums
from kumo.aws.context import RequestContext
from kumo.services.s3 import encryption, uploads
from kumo.services.s3 import store as db
from kumo.services.s3.bodies import RangeReader, StoredBody, check_upload_size, write_body
from kumo.services.s3.conditions import check_write_conditions
from kumo.services.s3.errors import no_such_key
from kumo.services.s3.host import Host, Output
from kumo.services.s3.listing import check_max_keys, key_encoder
from kumo.services.s3.models import S3Object, check_storage_class, owner
from kumo.services.s3.notifications import actor_of
from kumo.services.s3.object_read import Preconditions, read_copy_source
from kumo.services.s3.object_write import grants_and_sse, payload_checksums, request_tags
from kumo.services.s3.objects import Change, check_key, commit_object
from kumo.services.s3.uploads import (
    MAX_PARTS,
    Part,
    Upload,
    UploadPage,
    check_part_number,
    choose_parts,
    composite_checksum,
    concatenate,
    initiator,
    invalid_part,
    list_uploads_page,
    multipart_etag,
    new_upload_id,
    parse_copy_range,
    part_entry,
    upload_entry,
)
from kumo.services.s3.wire import checksum_members, parse_copy_source, timestamp
from kumo.storage.base import Tx

__all__ = [
    "abort_multipart_upload",
    "complete_multipart_upload",
    "create_multipart_upload",
    "list_multipart_uploads",
    "list_parts",
    "upload_part",
    "upload_part_copy",
]


def create_multipart_upload(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    key: str,
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
    checksum_algorithm: str | None = None,
    checksum_type: str | None = None,
    server_side_encryption: str | None = None,
    ssekms_key_id: str | None = None,
    bucket_key_enabled: bool | None = None,
) -> Output:
    check_key(key)
    algorithm = checksum_algorithm.lower() if checksum_algorithm else None
    if algorithm is not None and checksum_type is None:
        checksum_type = "FULL_OBJECT" if algorithm == "crc64nvme" else "COMPOSITE"
    upload = Upload(
        bucket=bucket,
        key=key,
        upload_id=new_upload_id(),
        initiated=round(time.time(), 3),
        account_id=ctx.account_id,
        content_type=content_type or "binary/octet-stream",
        content_encoding=content_encoding,
        content_language=content_language,
        content_disposition=content_disposition,
        cache_control=cache_control,
        expires=expires.timestamp() if expires is not None else None,
        metadata=metadata or {},
        storage_class=check_storage_class(storage_class),
        tags=request_tags(tagging),
        checksum_algorithm=algorithm,
        checksum_type=checksum_type if algorithm else None,
    )

    def create(tx: Tx) -> None:
        found = db.require_bucket(tx, bucket)
        upload.acl, upload.sse = grants_and_sse(
            found, acl, server_side_encryption, ssekms_key_id, bucket_key_enabled
        )
        uploads.put_upload(tx, upload)

    s3.store.write(create)
    return {
        "Bucket": bucket,
        "Key": key,
        "UploadId": upload.upload_id,
        "ChecksumAlgorithm": checksum_algorithm,
        "ChecksumType": upload.checksum_type,
        **_sse_members(upload),
    }


def upload_part(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    key: str,
    part_number: int,
    upload_id: str,
    body: BinaryIO | None = None,
) -> Output:
    check_part_number(part_number)
    check_upload_size(ctx.request)
    upload = s3.store.read(lambda tx: uploads.require_upload(tx, bucket, key, upload_id))
    checksums = payload_checksums(ctx)
    stored = write_body(s3.store.blobs, body)
    _commit_part(s3, bucket, key, upload_id, part_number, stored, checksums)
    return {"ETag": stored.etag, **checksum_members(checksums), **_sse_members(upload)}


def upload_part_copy(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    key: str,
    part_number: int,
    upload_id: str,
    copy_source: str,
    copy_source_range: str | None = None,
    copy_source_if_match: str | None = None,
    copy_source_if_none_match: str | None = None,
    copy_source_if_modified_since: dt.datetime | None = None,
    copy_source_if_unmodified_since: dt.datetime | None = None,
) -> Output:
    check_part_number(part_number)
    src = parse_copy_source(copy_source)
    upload = s3.store.read(lambda tx: uploads.require_upload(tx, bucket, key, upload_id))
    conditions = Preconditions(
        copy_source_if_match,
        copy_source_if_none_match,
        copy_source_if_modified_since,
        copy_source_if_unmodified_since,
    )
    source = read_copy_source(s3, src, conditions)
    start, end = parse_copy_range(copy_source_range, source.size)
    try:
        file = s3.store.blobs.open(source.blob)
    except FileNotFoundError:
        raise no_such_key(src.key) from None
    # the part gets the upload's checksum as an uploaded part would, computed on the way
    algorithm = upload.checksum_algorithm
    reader = _Summing(RangeReader(file, start, end - start + 1), algorithm)
    try:
        stored = write_body(s3.store.blobs, reader)
    finally:
        reader.close()
    sums = {algorithm: reader.value()} if algorithm else {}
    part = _commit_part(s3, bucket, key, upload_id, part_number, stored, sums)
    result = {"ETag": part.etag, "LastModified": timestamp(part.last_modified)}
    return {"CopyPartResult": {**result, **checksum_members(sums)}, **_sse_members(upload)}


def _sse_members(upload: Upload) -> encryption.Sse:
    """The encryption members a multipart operation echoes: the upload's (SSE-S3 if none)."""
    return upload.sse or {"ServerSideEncryption": "AES256"}


class _Summing:
    """A reader that feeds what it reads to a checksum (none without an algorithm)."""

    def __init__(self, reader: RangeReader, algorithm: str | None) -> None:
        self._reader = reader
        self._sum = checksums.new_checksum(algorithm) if algorithm else None

    def read(self, size: int = -1, /) -> bytes:
        data = self._reader.read(size)
        if self._sum is not None:
            self._sum.update(data)
        return data

    def value(self) -> str:
        assert self._sum is not None
        return checksums.encode_digest(self._sum.digest())

    def close(self) -> None:
        self._reader.close()


def _commit_part(
    s3: Host,
    bucket: str,
    key: str,
    upload_id: str,
    number: int,
    stored: StoredBody,
    checksums: dict[str, str],
) -> Part:
    part = Part(
        number=number,
        blob=stored.blob,
        size=stored.size,
        md5=stored.md5,
        last_modified=round(time.time(), 3),
        checksums=checksums,
    )

    def commit(tx: Tx) -> str | None:
        uploads.require_upload(tx, bucket, key, upload_id)
        return uploads.put_part(tx, upload_id, part)

    try:
        replaced = s3.store.write(commit)
    except BaseException:
        s3.store.blobs.delete(stored.blob)
        raise
    if replaced is not None:
        s3.store.blobs.delete(replaced)
    return part


def complete_multipart_upload(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    key: str,
    upload_id: str,
    multipart_upload: dict[str, Any] | None = None,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> Output:
    check_write_conditions(if_none_match)

    def read(tx: Tx) -> tuple[Upload, list[Part]]:
        db.require_bucket(tx, bucket)
        upload = uploads.require_upload(tx, bucket, key, upload_id)
        return upload, uploads.list_parts(tx, upload_id)

    upload, stored = s3.store.read(read)
    requested = (multipart_upload or {}).get("Parts") or []
    parts = choose_parts(upload_id, requested, stored)
    try:
        blob, size = concatenate(s3.store.blobs, parts)
    except FileNotFoundError:
        # a part was replaced or the upload aborted while we read it
        raise invalid_part(upload_id, 0, "") from None
    kind = upload.checksum_type or "COMPOSITE"
    checksums = composite_checksum(upload.checksum_algorithm, parts, kind)
    obj = S3Object(
        key=key,
        blob=blob,
        size=size,
        etag=multipart_etag(parts),
        last_modified=round(time.time(), 3),
        content_type=upload.content_type,
        content_encoding=upload.content_encoding,
        content_language=upload.content_language,
        content_disposition=upload.content_disposition,
        cache_control=upload.cache_control,
        expires=upload.expires,
        metadata=upload.metadata,
        storage_class=upload.storage_class,
        tags=upload.tags,
        checksums=checksums,
        checksum_type=kind,
        part_sizes=[part.size for part in parts],
        part_checksums=[part.checksums for part in parts],
        acl=upload.acl,
        sse=upload.sse,
    )

    def finish_upload(tx: Tx) -> list[str]:
        current_upload = uploads.require_upload(tx, bucket, key, upload_id)
        if uploads.list_parts(tx, upload_id) != stored:
            raise invalid_part(upload_id, 0, "")  # a part changed while assembling
        return uploads.delete_upload(tx, current_upload)

    versioned = commit_object(
        s3,
        bucket,
        obj,
        Change("ObjectCreated:CompleteMultipartUpload", actor_of(ctx)),
        if_match=if_match,
        if_none_match=if_none_match,
        before=finish_upload,
    )
    return {
        "Location": f"/{bucket}/{key}",
        "Bucket": bucket,
        "Key": key,
        "ETag": obj.etag,
        "VersionId": obj.version_id if versioned else None,
        **checksum_members(checksums, kind),
        **encryption.members(obj),
    }


def abort_multipart_upload(
    s3: Host, ctx: RequestContext, bucket: str, key: str, upload_id: str
) -> Output:
    def abort(tx: Tx) -> list[str]:
        db.require_bucket(tx, bucket)
        return uploads.delete_upload(tx, uploads.require_upload(tx, bucket, key, upload_id))

    for blob in s3.store.write(abort):
        s3.store.blobs.delete(blob)
    ctx.response_status = 204
    return {}


def list_multipart_uploads(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    prefix: str | None = None,
    delimiter: str | None = None,
    key_marker: str | None = None,
    upload_id_marker: str | None = None,
    max_uploads: int | None = None,
    encoding_type: str | None = None,
) -> Output:
    limit = check_max_keys(max_uploads)
    enc = key_encoder(encoding_type)

    def read(tx: Tx) -> UploadPage:
        db.require_bucket(tx, bucket)
        return list_uploads_page(
            tx,
            bucket,
            prefix=prefix or "",
            delimiter=delimiter,
            key_marker=key_marker or None,
            upload_id_marker=upload_id_marker if key_marker else None,
            max_uploads=limit,
        )

    page = s3.store.read(read)
    out: Output = {
        "Bucket": bucket,
        "KeyMarker": enc(key_marker or ""),
        "UploadIdMarker": upload_id_marker or "",
        "Prefix": enc(prefix or ""),
        "Delimiter": enc(delimiter) if delimiter else None,
        "MaxUploads": limit,
        "IsTruncated": page.truncated,
        "EncodingType": encoding_type,
        "Uploads": [upload_entry(u, enc) for u in page.uploads] or None,
        "CommonPrefixes": [{"Prefix": enc(p)} for p in page.common_prefixes] or None,
    }
    if page.truncated:
        last_upload = page.uploads[-1] if page.uploads else None
        last_prefix = page.common_prefixes[-1] if page.common_prefixes else None
        if last_upload is not None and (last_prefix is None or last_upload.key > last_prefix):
            out["NextKeyMarker"] = enc(last_upload.key)
            out["NextUploadIdMarker"] = last_upload.upload_id
        elif last_prefix is not None:
            out["NextKeyMarker"] = enc(last_prefix)
    return out


def list_parts(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    key: str,
    upload_id: str,
    max_parts: int | None = None,
    part_number_marker: int | None = None,
) -> Output:
    limit = min(max_parts, MAX_PARTS) if max_parts is not None else MAX_PARTS
    after = part_number_marker or 0

    def read(tx: Tx) -> tuple[Upload, list[Part]]:
        db.require_bucket(tx, bucket)
        upload = uploads.require_upload(tx, bucket, key, upload_id)
        return upload, uploads.list_parts(tx, upload_id, after=after, limit=limit + 1)

    upload, parts = s3.store.read(read)
    truncated = len(parts) > limit
    parts = parts[:limit]
    out: Output = {
        "Bucket": bucket,
        "Key": key,
        "UploadId": upload_id,
        "PartNumberMarker": after,
        "MaxParts": limit,
        "IsTruncated": truncated,
        "Parts": [part_entry(p) for p in parts] or None,
        "Initiator": initiator(upload.account_id),
        "Owner": owner(upload.account_id),
        "StorageClass": upload.storage_class,
        "ChecksumAlgorithm": upload.checksum_algorithm.upper()
        if upload.checksum_algorithm
        else None,
        "ChecksumType": upload.checksum_type,
    }
    if parts:
        out["NextPartNumberMarker"] = parts[-1].number
    return out
