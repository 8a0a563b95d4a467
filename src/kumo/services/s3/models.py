"""S3's records (buckets, objects) and its rules for bucket names and tag sets.

Records are plain dataclasses stored as JSON; an object's bytes live in a blob file named by
``blob``, never in the record.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from kumo.aws.errors import ServiceError
from kumo.services.s3.errors import invalid_bucket_name, invalid_tag

__all__ = [
    "Bucket",
    "S3Object",
    "canonical_id",
    "check_bucket_name",
    "check_tags",
    "owner",
    "parse_tagging_header",
]

Tags = list[dict[str, str]]

_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")

OBJECT_TAG_LIMIT = 10
BUCKET_TAG_LIMIT = 50


def check_bucket_name(name: str) -> None:
    """``InvalidBucketName`` unless ``name`` follows S3's general purpose bucket rules."""
    if (
        not _BUCKET_NAME.match(name)
        or ".." in name
        or name.startswith(_RESERVED_PREFIXES)
        or name.endswith(_RESERVED_SUFFIXES)
        or _is_ip_address(name)
    ):
        raise invalid_bucket_name(name)


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


def canonical_id(account_id: str) -> str:
    """The 64-hex canonical user id S3 shows as an owner; stable per account."""
    return hashlib.sha256(f"kumo-s3-owner:{account_id}".encode()).hexdigest()


def owner(account_id: str) -> dict[str, str]:
    return {"DisplayName": "webfile", "ID": canonical_id(account_id)}


def check_tags(tags: Tags, limit: int) -> Tags:
    """A tag set as S3 validates it: unique keys, key and value lengths, ``limit`` tags."""
    if len(tags) > limit:
        raise invalid_tag(
            "Object tags cannot be greater than 10"
            if limit == OBJECT_TAG_LIMIT
            else "Bucket tag count cannot be greater than 50"
        )
    seen: set[str] = set()
    out: Tags = []
    for tag in tags:
        k, v = tag.get("Key", ""), tag.get("Value", "")
        if not k or len(k) > 128:
            raise invalid_tag("The TagKey you have provided is invalid")
        if len(v) > 256:
            raise invalid_tag("The TagValue you have provided is invalid")
        if k in seen:
            raise invalid_tag("Cannot provide multiple Tags with the same key")
        seen.add(k)
        out.append({"Key": k, "Value": v})
    return out


STORAGE_CLASSES = frozenset(
    {
        "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
        "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE",
        "FSX_OPENZFS", "FSX_ONTAP",
    }
)  # fmt: skip


def check_storage_class(storage_class: str | None) -> str:
    """The object's storage class: STANDARD unless named; InvalidStorageClass if unknown."""
    if storage_class is None:
        return "STANDARD"
    if storage_class not in STORAGE_CLASSES:
        raise ServiceError(
            "The storage class you specified is not valid",
            code="InvalidStorageClass",
            StorageClassRequested=storage_class,
        )
    return storage_class


def parse_tagging_header(text: str) -> Tags:
    """The ``x-amz-tagging`` header (URL query form, ``a=1&b=2``) as a tag set."""
    pairs = parse_qsl(text, keep_blank_values=True)
    return check_tags([{"Key": k, "Value": v} for k, v in pairs], OBJECT_TAG_LIMIT)


@dataclass
class Bucket:
    name: str
    account_id: str
    region: str
    created: float
    tags: Tags | None = None
    versioning: str | None = None  # None (never set), "Enabled" or "Suspended"
    # bucket configuration documents by name ("notification", "cors", "lifecycle", "policy",
    # "encryption", "website", "acl", ...), each stored as its Get operation returns it
    configs: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Bucket:
        return cls(**data)


@dataclass
class S3Object:
    """One object: where its bytes are and everything S3 returns about it."""

    key: str
    blob: str
    size: int
    etag: str  # with its quotes, as on the wire
    last_modified: float
    content_type: str = "binary/octet-stream"
    content_encoding: str | None = None
    content_language: str | None = None
    content_disposition: str | None = None
    cache_control: str | None = None
    expires: float | None = None  # epoch seconds
    metadata: dict[str, str] = field(default_factory=dict)
    storage_class: str = "STANDARD"
    tags: Tags = field(default_factory=list)
    # algorithm (lower-case, "crc32") -> base64 digest, from the upload's checksum
    checksums: dict[str, str] = field(default_factory=dict)
    # "COMPOSITE" for a multipart object's checksum of its parts' checksums
    checksum_type: str = "FULL_OBJECT"
    # "null" unless written while the bucket's versioning was Enabled
    version_id: str = "null"
    # orders one key's versions newest first: 16 hex digits, smaller is newer
    rank: str = ""
    # a delete marker has no bytes (blob "") and is never listed by ListObjects
    delete_marker: bool = False
    # x-amz-website-redirect-location: the website endpoint answers 301 to it
    website_redirect: str | None = None
    # the object's ACL grants; None is the owner's FULL_CONTROL alone (canned "private")
    acl: list[dict[str, Any]] | None = None
    # the multipart object's part sizes, for GetObjectAttributes (empty for a single PUT)
    part_sizes: list[int] = field(default_factory=list)
    # each part's checksums (algorithm -> base64), in part order, when it had any
    part_checksums: list[dict[str, str]] = field(default_factory=list)
    # server-side encryption other than the default SSE-S3: ServerSideEncryption,
    # SSEKMSKeyId and BucketKeyEnabled as the output members name them
    sse: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        # its fields are plain JSON values, so a shallow copy is the record; asdict deep-copies
        # them, which showed in profiles of every write
        return dict(vars(self))

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> S3Object:
        return cls(**data)
