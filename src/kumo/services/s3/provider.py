"""The S3 provider: one method per operation.

Buckets are global per kumo; objects are records in ``s3.objects`` pointing at immutable
blob files. A write streams the body into a blob and commits it before the record that
names it, and deletes a replaced blob only after the record stopped naming it, so a crash
never exposes a partial object (at worst it leaves an unreferenced blob for the collector).
Versioning status is stored and returned; versioned object semantics are not built yet.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from typing import Any, BinaryIO

from kumo.aws.auth import DecodedPayload
from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.base import Provider, operation
from kumo.services.s3 import store as db
from kumo.services.s3 import uploads
from kumo.services.s3.bodies import RangeReader, StoredBody, write_body
from kumo.services.s3.conditions import check_conditions, parse_range, precondition_failed
from kumo.services.s3.errors import (
    bucket_not_empty,
    no_such_key,
    no_such_tag_set,
)
from kumo.services.s3.listing import (
    MAX_KEYS,
    Page,
    check_max_keys,
    key_encoder,
    list_page,
    make_token,
    page_entries,
    read_token,
)
from kumo.services.s3.models import (
    BUCKET_TAG_LIMIT,
    OBJECT_TAG_LIMIT,
    Bucket,
    S3Object,
    check_bucket_name,
    check_tags,
    owner,
    parse_tagging_header,
)
from kumo.services.s3.objects import (
    checksum_members,
    object_headers,
    parse_copy_source,
    timestamp,
)
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
from kumo.storage.base import Tx

__all__ = ["S3Provider"]

Output = dict[str, Any]
Tags = list[dict[str, str]]

US_EAST_1 = "us-east-1"
# attempts to open an object's blob when a concurrent overwrite removes it in between
_OPEN_ATTEMPTS = 3


class S3Provider(Provider):
    """Amazon S3: buckets, objects, listing and tagging."""

    service = "s3"

    # -- buckets -----------------------------------------------------------------------------

    @operation("CreateBucket")
    def create_bucket(
        self,
        ctx: RequestContext,
        bucket: str,
        create_bucket_configuration: dict[str, Any] | None = None,
    ) -> Output:
        check_bucket_name(bucket)
        constraint = (create_bucket_configuration or {}).get("LocationConstraint")
        region = _bucket_region(ctx.region, constraint)
        new = Bucket(name=bucket, account_id=ctx.account_id, region=region, created=time.time())

        def create(tx: Tx) -> None:
            existing = db.get_bucket(tx, bucket)
            if existing is None:
                db.put_bucket(tx, new)
            elif existing.account_id != ctx.account_id:
                raise ServiceError(
                    "The requested bucket name is not available. The bucket namespace is "
                    "shared by all users of the system. Please select a different name and "
                    "try again.",
                    code="BucketAlreadyExists",
                    status=409,
                    BucketName=bucket,
                )
            elif region != US_EAST_1 or existing.region != US_EAST_1:
                # us-east-1 answers 200 to re-creating your own bucket, for legacy clients
                raise ServiceError(
                    "Your previous request to create the named bucket succeeded and you "
                    "already own it.",
                    code="BucketAlreadyOwnedByYou",
                    status=409,
                    BucketName=bucket,
                )

        self.store.write(create)
        return {"Location": f"/{bucket}"}

    @operation("HeadBucket")
    def head_bucket(self, ctx: RequestContext, bucket: str) -> Output:
        found = self.store.read(lambda tx: db.require_bucket(tx, bucket))
        return {"BucketRegion": found.region}

    @operation("ListBuckets")
    def list_buckets(
        self, ctx: RequestContext, prefix: str | None = None, bucket_region: str | None = None
    ) -> Output:
        buckets = self.store.read(lambda tx: db.list_buckets(tx, ctx.account_id))
        listed = [
            {"Name": b.name, "CreationDate": timestamp(b.created), "BucketRegion": b.region}
            for b in buckets
            if b.name.startswith(prefix or "") and bucket_region in (None, b.region)
        ]
        return {"Buckets": listed, "Owner": owner(ctx.account_id), "Prefix": prefix}

    @operation("DeleteBucket")
    def delete_bucket(self, ctx: RequestContext, bucket: str) -> Output:
        def delete(tx: Tx) -> None:
            db.require_bucket(tx, bucket)
            if db.has_objects(tx, bucket):
                raise bucket_not_empty(bucket)
            db.delete_bucket(tx, bucket)

        self.store.write(delete)
        return {}

    @operation("GetBucketLocation")
    def get_bucket_location(self, ctx: RequestContext, bucket: str) -> Output:
        found = self.store.read(lambda tx: db.require_bucket(tx, bucket))
        # us-east-1 is the empty location constraint
        return {"LocationConstraint": None if found.region == US_EAST_1 else found.region}

    @operation("PutBucketTagging")
    def put_bucket_tagging(
        self, ctx: RequestContext, bucket: str, tagging: dict[str, Any]
    ) -> Output:
        tags = check_tags(tagging.get("TagSet") or [], BUCKET_TAG_LIMIT)
        self._update_bucket(bucket, lambda b: setattr(b, "tags", tags))
        return {}

    @operation("GetBucketTagging")
    def get_bucket_tagging(self, ctx: RequestContext, bucket: str) -> Output:
        found = self.store.read(lambda tx: db.require_bucket(tx, bucket))
        if not found.tags:
            raise no_such_tag_set(bucket)
        return {"TagSet": found.tags}

    @operation("DeleteBucketTagging")
    def delete_bucket_tagging(self, ctx: RequestContext, bucket: str) -> Output:
        self._update_bucket(bucket, lambda b: setattr(b, "tags", None))
        return {}

    @operation("PutBucketVersioning")
    def put_bucket_versioning(
        self, ctx: RequestContext, bucket: str, versioning_configuration: dict[str, Any]
    ) -> Output:
        status = versioning_configuration.get("Status")
        if status not in ("Enabled", "Suspended"):
            raise ServiceError(
                "The XML you provided was not well-formed or did not validate against our "
                "published schema",
                code="MalformedXML",
            )
        self._update_bucket(bucket, lambda b: setattr(b, "versioning", status))
        return {}

    @operation("GetBucketVersioning")
    def get_bucket_versioning(self, ctx: RequestContext, bucket: str) -> Output:
        found = self.store.read(lambda tx: db.require_bucket(tx, bucket))
        return {"Status": found.versioning} if found.versioning else {}

    def _update_bucket(self, name: str, change: Any) -> None:
        def update(tx: Tx) -> None:
            bucket = db.require_bucket(tx, name)
            change(bucket)
            db.put_bucket(tx, bucket)

        self.store.write(update)

    # -- objects -----------------------------------------------------------------------------

    @operation("PutObject", blocking=True)
    def put_object(
        self,
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
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> Output:
        _check_key(key)
        tags = parse_tagging_header(tagging) if tagging else []
        self.store.read(lambda tx: db.require_bucket(tx, bucket))
        payload: DecodedPayload | None = ctx.notes.get("payload")
        if payload is not None:
            content_encoding = payload.content_encoding
        checksums = dict([payload.client_checksum]) if payload and payload.client_checksum else {}
        stored = write_body(self.store.blobs, body)
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
            storage_class=storage_class or "STANDARD",
            tags=tags,
            checksums=checksums,
        )
        self._commit(bucket, obj, stored, if_match=if_match, if_none_match=if_none_match)
        return {"ETag": obj.etag, "Size": obj.size, **checksum_members(checksums)}

    def _commit(
        self,
        bucket: str,
        obj: S3Object,
        stored: StoredBody,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> None:
        """Store the record of ``obj`` whose blob is committed; drop the blob it replaced."""

        def commit(tx: Tx) -> str | None:
            db.require_bucket(tx, bucket)
            current = db.get_object(tx, bucket, obj.key)
            if if_none_match is not None and current is not None:
                raise precondition_failed("If-None-Match")
            if if_match is not None:
                if current is None:
                    raise no_such_key(obj.key)
                check_conditions(current, if_match=if_match)
            return db.put_object(tx, bucket, obj)

        try:
            replaced = self.store.write(commit)
        except BaseException:
            self.store.blobs.delete(stored.blob)
            raise
        if replaced is not None:
            self.store.blobs.delete(replaced)

    @operation("GetObject", blocking=True)
    def get_object(
        self,
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
    ) -> Output:
        overrides = {
            "CacheControl": response_cache_control,
            "ContentDisposition": response_content_disposition,
            "ContentEncoding": response_content_encoding,
            "ContentLanguage": response_content_language,
            "ContentType": response_content_type,
        }
        for _ in itertools.repeat(None, _OPEN_ATTEMPTS):
            obj = self.store.read(lambda tx: db.require_object(tx, bucket, key))
            check_conditions(
                obj,
                if_match=if_match,
                if_none_match=if_none_match,
                if_modified_since=if_modified_since,
                if_unmodified_since=if_unmodified_since,
            )
            window = parse_range(range, obj.size)
            try:
                file = self.store.blobs.open(obj.blob)
            except FileNotFoundError:
                continue  # overwritten or deleted since the read: read the record again
            out = _describe(obj, window, checksum_mode, overrides)
            if response_expires is not None:
                out["Expires"] = response_expires
            if window is None:
                out["Body"] = file
            else:
                out["Body"] = RangeReader(file, window[0], window[1] - window[0] + 1)
                ctx.response_status = 206
            return out
        raise no_such_key(key)

    @operation("HeadObject")
    def head_object(
        self,
        ctx: RequestContext,
        bucket: str,
        key: str,
        range: str | None = None,  # the member's name shadows the builtin here
        if_match: str | None = None,
        if_none_match: str | None = None,
        if_modified_since: dt.datetime | None = None,
        if_unmodified_since: dt.datetime | None = None,
        checksum_mode: str | None = None,
    ) -> Output:
        obj = self.store.read(lambda tx: db.require_object(tx, bucket, key))
        check_conditions(
            obj,
            if_match=if_match,
            if_none_match=if_none_match,
            if_modified_since=if_modified_since,
            if_unmodified_since=if_unmodified_since,
        )
        return _describe(obj, parse_range(range, obj.size), checksum_mode, {})

    @operation("DeleteObject")
    def delete_object(self, ctx: RequestContext, bucket: str, key: str) -> Output:
        def delete(tx: Tx) -> str | None:
            db.require_bucket(tx, bucket)
            return db.delete_object(tx, bucket, key)

        blob = self.store.write(delete)
        if blob is not None:
            self.store.blobs.delete(blob)
        return {}

    @operation("DeleteObjects")
    def delete_objects(self, ctx: RequestContext, bucket: str, delete: dict[str, Any]) -> Output:
        keys = [item["Key"] for item in delete.get("Objects") or []]
        if not keys or len(keys) > MAX_KEYS:
            raise ServiceError(
                "The XML you provided was not well-formed or did not validate against our "
                "published schema",
                code="MalformedXML",
            )

        def delete_all(tx: Tx) -> list[str]:
            db.require_bucket(tx, bucket)
            blobs = (db.delete_object(tx, bucket, k) for k in keys)
            return [b for b in blobs if b is not None]

        for blob in self.store.write(delete_all):
            self.store.blobs.delete(blob)
        if delete.get("Quiet"):
            return {}
        return {"Deleted": [{"Key": k} for k in keys]}

    @operation("CopyObject", blocking=True)
    def copy_object(
        self,
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
        copy_source_if_match: str | None = None,
        copy_source_if_none_match: str | None = None,
        copy_source_if_modified_since: dt.datetime | None = None,
        copy_source_if_unmodified_since: dt.datetime | None = None,
    ) -> Output:
        _check_key(key)
        src_bucket, src_key = parse_copy_source(copy_source)
        self.store.read(lambda tx: db.require_bucket(tx, bucket))
        source = self.store.read(lambda tx: db.require_object(tx, src_bucket, src_key))
        check_conditions(
            source,
            if_match=copy_source_if_match,
            if_none_match=copy_source_if_none_match,
            if_modified_since=copy_source_if_modified_since,
            if_unmodified_since=copy_source_if_unmodified_since,
            prefix="x-amz-copy-source-",
        )
        replace = metadata_directive == "REPLACE"
        if (src_bucket, src_key) == (bucket, key) and not replace and storage_class is None:
            raise ServiceError(
                "This copy request is illegal because it is trying to copy an object to "
                "itself without changing the object's metadata, storage class, website "
                "redirect location or encryption attributes.",
                code="InvalidRequest",
            )
        try:
            with self.store.blobs.open(source.blob) as src:
                stored = write_body(self.store.blobs, src)
        except FileNotFoundError:
            raise no_such_key(src_key) from None
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
            copy.tags = parse_tagging_header(tagging) if tagging else []
        copy.storage_class = storage_class or "STANDARD"
        self._commit(bucket, copy, stored)
        result = {"ETag": copy.etag, "LastModified": timestamp(copy.last_modified)}
        checksums = checksum_members(copy.checksums, copy.checksum_type)
        return {"CopyObjectResult": {**result, **checksums}}

    # -- listing -----------------------------------------------------------------------------

    @operation("ListObjectsV2")
    def list_objects_v2(
        self,
        ctx: RequestContext,
        bucket: str,
        prefix: str | None = None,
        delimiter: str | None = None,
        max_keys: int | None = None,
        continuation_token: str | None = None,
        start_after: str | None = None,
        encoding_type: str | None = None,
        fetch_owner: bool | None = None,
    ) -> Output:
        after = read_token(continuation_token) if continuation_token else start_after
        limit = check_max_keys(max_keys)
        page = self._page(bucket, prefix, delimiter, after, limit)
        enc = key_encoder(encoding_type)
        out: Output = {
            "Name": bucket,
            "Prefix": enc(prefix or ""),
            "Delimiter": enc(delimiter) if delimiter else None,
            "MaxKeys": limit,
            "KeyCount": len(page.contents) + len(page.common_prefixes),
            "IsTruncated": page.truncated,
            "EncodingType": encoding_type,
            "ContinuationToken": continuation_token,
            "StartAfter": enc(start_after) if start_after else None,
            **page_entries(page, enc, owner(ctx.account_id) if fetch_owner else None),
        }
        if page.truncated and page.last is not None:
            out["NextContinuationToken"] = make_token(page.last)
        return out

    @operation("ListObjects")
    def list_objects(
        self,
        ctx: RequestContext,
        bucket: str,
        prefix: str | None = None,
        delimiter: str | None = None,
        max_keys: int | None = None,
        marker: str | None = None,
        encoding_type: str | None = None,
    ) -> Output:
        limit = check_max_keys(max_keys)
        page = self._page(bucket, prefix, delimiter, marker or None, limit)
        enc = key_encoder(encoding_type)
        out: Output = {
            "Name": bucket,
            "Prefix": enc(prefix or ""),
            "Delimiter": enc(delimiter) if delimiter else None,
            "Marker": enc(marker or ""),
            "MaxKeys": limit,
            "IsTruncated": page.truncated,
            "EncodingType": encoding_type,
            **page_entries(page, enc, owner(ctx.account_id)),
        }
        if page.truncated and delimiter and page.last is not None:
            # S3 gives NextMarker only with a delimiter; clients use the last key otherwise
            out["NextMarker"] = enc(page.last)
        return out

    def _page(
        self, bucket: str, prefix: str | None, delimiter: str | None, after: str | None, limit: int
    ) -> Page:
        def read(tx: Tx) -> Page:
            db.require_bucket(tx, bucket)
            return list_page(
                tx, bucket, prefix=prefix or "", delimiter=delimiter, after=after, max_keys=limit
            )

        return self.store.read(read)

    # -- object tagging ----------------------------------------------------------------------

    @operation("PutObjectTagging")
    def put_object_tagging(
        self, ctx: RequestContext, bucket: str, key: str, tagging: dict[str, Any]
    ) -> Output:
        tags = check_tags(tagging.get("TagSet") or [], OBJECT_TAG_LIMIT)
        self._retag(bucket, key, tags)
        return {}

    @operation("GetObjectTagging")
    def get_object_tagging(self, ctx: RequestContext, bucket: str, key: str) -> Output:
        obj = self.store.read(lambda tx: db.require_object(tx, bucket, key))
        return {"TagSet": obj.tags}

    @operation("DeleteObjectTagging")
    def delete_object_tagging(self, ctx: RequestContext, bucket: str, key: str) -> Output:
        self._retag(bucket, key, [])
        return {}

    def _retag(self, bucket: str, key: str, tags: Tags) -> None:
        def retag(tx: Tx) -> None:
            obj = db.require_object(tx, bucket, key)
            obj.tags = tags
            db.put_object(tx, bucket, obj)

        self.store.write(retag)

    # -- multipart uploads -------------------------------------------------------------------

    @operation("CreateMultipartUpload")
    def create_multipart_upload(
        self,
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
        checksum_algorithm: str | None = None,
        checksum_type: str | None = None,
    ) -> Output:
        _check_key(key)
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
            storage_class=storage_class or "STANDARD",
            tags=parse_tagging_header(tagging) if tagging else [],
            checksum_algorithm=algorithm,
            checksum_type=checksum_type if algorithm else None,
        )

        def create(tx: Tx) -> None:
            db.require_bucket(tx, bucket)
            uploads.put_upload(tx, upload)

        self.store.write(create)
        return {
            "Bucket": bucket,
            "Key": key,
            "UploadId": upload.upload_id,
            "ChecksumAlgorithm": checksum_algorithm,
            "ChecksumType": upload.checksum_type,
        }

    @operation("UploadPart", blocking=True)
    def upload_part(
        self,
        ctx: RequestContext,
        bucket: str,
        key: str,
        part_number: int,
        upload_id: str,
        body: BinaryIO | None = None,
    ) -> Output:
        check_part_number(part_number)
        self.store.read(lambda tx: uploads.require_upload(tx, bucket, key, upload_id))
        payload: DecodedPayload | None = ctx.notes.get("payload")
        checksums = dict([payload.client_checksum]) if payload and payload.client_checksum else {}
        stored = write_body(self.store.blobs, body)
        self._commit_part(bucket, key, upload_id, part_number, stored, checksums)
        return {"ETag": stored.etag, **checksum_members(checksums)}

    @operation("UploadPartCopy", blocking=True)
    def upload_part_copy(
        self,
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
        src_bucket, src_key = parse_copy_source(copy_source)
        self.store.read(lambda tx: uploads.require_upload(tx, bucket, key, upload_id))
        source = self.store.read(lambda tx: db.require_object(tx, src_bucket, src_key))
        check_conditions(
            source,
            if_match=copy_source_if_match,
            if_none_match=copy_source_if_none_match,
            if_modified_since=copy_source_if_modified_since,
            if_unmodified_since=copy_source_if_unmodified_since,
            prefix="x-amz-copy-source-",
        )
        start, end = parse_copy_range(copy_source_range, source.size)
        try:
            file = self.store.blobs.open(source.blob)
        except FileNotFoundError:
            raise no_such_key(src_key) from None
        reader = RangeReader(file, start, end - start + 1)
        try:
            stored = write_body(self.store.blobs, reader)
        finally:
            reader.close()
        part = self._commit_part(bucket, key, upload_id, part_number, stored, {})
        return {
            "CopyPartResult": {"ETag": part.etag, "LastModified": timestamp(part.last_modified)}
        }

    def _commit_part(
        self,
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
            replaced = self.store.write(commit)
        except BaseException:
            self.store.blobs.delete(stored.blob)
            raise
        if replaced is not None:
            self.store.blobs.delete(replaced)
        return part

    @operation("CompleteMultipartUpload", blocking=True)
    def complete_multipart_upload(
        self,
        ctx: RequestContext,
        bucket: str,
        key: str,
        upload_id: str,
        multipart_upload: dict[str, Any] | None = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> Output:
        def read(tx: Tx) -> tuple[Upload, list[Part]]:
            db.require_bucket(tx, bucket)
            upload = uploads.require_upload(tx, bucket, key, upload_id)
            return upload, uploads.list_parts(tx, upload_id)

        upload, stored = self.store.read(read)
        requested = (multipart_upload or {}).get("Parts") or []
        parts = choose_parts(upload_id, requested, stored)
        try:
            blob, size = concatenate(self.store.blobs, parts)
        except FileNotFoundError:
            # a part was replaced or the upload aborted while we read it
            raise invalid_part(upload_id, 0, "") from None
        checksums = composite_checksum(upload.checksum_algorithm, parts)
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
            checksum_type="COMPOSITE",
        )

        def commit(tx: Tx) -> list[str]:
            current_upload = uploads.require_upload(tx, bucket, key, upload_id)
            if uploads.list_parts(tx, upload_id) != stored:
                raise invalid_part(upload_id, 0, "")  # a part changed while assembling
            current = db.get_object(tx, bucket, key)
            if if_none_match is not None and current is not None:
                raise precondition_failed("If-None-Match")
            if if_match is not None:
                if current is None:
                    raise no_such_key(key)
                check_conditions(current, if_match=if_match)
            garbage = uploads.delete_upload(tx, current_upload)
            replaced = db.put_object(tx, bucket, obj)
            return garbage + ([replaced] if replaced is not None else [])

        try:
            garbage = self.store.write(commit)
        except BaseException:
            self.store.blobs.delete(blob)
            raise
        for old in garbage:
            self.store.blobs.delete(old)
        return {
            "Location": f"/{bucket}/{key}",
            "Bucket": bucket,
            "Key": key,
            "ETag": obj.etag,
            **checksum_members(checksums, "COMPOSITE"),
        }

    @operation("AbortMultipartUpload")
    def abort_multipart_upload(
        self, ctx: RequestContext, bucket: str, key: str, upload_id: str
    ) -> Output:
        def abort(tx: Tx) -> list[str]:
            db.require_bucket(tx, bucket)
            return uploads.delete_upload(tx, uploads.require_upload(tx, bucket, key, upload_id))

        for blob in self.store.write(abort):
            self.store.blobs.delete(blob)
        ctx.response_status = 204
        return {}

    @operation("ListMultipartUploads")
    def list_multipart_uploads(
        self,
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

        page = self.store.read(read)
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

    @operation("ListParts")
    def list_parts(
        self,
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

        upload, parts = self.store.read(read)
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


# -- helpers -----------------------------------------------------------------------------------


def _bucket_region(request_region: str, constraint: str | None) -> str:
    """The region a new bucket lives in, refusing a constraint the endpoint cannot serve."""
    if constraint == US_EAST_1:
        raise ServiceError(
            "The specified location-constraint is not valid",
            code="InvalidLocationConstraint",
            LocationConstraint=constraint,
        )
    region = constraint or US_EAST_1
    if region != request_region:
        raise ServiceError(
            f"The {constraint or 'unspecified'} location constraint is incompatible for the "
            "region specific endpoint this request was sent to.",
            code="IllegalLocationConstraintException",
        )
    return region


def _check_key(key: str) -> None:
    if len(key.encode("utf-8", "surrogatepass")) > 1024:
        raise ServiceError("Your key is too long", code="KeyTooLongError", MaxSizeAllowed="1024")


def _describe(
    obj: S3Object,
    window: tuple[int, int] | None,
    checksum_mode: str | None,
    overrides: dict[str, str | None],
) -> Output:
    out = object_headers(obj, overrides)
    if window is None:
        out["ContentLength"] = obj.size
        if checksum_mode == "ENABLED":
            # never on a partial body: the checksum is of the whole object
            out.update(checksum_members(obj.checksums, obj.checksum_type))
    else:
        start, end = window
        out["ContentLength"] = end - start + 1
        out["ContentRange"] = f"bytes {start}-{end}/{obj.size}"
    return out
