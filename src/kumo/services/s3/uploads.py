"""Multipart uploads: their records and tables, and S3's rules for completing one.

An upload is a record in ``s3.uploads`` keyed by (bucket, key, upload id); upload ids begin
with the initiation time in fixed-width hex, so one key's uploads list in the order they
were started, as S3 lists them. Each part is a record in ``s3.parts`` keyed by (upload id,
part number) naming an immutable blob; uploading a part number again replaces the record,
and the replaced blob is deleted after the commit.

Completing assembles the object by streaming the chosen parts, in order, into one new blob
(constant memory) which is committed before the single transaction that stores the object
record and deletes the upload and part records; the part blobs are deleted after it. The
object is therefore visible only once whole, and a crash at any point leaves either the
upload as it was (plus, at worst, an unreferenced blob) or the finished object.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from kumo.aws.auth import checksums
from kumo.aws.errors import ServiceError
from kumo.services.s3.bodies import Readable
from kumo.services.s3.errors import invalid_argument
from kumo.services.s3.models import owner
from kumo.services.s3.wire import checksum_members, timestamp
from kumo.storage.base import Tx
from kumo.storage.blobs import BlobStore
from kumo.storage.keys import key, key_prefix, prefix_end

__all__ = [
    "MAX_PARTS",
    "MIN_PART_SIZE",
    "PARTS",
    "UPLOADS",
    "Part",
    "Upload",
    "UploadPage",
    "check_part_number",
    "choose_parts",
    "composite_checksum",
    "concatenate",
    "initiator",
    "invalid_part",
    "list_uploads_page",
    "multipart_etag",
    "new_upload_id",
    "no_such_upload",
    "parse_copy_range",
    "part_entry",
    "upload_entry",
]

UPLOADS = "s3.uploads"
PARTS = "s3.parts"

MAX_PART_NUMBER = 10_000
MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PARTS = 1000  # per ListParts page
_CHUNK = 1024 * 1024
_COPY_RANGE = re.compile(r"^bytes=(\d+)-(\d+)$")


@dataclass
class Upload:
    """An upload in progress and what the object it completes into will carry."""

    bucket: str
    key: str
    upload_id: str
    initiated: float
    account_id: str
    content_type: str = "binary/octet-stream"
    content_encoding: str | None = None
    content_language: str | None = None
    content_disposition: str | None = None
    cache_control: str | None = None
    expires: float | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    storage_class: str = "STANDARD"
    tags: list[dict[str, str]] = field(default_factory=list)
    checksum_algorithm: str | None = None  # lower-case, "crc32"
    checksum_type: str | None = None  # "COMPOSITE" or "FULL_OBJECT"
    acl: list[dict[str, Any]] | None = None  # the completed object's grants
    sse: dict[str, Any] = field(default_factory=dict)  # the completed object's encryption

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Upload:
        return cls(**data)


@dataclass
class Part:
    number: int
    blob: str
    size: int
    md5: str  # hex
    last_modified: float
    checksums: dict[str, str] = field(default_factory=dict)  # algorithm -> base64

    @property
    def etag(self) -> str:
        return f'"{self.md5}"'

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Part:
        return cls(**data)


def new_upload_id() -> str:
    """Sorts by initiation time (fixed-width hex nanoseconds), then at random."""
    return f"{time.time_ns():016x}{uuid.uuid4().hex}"


# -- errors ------------------------------------------------------------------------------------


def no_such_upload(upload_id: str) -> ServiceError:
    return ServiceError(
        "The specified upload does not exist. The upload ID may be invalid, or the upload "
        "may have been aborted or completed.",
        code="NoSuchUpload",
        status=404,
        UploadId=upload_id,
    )


def invalid_part(upload_id: str, number: int, etag: str) -> ServiceError:
    return ServiceError(
        "One or more of the specified parts could not be found.  The part may not have been "
        "uploaded, or the specified entity tag may not match the part's entity tag.",
        code="InvalidPart",
        UploadId=upload_id,
        PartNumber=str(number),
        ETag=etag,
    )


def check_part_number(number: int) -> None:
    if not 1 <= number <= MAX_PART_NUMBER:
        raise invalid_argument(
            "Part number must be an integer between 1 and 10000, inclusive",
            "partNumber",
            str(number),
        )


def parse_copy_range(header: str | None, size: int) -> tuple[int, int]:
    """The inclusive byte range ``x-amz-copy-source-range`` picks; the whole object if none."""
    if header is None:
        return 0, size - 1
    found = _COPY_RANGE.match(header.strip())
    if found is None:
        raise invalid_argument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where "
            "first and last are the zero-based offsets of the first and last bytes to copy",
            "x-amz-copy-source-range",
            header,
        )
    start, end = int(found.group(1)), int(found.group(2))
    if start > end or end >= size:
        raise invalid_argument(
            f"Range specified is not valid for source object of size: {size}",
            "x-amz-copy-source-range",
            header,
        )
    return start, end


# -- the wire form -----------------------------------------------------------------------------


def initiator(account_id: str) -> dict[str, str]:
    return {"ID": f"arn:aws:iam::{account_id}:root", "DisplayName": account_id}


def upload_entry(upload: Upload, enc: Callable[[str], str]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "UploadId": upload.upload_id,
        "Key": enc(upload.key),
        "Initiated": timestamp(upload.initiated),
        "StorageClass": upload.storage_class,
        "Owner": owner(upload.account_id),
        "Initiator": initiator(upload.account_id),
    }
    if upload.checksum_algorithm:
        entry["ChecksumAlgorithm"] = upload.checksum_algorithm.upper()
        entry["ChecksumType"] = upload.checksum_type
    return entry


def part_entry(part: Part) -> dict[str, Any]:
    return {
        "PartNumber": part.number,
        "LastModified": timestamp(part.last_modified),
        "ETag": part.etag,
        "Size": part.size,
        **{k: v for k, v in checksum_members(part.checksums).items() if k != "ChecksumType"},
    }


# -- tables ------------------------------------------------------------------------------------


def get_upload(tx: Tx, bucket: str, object_key: str, upload_id: str) -> Upload | None:
    data = tx.get(UPLOADS, key(bucket, object_key, upload_id))
    return Upload.from_record(data) if data is not None else None


def require_upload(tx: Tx, bucket: str, object_key: str, upload_id: str) -> Upload:
    upload = get_upload(tx, bucket, object_key, upload_id)
    if upload is None:
        raise no_such_upload(upload_id)
    return upload


def put_upload(tx: Tx, upload: Upload) -> None:
    tx.put(UPLOADS, key(upload.bucket, upload.key, upload.upload_id), upload.to_record())


def delete_upload(tx: Tx, upload: Upload) -> list[str]:
    """Remove the upload and its part records; the part blobs, to delete after commit."""
    tx.delete(UPLOADS, key(upload.bucket, upload.key, upload.upload_id))
    parts = list_parts(tx, upload.upload_id)
    for part in parts:
        tx.delete(PARTS, key(upload.upload_id, part.number))
    return [part.blob for part in parts]


def scan_uploads(tx: Tx, bucket: str, prefix: str, start: bytes | None) -> Iterable[Upload]:
    for _, value in tx.scan(UPLOADS, prefix=key_prefix(bucket, prefix), start=start):
        yield Upload.from_record(value)


@dataclass
class UploadPage:
    uploads: list[Upload] = field(default_factory=list)
    common_prefixes: list[str] = field(default_factory=list)
    truncated: bool = False


def list_uploads_page(
    tx: Tx,
    bucket: str,
    *,
    prefix: str,
    delimiter: str | None,
    key_marker: str | None,
    upload_id_marker: str | None,
    max_uploads: int,
) -> UploadPage:
    """Uploads (and common prefixes) after the markers, in key then initiation order.

    As S3: with only ``key_marker`` the listing starts after every upload of that key; with
    ``upload_id_marker`` too, after that upload of that key.
    """
    page = UploadPage()
    start: bytes | None = None
    if key_marker:
        if upload_id_marker:
            start = key(bucket, key_marker, upload_id_marker) + b"\x00"
        else:
            start = prefix_end(key(bucket, key_marker))
    while True:
        jump: bytes | None = None
        for upload in scan_uploads(tx, bucket, prefix, start):
            common = _common_prefix(upload.key, prefix, delimiter)
            if common is not None:
                jump = prefix_end(key_prefix(bucket, common))
                if key_marker is not None and common <= key_marker:
                    break
            if len(page.uploads) + len(page.common_prefixes) >= max_uploads:
                page.truncated = True
                return page
            if common is not None:
                page.common_prefixes.append(common)
                break
            page.uploads.append(upload)
        if jump is None:
            return page
        start = jump


def _common_prefix(name: str, prefix: str, delimiter: str | None) -> str | None:
    if not delimiter:
        return None
    found = name.find(delimiter, len(prefix))
    return name[: found + len(delimiter)] if found >= 0 else None


def put_part(tx: Tx, upload_id: str, part: Part) -> str | None:
    """Store ``part``; the blob of a part it replaced, for the caller to delete."""
    old = tx.get(PARTS, key(upload_id, part.number))
    tx.put(PARTS, key(upload_id, part.number), part.to_record())
    return str(old["blob"]) if old is not None else None


def list_parts(tx: Tx, upload_id: str, *, after: int = 0, limit: int | None = None) -> list[Part]:
    start = key(upload_id, after + 1)
    rows = tx.scan(PARTS, prefix=key(upload_id), start=start, limit=limit)
    return [Part.from_record(value) for _, value in rows]


# -- completing --------------------------------------------------------------------------------


def choose_parts(upload_id: str, requested: list[dict[str, Any]], stored: list[Part]) -> list[Part]:
    """The stored parts a CompleteMultipartUpload part list names, checked as S3 checks it."""
    if not requested:
        raise ServiceError(
            "The XML you provided was not well-formed or did not validate against our "
            "published schema",
            code="MalformedXML",
        )
    by_number = {part.number: part for part in stored}
    chosen: list[Part] = []
    previous = 0
    for item in requested:
        number = int(item.get("PartNumber") or 0)
        if number <= previous:
            raise ServiceError(
                "The list of parts was not in ascending order. Parts must be ordered by "
                "part number.",
                code="InvalidPartOrder",
                UploadId=upload_id,
            )
        previous = number
        etag = str(item.get("ETag") or "")
        part = by_number.get(number)
        if part is None or etag.strip().strip('"') != part.md5:
            raise invalid_part(upload_id, number, etag)
        chosen.append(part)
    for part in chosen[:-1]:
        if part.size < MIN_PART_SIZE:
            raise ServiceError(
                "Your proposed upload is smaller than the minimum allowed size",
                code="EntityTooSmall",
                ProposedSize=str(part.size),
                MinSizeAllowed=str(MIN_PART_SIZE),
                PartNumber=str(part.number),
                ETag=part.md5,
            )
    return chosen


def multipart_etag(parts: list[Part]) -> str:
    """S3's ETag of a multipart object: MD5 of the parts' binary MD5s, then ``-<count>``."""
    digest = hashlib.md5(usedforsecurity=False)
    for part in parts:
        digest.update(bytes.fromhex(part.md5))
    return f'"{digest.hexdigest()}-{len(parts)}"'


def composite_checksum(
    algorithm: str | None, parts: list[Part], kind: str | None = None
) -> dict[str, str]:
    """The completed object's checksum from its parts' checksums, when they all have one.

    ``COMPOSITE``: the checksum of the parts' digests, ``-<count>`` (CRC32, CRC32C, SHA1,
    SHA256). ``FULL_OBJECT``: the CRC of the whole object, combined from the parts' CRCs
    and lengths (CRC32, CRC32C, CRC64NVME). An empty dict when a part lacks its checksum.
    """
    if algorithm is None or not all(algorithm in p.checksums for p in parts):
        return {}
    digests = [base64.b64decode(p.checksums[algorithm]) for p in parts]
    if kind == "FULL_OBJECT":
        pairs = zip(digests, [p.size for p in parts], strict=True)
        return {algorithm: checksums.combine_full_object(algorithm, pairs)}
    return {algorithm: checksums.combine_composite(algorithm, digests)}


def concatenate(blobs: BlobStore, parts: list[Part]) -> tuple[str, int]:
    """Stream the parts' bytes, in order, into one new committed blob; its id and size.

    Raises FileNotFoundError when a part's blob vanished (replaced or aborted meanwhile).
    """
    with blobs.writer() as writer:
        for part in parts:
            with blobs.open(part.blob) as src:
                _copy(src, writer.write)
        size = writer.size
        return writer.commit(), size


def _copy(src: Readable, write: Any) -> None:
    while chunk := src.read(_CHUNK):
        write(chunk)
